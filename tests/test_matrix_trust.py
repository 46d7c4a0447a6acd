"""Cross-signing and the room-key sharing policy, checked against a real Synapse."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.matrix import crosssigning
from adapters.matrix.session import read_credentials
from adapters.matrix.vault import FileVault, open_vault
from tests.matrix_support import MatrixUser, bot_engine, start_bot, users
from tests.synapse import Synapse, synapse

__all__ = ["bot_engine", "synapse", "users"]

pytestmark = pytest.mark.synapse


def signed_by(obj: dict[str, Any], user_id: str, key_b64: str) -> bool:
    """The test's own check of a Matrix signature (canonical JSON, unpadded base64)."""
    signature = obj["signatures"][user_id][f"ed25519:{key_b64}"]
    payload = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    message = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def raw(text: str) -> bytes:
        return base64.b64decode(text + "=" * (-len(text) % 4))

    Ed25519PublicKey.from_public_bytes(raw(key_b64)).verify(raw(signature), message.encode())
    return True


async def wait_undecryptable(user: MatrixUser, event_id: str) -> None:
    """The user's client received the event and could not decrypt it."""
    deadline = asyncio.get_running_loop().time() + 20
    while event_id not in user.undecryptable:
        assert asyncio.get_running_loop().time() < deadline, "the event never arrived"
        await asyncio.sleep(0.05)
    assert all(n.event_id != event_id for n in user.notices)


async def cross_signing_of(observer: MatrixUser, user_id: str) -> dict[str, Any]:
    status, answer = await observer.api(
        "POST", "/_matrix/client/v3/keys/query", {"device_keys": {user_id: []}}
    )
    assert status == 200
    return answer


