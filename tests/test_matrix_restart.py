"""Restart and fault safety: SIGKILL mid-conversation, retried sends, a homeserver restart."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from nio import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Platform
from bot.messages import Reply, ReplyKind, RoomRef
from bot.ports.delivery import Outgoing, Sent
from tests.conftest import count_cases
from tests.matrix_support import PICKLE_KEY, MatrixUser, bot_engine, bot_in_room, start_bot, users
from tests.synapse import Synapse, synapse

__all__ = ["bot_engine", "synapse", "users"]

pytestmark = pytest.mark.synapse


class BotProcess:
    """`psp-bot run --config …` as its own process, as an operator runs it."""

    def __init__(
        self,
        synapse: Synapse,
        directory: Path,
        *,
        extra_matrix: str = "",
        database_url: str | None = None,
    ) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.user_id, self._password, _ = synapse.register("procbot")
        self.database_url = database_url or f"sqlite:///{directory / 'psp.sqlite3'}"
        self.config = directory / "config.toml"
        self.config.write_text(
            f"""
[bot]
locale = "en"
admins = ["matrix:@admin:test"]
data_dir = "{directory / "data"}"

[database]
url = "{self.database_url}"

[matrix]
homeserver = "{synapse.url}"
user_id = "{self.user_id}"
store_dir = "{directory / "store"}"
invite_allowlist_servers = ["{synapse.server_name}"]
sync_timeout_ms = 2000
{extra_matrix}
""",
            encoding="utf-8",
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = dict(os.environ)
        env["PSP_BOT_MATRIX_PASSWORD"] = self._password
        env["PSP_BOT_MATRIX_PICKLE_KEY"] = PICKLE_KEY
        if self.database_url.startswith("postgresql"):  # case text sealed, as in production
            env["PSP_BOT_ENCRYPTION_KEY"] = "k1:" + base64.b64encode(b"\7" * 32).decode()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "--config", str(self.config), "run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(self.directory / "bot.log").open("ab"),
        )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None

    def terminate(self) -> int:
        """SIGTERM, as systemd, Docker and Kubernetes stop a service; the exit code."""
        assert self.process is not None
        self.process.terminate()
        code = self.process.wait(timeout=60)
        self.process = None
        return code

    def log(self) -> str:
        return (self.directory / "bot.log").read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


@pytest.fixture
def bot_process(synapse: Synapse, tmp_path: Path) -> Iterator[BotProcess]:
    bot = BotProcess(synapse, tmp_path / "procbot")
    yield bot
    bot.stop()
    # Shown by pytest only when the test failed.
    print((bot.directory / "bot.log").read_text(encoding="utf-8")[-5000:])


async def group_room_with_anna(bot: str, users: dict[str, MatrixUser], group: str) -> str:
    """A new encrypted room of `admin` with the bot and anna, bound to a new group in which
    anna is the police representative."""
    admin, anna = users["admin"], users["anna"]
    room = await admin.create_room(encrypted=True, invite=[bot, anna.user_id])
    await anna.join(room)
    await admin.wait_joined(room, bot, wait_s=60)
    await anna.wait_joined(room, bot)
    assert group in (await admin.ask(bot, room, f"!psp group setup {group}", wait_s=60)).body
    await admin.ask(bot, room, f"!psp member add {anna.user_id} police rep")
    return room


def answers_to(user: MatrixUser, bot_id: str, summary: str) -> int:
    return sum(1 for n in user.notices if n.sender == bot_id and summary in n.body)


async def test_sigkill_mid_conversation_answers_everything_once(
    bot_process: BotProcess, users: dict[str, MatrixUser]
) -> None:
    anna = users["anna"]
    bot = bot_process.user_id
    bot_process.start()
    room = await group_room_with_anna(bot, users, "Nordby")
    await anna.ask(bot, room, "!psp flag normal first-before-crash")

    await anna.say(room, "!psp flag normal second-in-flight")
    bot_process.kill()
    await anna.say(room, "!psp flag normal third-while-down")
    await anna.say(room, "!psp flag normal fourth-while-down")
    bot_process.start()

    for summary in ("second-in-flight", "third-while-down", "fourth-while-down"):
        await anna.wait_notice(lambda n, s=summary: n.sender == bot and s in n.body, wait_s=60)
    # A command after the restart is answered after everything from before it: a barrier.
    await anna.ask(bot, room, "!psp help")
    for summary in ("first-before-crash", "second-in-flight", "third-while-down"):
        assert answers_to(anna, bot, summary) == 1, summary
    assert answers_to(anna, bot, "fourth-while-down") == 1
    assert await count_cases(bot_process.database_url) == 4


async def test_sigterm_exits_0_and_pending_replies_arrive_after_the_restart(
    synapse: Synapse, tmp_path: Path, users: dict[str, MatrixUser]
) -> None:
    # One attempt per send: a rate-limited reply is parked at once, pending delivery.
    bot_process = BotProcess(synapse, tmp_path / "termbot", extra_matrix="max_send_attempts = 1")
    anna = users["anna"]
    bot = bot_process.user_id
    bot_process.start()
    try:
        room = await group_room_with_anna(bot, users, "Term")
        await throttle(synapse, tmp_path, bot)  # one message a second from now on
        summaries = [f"pending-at-sigterm-{i}" for i in range(4)]
        for summary in summaries:
            await anna.say(room, f"!psp flag normal {summary}")
        for _ in range(600):  # until all four are committed and a reply was refused
            if "M_LIMIT_EXCEEDED" in bot_process.log() and await count_cases(
                bot_process.database_url
            ) == len(summaries):
                break
            await asyncio.sleep(0.1)
        assert bot_process.terminate() == 0

        # The homeserver is not busy any more: what was pending at the SIGTERM goes out at
        # once after the restart, instead of a reply a second.
        await throttle(synapse, tmp_path, bot, lift=True)
        bot_process.start()
        for summary in summaries:
            await anna.wait_notice(lambda n, s=summary: n.sender == bot and s in n.body, wait_s=90)
        await anna.ask(bot, room, "!psp help", wait_s=60)  # a barrier after the backlog
        for summary in summaries:
            assert answers_to(anna, bot, summary) == 1, summary
    finally:
        bot_process.stop()
        print(bot_process.log()[-5000:])


@pytest.mark.people("admin")
async def test_a_retried_send_posts_one_message(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    admin = users["admin"]
    async with bot_in_room(synapse, tmp_path, bot_engine, admin, "pspbot") as (bot, room):
        assert bot.service.client is not None
        while room not in bot.service.client.rooms:
            await asyncio.wait_for(bot.service.synced.wait(), 30)
        reply = Reply(
            room=RoomRef(Platform.MATRIX, room),
            text="retried update",
            kind=ReplyKind.UPDATE,
            message_key="update:PSP-2026-0001:3",
        )
        assert bot.service.sender is not None
        message = Outgoing(reply, idempotency_key="0123456789abcdef")
        first = await bot.service.sender.send(message)
        second = await bot.service.sender.send(message)  # as after a timeout or a crash
        assert isinstance(first, Sent) and first == second
        await admin.wait_notice(lambda n: n.body == "retried update")
        await admin.ask(bot.user_id, room, "!psp help")
        assert sum(n.body == "retried update" for n in admin.notices) == 1


@pytest.mark.people("admin")
async def test_replies_parked_by_a_crash_are_delivered_after_restart(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    admin = users["admin"]
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot")
    room = await admin.create_room(encrypted=True, invite=[bot.user_id])
    await admin.wait_joined(room, bot.user_id)
    await bot.stop()
    # What a crash between the core's commit and the delivery leaves behind.
    parked = Reply(
        room=RoomRef(Platform.MATRIX, room),
        text="answer that was not yet sent",
        in_reply_to="$command-event",
    )
    router = bot.service.router
    async with router.uow_factory() as uow:
        await uow.outbox.add([parked], at=router.clock.now())
        await uow.commit()
    again = await start_bot(synapse, tmp_path, bot_engine, "pspbot")
    try:
        await admin.wait_notice(lambda n: n.body == "answer that was not yet sent")
        await admin.ask(again.user_id, room, "!psp help")
        assert sum(n.body == "answer that was not yet sent" for n in admin.notices) == 1
    finally:
        await again.stop()


@pytest.mark.people("admin")
async def test_bot_recovers_when_the_homeserver_restarts(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    admin = users["admin"]
    async with bot_in_room(synapse, tmp_path, bot_engine, admin, "pspbot") as (bot, room):
        assert (await admin.ask(bot.user_id, room, "!psp help")).body
        synapse.stop()
        await asyncio.sleep(1)  # the bot's sync fails meanwhile (and while Synapse starts)
        synapse.start()
        answer = await admin.ask(bot.user_id, room, "!psp group setup Afterwards", wait_s=90)
        assert "Afterwards" in answer.body
        assert not bot.task.done()  # recovered by itself, no restart


async def throttle(synapse: Synapse, tmp_path: Path, user_id: str, *, lift: bool = False) -> None:
    """Synapse's per-user override: one message per second for this user from now on (or,
    with `lift`, back to the homeserver's own limits)."""
    _id, _pw, token = synapse.register("ratelimit-admin", admin=True)
    overrider = MatrixUser(synapse, "ratelimit-admin", tmp_path / "rl", cross_sign=False)
    overrider.client = AsyncClient(synapse.url, _id)
    overrider.client.access_token = token
    path = f"/_synapse/admin/v1/users/{user_id}/override_ratelimit"
    if lift:
        status, _ = await overrider.api("DELETE", path)
    else:
        status, _ = await overrider.api("POST", path, {"messages_per_second": 1, "burst_count": 1})
    await overrider.client.close()
    assert status == 200


