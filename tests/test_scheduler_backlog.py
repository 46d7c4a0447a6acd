"""A scheduler that cannot fall behind: 2,000 escalations fall due at once, with meeting
reminders. Each tick works for its budget only, reminders first, acute escalations before
urgent ones; the backlog drains over the following ticks, none lost, none sent twice.

The tick's budget runs on a clock of its own that advances a fixed step each time it is
read, so how much a tick does is the same on every machine. What a tick sends is read from
the outbox, in the order it was written (the order each room gets it; the delivery worker
is tested on its own). On the in-memory fakes."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.demo import ensure_demo_group
from bot.domain import Agency, CaseId, MemberId, Platform, Urgency
from bot.messages import RoomRef
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.service import SchedulerService
from bot.scheduling.tick import SchedulerTick, TickReport
from tests.conftest import Harness, build_harness
from tests.fakes import FakeUnitOfWorkFactory

pytestmark = pytest.mark.unit

# Monday 23 November 2026, 10:00 in Copenhagen.
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ACUTE = 1_000  # two agencies each not acknowledged: 2,000 escalations
URGENT = 20
STEP = 0.01  # seconds of budget each look at the work clock costs


class WorkClock:
    """A monotonic clock that moves STEP each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += STEP
        return self.now


async def flagged(h: Harness, count: int, urgency: Urgency, at: datetime) -> list[str]:
    """`count` cases flagged by the police at `at`, acknowledged by nobody else."""
    refs = []
    async with h.uow_factory() as uow:
        group = await uow.groups.get_by_name("Demo")
        assert group is not None
        anna = await uow.members.find(group.id, Platform.CONSOLE, "anna")
        assert anna is not None
        for number in range(count):
            ref = f"PSP-2026-{urgency.value[0].upper()}{number:04d}"
            case = await uow.cases.add(
                group_id=group.id,
                ref=ref,
                urgency=urgency,
                summary=f"citizen {number}",
                tags=(),
                flagged_by=MemberId(anna.id),
                flagging_agency=Agency.POLICE,
                at=at,
            )
            await uow.cases.add_acknowledgement(
                CaseId(case.id), agency=Agency.POLICE, member_id=anna.id, at=at
            )
            refs.append(ref)
        await uow.commit()
    return refs


async def hand_over(rooms: Iterable[RoomRef]) -> None:
    """The delivery worker's part; here the outbox rows are what the test reads."""


def kind(text: str) -> str:
    if "Reminder: meeting" in text:
        return "reminder"
    if "⏰" in text:
        return "escalation"
    return "other"


async def test_reminders_first_and_the_backlog_drains_none_lost_none_twice() -> None:
    factory = FakeUnitOfWorkFactory()
    h = build_harness(None, FakeClock(START - timedelta(minutes=20)), uow_factory=factory)
    await ensure_demo_group(h.uow_factory, h.clock)
    # A meeting whose 1-hour reminder is due at START, another's a minute later.
    await h.text("erik", "meeting schedule 2026-11-23 11:00 --remind 1h")
    await h.text("erik", "meeting schedule 2026-11-23 11:01 --remind 1h")
    # Urgent cases whose first step (4 h) fell due ten minutes ago; acute ones whose first
    # step (15 min) fell due a minute ago.
    urgent = await flagged(h, URGENT, Urgency.URGENT, START - timedelta(hours=4, minutes=10))
    acute = await flagged(h, ACUTE, Urgency.ACUTE, START - timedelta(minutes=16))
    h.clock.set(START)
    tick = SchedulerTick(
        uow_factory=h.uow_factory,
        clock=h.clock,
        config=SchedulerConfig(),
        deliver=hand_over,
        locale="en",
        monotonic=WorkClock(),
    )
    outbox = factory.database.tables.outbox
    written = max(outbox, default=0)  # the meeting commands' answers
    ticks: list[tuple[TickReport, list[str]]] = []
    for _ in range(100):
        report = await tick.run()
        outbox = factory.database.tables.outbox
        ticks.append((report, [outbox[i].entry.reply.text for i in sorted(outbox) if i > written]))
        written = max(outbox)
        if not report.backlog:
            break
        h.clock.advance(timedelta(seconds=10))  # the next tick, once this one is done
    assert not ticks[-1][0].backlog
    # The work took several ticks, each one within its budget (1 s: about 100 looks).
    assert len(ticks) >= 5
    # The first reminder is the first post of the first tick; the second, due a minute on,
    # is the first post of the tick that finds it due, in the middle of the backlog.
    first_tick = ticks[0][1]
    assert kind(first_tick[0]) == "reminder" and "no. 1" in first_tick[0]
    assert all(kind(t) == "escalation" for t in first_tick[1:])
    later = next(i for i, (_r, texts) in enumerate(ticks) if any("no. 2" in t for t in texts))
    assert 0 < later < len(ticks) - 1
    assert "no. 2" in ticks[later][1][0] and "[late]" not in ticks[later][1][0]
    # Every acute escalation before any urgent one.
    posts = [t for _r, texts in ticks for t in texts if kind(t) == "escalation"]
    first_urgent = next(i for i, t in enumerate(posts) if "-U" in t)
    assert all("-A" in t for t in posts[:first_urgent])
    assert all("-U" in t for t in posts[first_urgent:])
    # Each case's two agencies told exactly once: none lost, none doubled.
    told = Counter(
        (ref, agency)
        for t in posts
        for ref in [t.split("PSP-2026-", 1)[1][:5]]
        for agency in ("social services", "psychiatry")
        if f"): {agency} has" in t
    )
    assert len(posts) == 2 * (ACUTE + URGENT)
    assert set(told.values()) == {1}
    assert {r[9:] for r in acute + urgent} == {ref for ref, _a in told}
    # Nothing more is due: another tick sends nothing.
    assert (await tick.run()).sent == 0
    assert max(factory.database.tables.outbox) == written


class Leader:
    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class SlowTicks:
    """Stands in for SchedulerTick in the service: `behind` ticks that leave a backlog, each
    taking a while, then ticks with nothing left; it counts how many run at once."""

    def __init__(self, behind: int) -> None:
        self.behind = behind
        self.runs = 0
        self.running = 0
        self.most_at_once = 0
        self.caught_up = asyncio.Event()

    async def run(self) -> TickReport:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await asyncio.sleep(0.01)
            self.runs += 1
            if self.runs > self.behind:
                self.caught_up.set()
            return TickReport(backlog=self.runs <= self.behind)
        finally:
            self.running -= 1


async def test_the_service_runs_the_next_tick_at_once_while_behind_never_two_at_once() -> None:
    ticks = SlowTicks(behind=20)
    clock = FakeClock(START)
    service = SchedulerService(
        tick=ticks,  # type: ignore[arg-type]
        leader=Leader(),
        clock=clock,
        config=SchedulerConfig(tick_seconds=60),
    )
    task = asyncio.create_task(service.run())
    try:
        async with asyncio.timeout(20):
            await ticks.caught_up.wait()
        # 21 ticks one after the other, long before the next regular tick (60 s): the
        # backlog does not wait for the interval, and no two ticks ran at once.
        assert ticks.most_at_once == 1
        assert not service.behind
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