@pytest.mark.people("admin")
async def test_bot_device_is_cross_signed_by_its_owner_and_stays_one_device(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    observer = users["admin"]
    bot = await start_bot(synapse, tmp_path, bot_engine, "signedbot")
    device_id = read_credentials(open_vault(bot.config))["device_id"]  # type: ignore[index]
    await bot.stop()
    answer = await cross_signing_of(observer, bot.user_id)
    master = answer["master_keys"][bot.user_id]
    ssk = answer["self_signing_keys"][bot.user_id]
    (master_key,) = master["keys"].values()
    (ssk_key,) = ssk["keys"].values()
    assert signed_by(ssk, bot.user_id, master_key)
    device = answer["device_keys"][bot.user_id][device_id]
    assert signed_by(device, bot.user_id, ssk_key)

    # A restart reuses the device and changes nothing about the identity.
    again = await start_bot(synapse, tmp_path, bot_engine, "signedbot")
    await again.stop()
    assert read_credentials(open_vault(bot.config))["device_id"] == device_id  # type: ignore[index]
    later = await cross_signing_of(observer, bot.user_id)
    assert later["master_keys"][bot.user_id] == master


@pytest.mark.people("admin")
async def test_unsigned_member_device_gets_no_room_key_under_the_default_policy(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    dave = await MatrixUser(synapse, "dave", tmp_path / "user-dave", cross_sign=False).start()
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot")
    try:
        admin = users["admin"]
        room = await admin.create_room(encrypted=True, invite=[bot.user_id, dave.user_id])
        await dave.join(room)
        await admin.wait_joined(room, bot.user_id)
        await admin.wait_joined(room, dave.user_id)
        await dave.wait_joined(room, bot.user_id)
        answer = await admin.ask(bot.user_id, room, "!psp help")
        assert answer.body  # the cross-signed admin reads it
        await wait_undecryptable(dave, answer.event_id)
    finally:
        await bot.stop()
        await dave.stop()


@pytest.mark.people()
async def test_device_tofu_policy_shares_with_unsigned_devices(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    dave = await MatrixUser(synapse, "dave", tmp_path / "user-dave", cross_sign=False).start()
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot", trust="device-tofu")
    try:
        room = await dave.create_room(encrypted=True, invite=[bot.user_id])
        await dave.wait_joined(room, bot.user_id)
        answer = await dave.ask(bot.user_id, room, "!psp help")
        assert answer.body
    finally:
        await bot.stop()
        await dave.stop()


@pytest.mark.people("admin", "bo")
async def test_changed_master_key_stops_key_sharing_and_warns_the_room_once(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    # Short long-polls: the bot's "two more syncs" below come quickly when nothing happens.
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot", sync_timeout_ms=300)
    try:
        admin, bo = users["admin"], users["bo"]
        room = await admin.create_room(encrypted=True, invite=[bot.user_id, bo.user_id])
        await bo.join(room)
        await admin.wait_joined(room, bot.user_id)
        await admin.wait_joined(room, bo.user_id)
        await bo.wait_joined(room, bot.user_id)
        assert (await bo.ask(bot.user_id, room, "!psp help")).body  # master key pinned now
        # bo's account gets a new cross-signing identity (as after a "reset" in Element).
        _user, password, _token = synapse.register("bo")
        (tmp_path / "bo-new-identity").mkdir()
        assert await crosssigning.bootstrap(
            bo.client,
            vault=FileVault(tmp_path / "bo-new-identity", bo.user_id),
            pickle_key="another-pickle-key-0123",
            password=password,
        )
        mark = len(admin.notices)
        await admin.say(room, "!psp help")
        await admin.say(room, "!psp help")
        warning = await admin.wait_notice(lambda n: "new encryption identity" in n.body, after=mark)
        assert bo.user_id in warning.body
        for _ in range(2):
            await asyncio.wait_for(bot.service.synced.wait(), 30)
        assert sum("new encryption identity" in n.body for n in admin.notices[mark:]) == 1
        last = [n for n in admin.notices[mark:] if n.sender == bot.user_id][-1]
        await wait_undecryptable(bo, last.event_id)
    finally:
        await bot.stop()


QUICK = {"sync_timeout_ms": 300}


@pytest.mark.people("admin", "bo")
async def test_start_over_with_a_new_store_tells_the_room_once_and_never_warns_about_the_bot(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    """README "start over": the store moved away, the bot logs in as a new device and makes a
    new identity. Its own identity is never pinned, so there is no security warning about
    the bot; the room gets one neutral notice naming the new device."""
    admin, bo = users["admin"], users["bo"]
    # Short long-polls: the bot's "two more syncs" below come quickly when nothing happens.
    bot = await start_bot(synapse, tmp_path, bot_engine, "restartbot", **QUICK)
    try:
        room = await admin.create_room(encrypted=True, invite=[bot.user_id, bo.user_id])
        await bo.join(room)
        await admin.wait_joined(room, bot.user_id)
        await admin.wait_joined(room, bo.user_id)
        assert (await admin.ask(bot.user_id, room, "!psp help")).body  # everything pinned
        old_device = read_credentials(open_vault(bot.config))["device_id"]  # type: ignore[index]
    finally:
        await bot.stop()
    bot.config.store_dir.rename(tmp_path / "bot-store-moved-away")
    mark = len(admin.notices)
    bot = await start_bot(synapse, tmp_path, bot_engine, "restartbot", **QUICK)
    try:
        new_device = read_credentials(open_vault(bot.config))["device_id"]  # type: ignore[index]
        assert new_device != old_device
        assert bot.service.trust is not None and bot.service.trust.cross_signed
        notice = await admin.wait_notice(lambda n: new_device in n.body, after=mark)
        assert notice.sender == bot.user_id and "new device" in notice.body
        answer = await admin.ask(bot.user_id, room, "!psp help")  # readable: keys shared
        assert "flag" in answer.body
        await bo.ask(bot.user_id, room, "!psp help")
        for _ in range(2):
            await asyncio.wait_for(bot.service.synced.wait(), 30)
        from_bot = [n.body for n in admin.notices[mark:] if n.sender == bot.user_id]
        assert not any("encryption identity" in b and bot.user_id in b for b in from_bot)
        assert not any("Security warning" in b for b in from_bot)
        assert sum(new_device in b for b in from_bot) == 1
    finally:
        await bot.stop()
    # A plain restart (the same store) says nothing more.
    mark = len(admin.notices)
    bot = await start_bot(synapse, tmp_path, bot_engine, "restartbot", **QUICK)
    try:
        assert "flag" in (await admin.ask(bot.user_id, room, "!psp help")).body
        assert not any(new_device in n.body for n in admin.notices[mark:])
    finally:
        await bot.stop()


async def test_an_access_token_alone_sets_up_cross_signing_on_a_new_account(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine
) -> None:
    """Synapse lets an account upload its first cross-signing keys without interactive auth
    (MSC3967): a bot given only an access token is cross-signed too. Replacing an identity
    (a start over) needs the password once."""
    user_id, _password, token = synapse.register("tokenbot")
    bot = await start_bot(
        synapse, tmp_path, bot_engine, "tokenbot", access_token=token, password=None
    )
    try:
        assert bot.service.trust is not None and bot.service.trust.cross_signed
    finally:
        await bot.stop()
    bot.config.store_dir.rename(tmp_path / "tokenbot-store-moved-away")
    _user, _password, token = synapse.register("tokenbot")
    again = await start_bot(
        synapse, tmp_path, bot_engine, "tokenbot", access_token=token, password=None
    )
    try:
        assert again.service.trust is not None and not again.service.trust.cross_signed
    finally:
        await again.stop()
    assert user_id == again.user_id