@pytest.mark.people("admin")
async def test_rate_limited_replies_wait_as_asked_and_all_arrive_once(
    synapse: Synapse,
    tmp_path: Path,
    bot_engine: AsyncEngine,
    users: dict[str, MatrixUser],
    caplog: pytest.LogCaptureFixture,
) -> None:
    admin = users["admin"]
    async with bot_in_room(
        synapse, tmp_path, bot_engine, admin, "slowbot", max_send_attempts=2
    ) as (bot, room):
        await admin.ask(bot.user_id, room, "!psp help")
        await throttle(synapse, tmp_path, bot.user_id)
        mark = len(admin.notices)
        sent = [await admin.say(room, f"!psp member list {i}") for i in range(4)]
        for event_id in sent:
            await admin.wait_notice(
                lambda n, e=event_id: (
                    n.source["content"]
                    .get("m.relates_to", {})
                    .get("m.in_reply_to", {})
                    .get("event_id")
                    == e
                ),
                after=mark,
                wait_s=60,
            )
        assert len([n for n in admin.notices[mark:] if n.sender == bot.user_id]) == 4
        assert any("429" in r.getMessage() for r in caplog.records)


@pytest.mark.people("admin")
async def test_a_long_backlog_after_downtime_is_answered_completely_and_once(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    admin = users["admin"]
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot")
    room = await admin.create_room(encrypted=True, invite=[bot.user_id])
    await admin.wait_joined(room, bot.user_id)
    await admin.ask(bot.user_id, room, "!psp help")
    await bot.stop()
    # More than one sync page (50 events): the bot must page back through the gap.
    sent = [await admin.say(room, f"!psp help flag {i}") for i in range(70)]
    again = await start_bot(synapse, tmp_path, bot_engine, "pspbot")
    try:
        answered = lambda: {  # noqa: E731
            n.source["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
            for n in admin.notices
            if n.sender == again.user_id
        }
        await admin.wait_notice(lambda n: sent[-1] in str(n.source), wait_s=120)
        await admin.ask(again.user_id, room, "!psp help")  # a barrier after the backlog
        assert set(sent) <= answered()
        replies = [n for n in admin.notices if n.sender == again.user_id]
        targets = [
            n.source["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] for n in replies
        ]
        assert len(targets) == len(set(targets))  # nothing answered twice
    finally:
        await again.stop()


@pytest.mark.people("admin")
async def test_replies_refused_by_the_rate_limit_wait_in_the_outbox_and_arrive_later(
    synapse: Synapse,
    tmp_path: Path,
    bot_engine: AsyncEngine,
    users: dict[str, MatrixUser],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # One attempt per send: a 429 leaves the reply in the outbox for a later retry.
    admin = users["admin"]
    async with bot_in_room(
        synapse, tmp_path, bot_engine, admin, "hastybot", max_send_attempts=1
    ) as (bot, room):
        await admin.ask(bot.user_id, room, "!psp help")
        await throttle(synapse, tmp_path, bot.user_id)
        mark = len(admin.notices)
        sent = [await admin.say(room, f"!psp help flag {i}") for i in range(4)]
        for event_id in sent:
            await admin.wait_notice(lambda n, e=event_id: e in str(n.source), after=mark, wait_s=90)
        replies = [n for n in admin.notices[mark:] if n.sender == bot.user_id]
        assert len(replies) == 4
        assert any("retry in" in r.getMessage() for r in caplog.records)


@pytest.mark.people("admin")
async def test_a_command_survives_a_short_database_outage(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    admin = users["admin"]
    async with bot_in_room(synapse, tmp_path, bot_engine, admin, "pspbot") as (bot, room):
        await admin.ask(bot.user_id, room, "!psp help")
        router = bot.service.router
        real_process = router.process
        failures = [OSError("database unreachable")] * 2

        async def flaky_process(incoming: object, **kwargs: object) -> object:
            if failures:
                raise failures.pop()
            return await real_process(incoming, **kwargs)  # type: ignore[arg-type]

        router.process = flaky_process  # type: ignore[method-assign]
        answer = await admin.ask(bot.user_id, room, "!psp group setup Resilient", wait_s=60)
        assert "Resilient" in answer.body
        assert not failures
