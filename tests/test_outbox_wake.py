"""Rows another process writes to the outbox (the `purge` CLI, `psp-bot outbox retry`, a
second bot process) are sent at once, not at the worker's next timer (up to a minute): on
PostgreSQL by LISTEN/NOTIFY on the outbox's triggers, on SQLite by a quarter-second poll of
`PRAGMA data_version`. Measured here: the time from the other process's commit to delivery."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FakeClock
from bot.demo import ensure_demo_group
from bot.domain import Platform
from bot.messages import Reply, RoomRef
from bot.ports.delivery import Dropped
from bot.ports.outbox import OutboxStatus
from storage.engine import make_engine
from storage.outbox_wake import OutboxWake
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.conftest import Harness, build_harness
from tests.delivery_support import FlakySender, bind_rooms, outbox

ROOM = RoomRef(Platform.MATRIX, "!elsewhere:test")


@contextlib.asynccontextmanager
async def running_bot(harness: Harness) -> AsyncIterator[FlakySender]:
    """The harness's worker running as in `psp-bot run`, with the wake service beside it."""
    assert harness.engine is not None
    sender = FlakySender()
    harness.router.attach(Platform.MATRIX, sender)
    wake = OutboxWake(harness.engine, harness.router.delivery.wake)
    tasks = [
        asyncio.create_task(harness.router.delivery.run()),
        asyncio.create_task(wake.run()),
    ]
    try:
        async with asyncio.timeout(10):
            await wake.listening.wait()
            while harness.router.delivery._wake.is_set():  # noqa: ASYNC110 (first pass done)
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # and it waits on its (60 s) timer now
        yield sender
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def until(condition: object, limit: float = 10.0) -> float:
    """Seconds until `condition()` holds (failing after `limit`: far below the 60 s timer)."""
    started = time.monotonic()
    async with asyncio.timeout(limit):
        while not condition():  # type: ignore[operator]  # noqa: ASYNC110 (a sender's list)
            await asyncio.sleep(0.005)
    return time.monotonic() - started


async def test_a_row_written_by_another_process_is_sent_at_once(
    harness: Harness, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other: AsyncEngine = make_engine(database_url)  # another process's connections
    try:
        async with running_bot(harness) as sender:
            delays = []
            for n in range(3):
                async with SqlAlchemyUnitOfWorkFactory(other)() as uow:
                    await uow.outbox.add([Reply(ROOM, f"from the CLI {n}")], at=harness.clock.now())
                    await uow.commit()
                delays.append(await until(lambda n=n: len(sender.delivered) == n + 1))
            assert [r.text for r in sender.delivered] == [f"from the CLI {n}" for n in range(3)]

            # A dropped row made pending again by `psp-bot outbox retry` elsewhere.
            sender.refuse_always(ROOM.room_id, Dropped(reason="M_FORBIDDEN"))
            async with SqlAlchemyUnitOfWorkFactory(other)() as uow:
                await uow.outbox.add([Reply(ROOM, "refused at first")], at=harness.clock.now())
                await uow.commit()
            await until(lambda: len(sender.attempts) == 4)
            (dropped,) = await outbox(harness, OutboxStatus.DROPPED)
            sender.recover(ROOM.room_id)
            async with SqlAlchemyUnitOfWorkFactory(other)() as uow:
                assert await uow.outbox.requeue(ids=[dropped.id], now=harness.clock.now()) == 1
                await uow.commit()
            delays.append(await until(lambda: len(sender.delivered) == 4))
            assert sender.delivered[-1].text == "refused at first"
    finally:
        await other.dispose()
    with capsys.disabled():
        dialect = database_url.split(":")[0]
        print(
            f"\n  cross-process wake on {dialect}: "
            + ", ".join(f"{d * 1000:.0f} ms" for d in delays)
        )


async def test_the_bots_own_commands_do_not_wake_its_worker_again(
    pg_database: str, clock: FakeClock
) -> None:
    """A command's replies go out in the command's own task; the notification its rows
    raise must not send the worker over the outbox once more. Another process's rows still
    wake it. Notifications arrive in commit order, so once the other process's has, the
    command's own would have too."""
    engine = make_engine(pg_database)
    wakes: list[str] = []
    wake = OutboxWake(engine, lambda: wakes.append("woken"))
    other: AsyncEngine = make_engine(pg_database)
    task = asyncio.create_task(wake.run())
    try:
        harness = build_harness(engine, clock)
        await ensure_demo_group(harness.uow_factory, clock)
        async with asyncio.timeout(10):
            await wake.listening.wait()
        wakes.clear()  # the wake-up of whatever was written before it listened
        for n in range(3):
            assert await harness.say("anna", f"flag urgent Borger {n} har brug for hjælp")
        async with SqlAlchemyUnitOfWorkFactory(other)() as uow:
            await uow.outbox.add([Reply(ROOM, "from the CLI")], at=clock.now())
            await uow.commit()
        await until(lambda: wakes)
        assert wakes == ["woken"]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await other.dispose()
        await engine.dispose()


async def test_a_commands_replies_notify_nobody_and_rows_nobody_claimed_do(
    pg_database: str, clock: FakeClock
) -> None:
    """A NOTIFY makes its commit wait for a lock of the whole server, held through the WAL
    flush: a command's replies, which its own process claims as it writes them, notify
    nobody; a row written unclaimed (the CLI's) does."""
    import asyncpg

    heard: list[int] = []
    listener = await asyncpg.connect(pg_database.replace("postgresql://", "postgres://"))
    await listener.add_listener("psp_outbox", lambda _c, pid, _ch, _p: heard.append(pid))
    engine = make_engine(pg_database)
    other: AsyncEngine = make_engine(pg_database)
    try:
        harness = build_harness(engine, clock)
        await ensure_demo_group(harness.uow_factory, clock)
        await bind_rooms(harness, ROOM.room_id)  # the alert goes to a second room too
        heard.clear()
        for n in range(3):
            assert "PSP-" in await harness.text("anna", f"flag urgent Borger {n} #housing")
        assert len(await outbox(harness, OutboxStatus.DELIVERED)) == 6
        async with SqlAlchemyUnitOfWorkFactory(other)() as uow:
            await uow.outbox.add([Reply(ROOM, "from the CLI")], at=clock.now())
            await uow.commit()
        await until(lambda: heard)
        await asyncio.sleep(0.05)
        assert len(heard) == 1  # in commit order: the flags' would have come first
    finally:
        await listener.close()
        await other.dispose()
        await engine.dispose()


async def test_replies_for_a_platform_another_process_serves_are_sent_by_it_at_once(
    pg_database: str, clock: FakeClock
) -> None:
    """Two processes: this one serves Matrix, the other only Slack and the console (the
    Matrix device held here). A command the other serves, whose alert goes to the group's
    Matrix room, leaves that row to this process: given back untried, which wakes it."""
    engine = make_engine(pg_database)
    other: AsyncEngine = make_engine(pg_database)
    try:
        harness = build_harness(engine, clock)
        await ensure_demo_group(harness.uow_factory, clock)
        await bind_rooms(harness, ROOM.room_id)
        elsewhere = build_harness(other, clock)
        elsewhere.router.detach(Platform.MATRIX)
        async with running_bot(harness) as sender:
            answer = await elsewhere.text("anna", "flag urgent Borger har brug for hjælp")
            assert "PSP-" in answer
            await until(lambda: len(sender.delivered) == 1, limit=5)
            assert sender.delivered[0].room == ROOM and "PSP-" in sender.delivered[0].text
    finally:
        await other.dispose()
        await engine.dispose()
