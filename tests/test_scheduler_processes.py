"""Several bot processes on one PostgreSQL database: each reminder goes out exactly once, one
process leads the scheduled work, and another takes over when the leader is killed. Plus the
real APScheduler wiring, on the real clock for a few seconds (a clock set just before the
reminder is due, so the wait is short)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.demo import ensure_demo_group
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.service import SchedulerService
from bot.scheduling.tick import SchedulerTick
from bot.scheduling.timing import WorkingHours
from storage.engine import make_engine
from storage.leader import PostgresAdvisoryLeader, SingleProcessLeader
from storage.migrate import upgrade
from tests.conftest import build_harness

ROOT = Path(__file__).resolve().parents[1]
MEETING = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


async def test_two_processes_send_each_reminder_exactly_once(pg_database: str) -> None:
    clock = FakeClock()
    engines = [make_engine(pg_database), make_engine(pg_database)]
    try:
        harness = build_harness(engines[0], clock)
        await ensure_demo_group(harness.uow_factory, clock)
        await harness.text("erik", "meeting schedule 2026-12-01 09:00 --every week")
        await harness.text("anna", "flag acute threatens neighbours")
        # One bot process per engine, each with its own delivery worker and chat sender.
        processes = [harness, build_harness(engines[1], clock)]
        ticks = [
            SchedulerTick(
                uow_factory=process.uow_factory,
                clock=clock,
                config=SchedulerConfig(),
                deliver=process.router.delivery.deliver_rooms,
                locale="en",
            )
            for process in processes
        ]
        # Both processes wake at every due instant (and twice more) and race for the work.
        end = MEETING + timedelta(days=7)
        while clock.now() < end:
            for _ in range(3):
                reports = await asyncio.gather(*(t.run() for t in ticks))
            wakes = [r.next_wake for r in reports if r.next_wake is not None]
            clock.set(max(min(wakes), clock.now() + timedelta(seconds=1)) if wakes else end)
        texts = [r.text for process in processes for r in process.sent]
        reminders = [t for t in texts if "Reminder: meeting no. 1" in t]
        # Two occurrences in the window (1 and 8 December), three reminders each.
        assert len(reminders) == 6 and len(set(reminders)) == 6
        assert len([t for t in texts if "⏰" in t]) == 4  # two agencies, two steps
    finally:
        for engine in engines:
            await engine.dispose()


async def test_only_one_process_leads(pg_database: str) -> None:
    engines = [make_engine(pg_database), make_engine(pg_database)]
    leaders = [PostgresAdvisoryLeader(e) for e in engines]
    try:
        assert await leaders[0].acquire() is True
        assert await leaders[1].acquire() is False
        assert await leaders[0].acquire() is True  # still leading
        await leaders[0].release()
        assert await leaders[1].acquire() is True
    finally:
        for leader in leaders:
            await leader.release()
        for engine in engines:
            await engine.dispose()


LEADER_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from storage.engine import make_engine
    from storage.leader import PostgresAdvisoryLeader

    async def main() -> None:
        leader = PostgresAdvisoryLeader(make_engine(sys.argv[1]))
        assert await leader.acquire()
        print("leading", flush=True)
        await asyncio.Event().wait()  # until killed

    asyncio.run(main())
    """
)


async def test_another_process_takes_over_when_the_leader_is_killed(pg_database: str) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LEADER_SCRIPT,
        pg_database,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    engine = make_engine(pg_database)
    leader = PostgresAdvisoryLeader(engine)
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), timeout=60)
        assert line.strip() == b"leading"
        assert await leader.acquire() is False
        child.send_signal(signal.SIGKILL)
        await child.wait()
        # The service tries every tick; the requirement is a takeover within 30 seconds.
        deadline = time.monotonic() + 30
        took_over = False
        while time.monotonic() < deadline and not took_over:
            took_over = await leader.acquire()
            if not took_over:
                await asyncio.sleep(0.2)
        assert took_over
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
        await leader.release()
        await engine.dispose()


class ShiftedClock:
    """The real clock, running at real speed, set to another instant."""

    def __init__(self, now: datetime) -> None:
        self._offset = now - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


async def test_the_service_wakes_on_the_real_clock_and_sends_a_reminder(tmp_path: Path) -> None:
    """APScheduler really runs on the real clock: a reminder due half a second after the
    service starts arrives, once, and a few ticks later it is still the only one."""
    engine = make_engine(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    await upgrade(engine)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    # Half a second before the meeting's 1-minute reminder is due.
    clock = ShiftedClock(start - timedelta(minutes=1, seconds=0.5))
    harness = build_harness(engine, FakeClock(clock.now()))
    harness.router._clock = clock  # type: ignore[assignment]
    harness.core._clock = clock  # type: ignore[assignment]
    harness.router.delivery._clock = clock  # type: ignore[assignment]
    await ensure_demo_group(harness.uow_factory, clock)
    await harness.text("erik", f"meeting schedule {start:%Y-%m-%d %H:%M} --remind 1m")
    service = SchedulerService.build(
        uow_factory=harness.uow_factory,
        clock=clock,
        deliver=harness.router.delivery.deliver_rooms,
        leader=SingleProcessLeader(),
        config=SchedulerConfig(tick_seconds=1, hours=WorkingHours(days=frozenset())),
        locale="en",
    )
    task = asyncio.create_task(service.run())
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any("Reminder: meeting no. 1" in r.text for r in harness.sent):
                break
            await asyncio.sleep(0.1)
        # A few more ticks: still exactly one.
        reports: list[object] = []
        while time.monotonic() < deadline and len(reports) < 3:
            if not reports or service.last_report is not reports[-1]:
                reports.append(service.last_report)
            await asyncio.sleep(0.1)
        reminders = [r for r in harness.sent if "Reminder: meeting no. 1" in r.text]
        assert len(reminders) == 1 and "[late]" not in reminders[0].text
        assert service.is_leader
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await engine.dispose()
