"""Who and where: unencrypted rooms, invitations, the CPR guard, unreadable messages."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.ops.metrics import PrometheusMetrics
from bot.ports.delivery import Sent
from tests.matrix_support import MatrixUser, bot_engine, bot_in_room, start_bot, users
from tests.synapse import Synapse, synapse

__all__ = ["bot_engine", "synapse", "users"]

pytestmark = pytest.mark.synapse

CPR = "010190-1234"


async def membership(user: MatrixUser, room_id: str, member: str) -> str | None:
    status, state = await user.api(
        "GET", f"/_matrix/client/v3/rooms/{room_id}/state/m.room.member/{member}"
    )
    return str(state.get("membership")) if status == 200 else None


async def wait_membership(user: MatrixUser, room_id: str, member: str, wanted: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if await membership(user, room_id, member) == wanted:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{member} never reached {wanted}")


@pytest.mark.people("admin")
async def test_unencrypted_room_is_refused(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot")
    try:
        admin = users["admin"]
        room = await admin.create_room(encrypted=False, invite=[bot.user_id])
        await admin.wait_joined(room, bot.user_id)
        answer = await admin.ask(bot.user_id, room, "!psp group setup Plaintext")
        assert "not secured" in answer.body
        answer = await admin.ask(bot.user_id, room, "!psp list")
        assert "belongs to no group" in answer.body
    finally:
        await bot.stop()


@pytest.mark.people("admin", "anna")
async def test_invitation_from_a_server_not_on_the_allowlist_is_rejected(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    bot = await start_bot(
        synapse,
        tmp_path,
        bot_engine,
        "pspbot",
        invite_allowlist_servers=("agency.example",),
        invite_allowlist_users=(users["anna"].user_id,),
    )
    try:
        admin, anna = users["admin"], users["anna"]
        refused = await admin.create_room(encrypted=True, invite=[bot.user_id])
        accepted = await anna.create_room(encrypted=True, invite=[bot.user_id])
        await wait_membership(anna, accepted, bot.user_id, "join")
        await wait_membership(admin, refused, bot.user_id, "leave")
    finally:
        await bot.stop()


@pytest.mark.people("admin", "anna")
async def test_cpr_number_is_redacted_and_not_repeated(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot")
    try:
        admin, anna = users["admin"], users["anna"]
        room = await admin.create_room(
            encrypted=True, invite=[bot.user_id, anna.user_id], moderators=(bot.user_id,)
        )
        await anna.join(room)
        await admin.wait_joined(room, bot.user_id)
        await anna.wait_joined(room, bot.user_id)
        mark = len(anna.notices)
        event_id = await anna.say(room, f"!psp flag acute Borger {CPR} truer naboen")
        answer = await anna.wait_notice(lambda n: "CPR" in n.body, after=mark)
        assert CPR not in answer.body and CPR not in answer.source["content"]["formatted_body"]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            _status, event = await admin.api(
                "GET", f"/_matrix/client/v3/rooms/{room}/event/{event_id}"
            )
            if "redacted_because" in event.get("unsigned", {}):
                break
            await asyncio.sleep(0.1)
        assert event["content"] == {}
    finally:
        await bot.stop()


@pytest.mark.people("admin")
async def test_without_power_to_redact_the_bot_says_so_once(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    admin = users["admin"]
    async with bot_in_room(synapse, tmp_path, bot_engine, admin, "pspbot") as (bot, room):
        for _ in range(2):
            await admin.ask(bot.user_id, room, f"!psp note PSP-2026-0001 {CPR}")
        warnings = [n for n in admin.notices if "power to redact" in n.body]
        assert len(warnings) == 1


@pytest.mark.people("admin")
async def test_a_message_the_bot_cannot_read_is_not_acted_on_and_the_sender_told_once(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    admin = users["admin"]
    # Short long-polls: "a few more syncs" below come quickly when nothing else happens.
    async with bot_in_room(synapse, tmp_path, bot_engine, admin, "pspbot", sync_timeout_ms=300) as (
        bot,
        room,
    ):
        metrics = PrometheusMetrics()
        bot.service.router.observe(metrics)
        assert "Nordby" in (await admin.ask(bot.user_id, room, "!psp group setup Nordby")).body
        # Withhold the room key from the bot: its device is blacklisted in the admin's client.
        if admin.client.should_query_keys:
            await admin.client.keys_query()
        for device in admin.client.device_store.active_user_devices(bot.user_id):
            admin.client.blacklist_device(device)
        mark = len(admin.notices)
        event_id = await admin.say(room, "!psp group setup Secret")
        told = await admin.wait_notice(lambda n: "could not read" in n.body, after=mark)
        assert told.source["content"]["m.mentions"]["user_ids"] == [admin.user_id]
        relates = told.source["content"]["m.relates_to"]["m.in_reply_to"]["event_id"]
        assert relates == event_id
        # A few more syncs of the bot: still exactly one such notice, and no group made.
        for _ in range(2):
            await asyncio.wait_for(bot.service.synced.wait(), 30)
        assert sum("could not read" in n.body for n in admin.notices[mark:]) == 1
        assert not any("Secret" in n.body for n in admin.notices[mark:])
        # What operations sees: one undecryptable event, the command's sync lag, the syncs.
        assert metrics.undecryptable._value.get() == 1
        assert metrics.matrix_lag._sum.get() > 0  # the command reached the bot a bit later
        assert metrics.matrix_last_sync._value.get() > time.time() - 60


@pytest.mark.people("admin")
async def test_an_unread_message_is_remembered_across_a_restart(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    admin = users["admin"]
    # The bot is stopped within about a second of seeing the message (two short syncs), long
    # before it would tell the sender: the bot started next is the one that tells.
    patience = {"undecryptable_wait_seconds": 5, "sync_timeout_ms": 300}
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot", **patience)
    room = await admin.create_room(encrypted=True, invite=[bot.user_id])
    await admin.wait_joined(room, bot.user_id)
    await admin.ask(bot.user_id, room, "!psp help")
    for device in admin.client.device_store.active_user_devices(bot.user_id):
        admin.client.blacklist_device(device)
    mark = len(admin.notices)
    await admin.say(room, "!psp group setup Secret")
    for _ in range(2):  # the bot has seen it (and not read it)
        await asyncio.wait_for(bot.service.synced.wait(), 30)
    await bot.stop()
    again = await start_bot(synapse, tmp_path, bot_engine, "pspbot", **patience)
    try:
        await admin.wait_notice(lambda n: "could not read" in n.body, after=mark)
        for _ in range(2):
            await asyncio.wait_for(again.service.synced.wait(), 30)
        assert sum("could not read" in n.body for n in admin.notices[mark:]) == 1
    finally:
        await again.stop()


@pytest.mark.people("admin", "anna")
async def test_non_members_are_refused_and_other_bots_notices_ignored(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot")
    try:
        admin, anna = users["admin"], users["anna"]
        room = await admin.create_room(encrypted=True, invite=[bot.user_id, anna.user_id])
        await anna.join(room)
        await admin.wait_joined(room, bot.user_id)
        await anna.wait_joined(room, bot.user_id)
        await admin.ask(bot.user_id, room, "!psp group setup Nordby")
        answer = await anna.ask(bot.user_id, room, "!psp list")
        assert "not a member" in answer.body
        # Another bot's notice that looks like a command is not one.
        mark = len(anna.notices)
        await anna.client.room_send(
            room,
            "m.room.message",
            {"msgtype": "m.notice", "body": "!psp group setup Hijack"},
            ignore_unverified_devices=True,
        )
        await anna.ask(bot.user_id, room, "!psp help")  # a barrier after the notice
        from_bot = [n for n in anna.notices[mark:] if n.sender == bot.user_id]
        assert len(from_bot) == 1
        assert not any("Hijack" in n.body for n in from_bot)
    finally:
        await bot.stop()


@pytest.mark.people("admin")
async def test_retract_removes_one_of_the_bots_messages(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    admin = users["admin"]
    async with bot_in_room(synapse, tmp_path, bot_engine, admin, "pspbot") as (bot, room):
        answer = await admin.ask(bot.user_id, room, "!psp help")
        assert bot.service.sender is not None
        assert await bot.service.sender.retract(room, answer.event_id) == Sent()
        _status, event = await admin.api(
            "GET", f"/_matrix/client/v3/rooms/{room}/event/{answer.event_id}"
        )
        assert event["content"] == {}


@pytest.mark.people("admin")
async def test_the_bot_can_start_from_an_access_token(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    _user, _password, token = synapse.register("tokenbot")
    bot = await start_bot(
        synapse, tmp_path, bot_engine, "tokenbot", password=None, access_token=token
    )
    try:
        admin = users["admin"]
        room = await admin.create_room(encrypted=True, invite=[bot.user_id])
        await admin.wait_joined(room, bot.user_id)
        assert (await admin.ask(bot.user_id, room, "!psp help")).body
        # The bot kept the token's own device instead of logging in as a new one.
        from nio import AsyncClient

        from adapters.matrix.session import read_credentials
        from adapters.matrix.vault import open_vault

        probe = AsyncClient(synapse.url, bot.user_id)
        probe.access_token = token
        who = await probe.whoami()
        await probe.close()
        credentials = read_credentials(open_vault(bot.config))
        assert credentials is not None and credentials["device_id"] == who.device_id
    finally:
        await bot.stop()
