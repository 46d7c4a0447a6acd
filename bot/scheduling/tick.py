"""One tick of scheduled work: find what is due at the clock's now, send each item exactly
once, and remember when the next item will be due.

Exactly once: in one transaction, claim the item's key in the ledger (unique key; a second
process or a restart that finds it claimed or sent leaves it alone), build its message and
write one outbox row per room. After the commit the rows are handed to the delivery worker
(bot/delivery), which marks the key sent once every row of it is settled: delivered, or
dropped by a room that refuses for good (those stay visible in `psp-bot outbox`, and the
notice is not built again: the rooms that got it must not get it twice). A platform that is
away only delays the rows; the key stays claimed, and is never taken over as stale while
its rows wait. A claim without rows (written by an older psp-bot that crashed mid-send) is
taken over once stale and sent again, marked late.

A tick is time-boxed (`tick_budget_seconds`) and works in order of priority: meeting
reminders, then escalations (acute before urgent, the longest due first), then the yearly
reports and the daily follow-ups. What the budget leaves undone stays due in the database
(a meeting's next due instant and a case's watch are only moved on once handled) and the
tick says so (`TickReport.backlog`): the service runs the next tick at once, and that tick
starts again with the reminders. 2,000 escalations falling due together thus drain over a
few ticks while a reminder that falls due meanwhile waits at most one budget.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from bot.domain import CaseId, GroupId, Urgency
from bot.evaluation.yearly import YEARLY, due_yearly, next_yearly, yearly_key
from bot.messages import RoomRef
from bot.ports import Clock, ConcurrentUpdateError, NotificationKey, UnitOfWorkFactory
from bot.scheduling import planner as p
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.notices import build_notice

log = logging.getLogger(__name__)
_Item = TypeVar("_Item")

# Sends what is due in these rooms now (DeliveryWorker.deliver_rooms).
Deliver = Callable[[Iterable[RoomRef]], Awaitable[None]]
# Daily follow-ups sent per tick: 500 groups' reports spread over a couple of minutes rather
# than one long tick that would hold back reminders due meanwhile.
FOLLOWUP_BATCH = 10


@dataclass
class TickReport:
    """What one tick did; counts only (logs and metrics carry no case text)."""

    sent: int = 0
    skipped: int = 0
    silent: int = 0  # due, but nothing to say any more (acknowledged, cancelled)
    lost_race: int = 0  # another process had it
    discovered: int = 0
    # Time spent claiming, building and handing over messages; the rest of a tick is
    # finding out what is due.
    sending_seconds: float = 0.0
    # The budget ran out with work still due: run the next tick at once.
    backlog: bool = False
    next_wake: datetime | None = None
    sent_keys: list[NotificationKey] = field(default_factory=list)


class Budget:
    """The working time one tick has, on a monotonic clock of its own (the scheduler's clock
    says what is due; this one how long the work takes). A part of a tick that starts does
    at least its first item, so every tick makes progress."""

    def __init__(self, seconds: float, monotonic: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self._ends = monotonic() + seconds
        self.exhausted = False

    def left(self) -> bool:
        if not self.exhausted and self._monotonic() >= self._ends:
            self.exhausted = True
        return not self.exhausted


class SchedulerTick:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        config: SchedulerConfig,
        deliver: Deliver,
        locale: str,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._config = config
        self._deliver = deliver
        self._locale = locale
        self._monotonic = monotonic
        self._discovered_through: datetime | None = None
        self._followups_done: set[NotificationKey] = set()
        self._next_meeting: dict[int, datetime | None] = {}
        self._next_watch: dict[CaseId, datetime | None] = {}

    async def run(self) -> TickReport:
        report = TickReport()
        now = self._clock.now()
        budget = Budget(self._config.tick_budget_seconds, self._monotonic)
        try:
            await self._recover(now, report)
            await self._discover(now, report)
            # In order of priority; each part stops when the budget is spent.
            await self._meetings(now, report, budget)
            await self._escalations(now, report, budget)
            await self._yearly_reports(now, report, budget)
            zones = await self._followups(now, report, budget)
        finally:
            # Also when the tick fails half-way, so that its progress is kept.
            await self._save_progress()
        report.backlog = budget.exhausted
        report.next_wake = now if report.backlog else await self.next_wake(now, zones)
        return report

    async def _save_progress(self) -> None:
        """One transaction for the tick's bookkeeping: when each meeting and watched case is
        next due. (Lost with a crash, it is only redone: the keys in the ledger stop anything
        from going out twice.)"""
        if not (self._next_meeting or self._next_watch):
            return
        meetings, self._next_meeting = self._next_meeting, {}
        watches, self._next_watch = self._next_watch, {}
        async with self._uow_factory() as uow:
            for meeting_id, next_due in meetings.items():
                await uow.meetings.set_next_due(meeting_id, next_due)
            for case_id, next_at in watches.items():
                await uow.followup.set_watch(case_id, next_at)
            await uow.commit()

    # --- the parts of a tick --------------------------------------------------------------

    async def _recover(self, now: datetime, report: TickReport) -> None:
        """Sends whose sender died between claim and confirmation are sent again."""
        before = now - timedelta(seconds=self._config.stale_claim_seconds)
        async with self._uow_factory() as uow:
            stale = await uow.ledger.stale_claims(before, limit=self._config.batch)
            # A claim whose outbox rows still wait is not stale: the platform is away.
            stale = [k for k in stale if await uow.outbox.ledger_settled(k.encode())]
        for key in stale:
            log.warning("resending a %s whose send was never confirmed", key.kind)
            await self._send(p.Due(key, GroupId(0), now, late=True), now, report)

    async def _discover(self, now: datetime, report: TickReport) -> None:
        if self._discovered_through is None:
            # First tick of this process: look back over everything that can still escalate.
            horizon = max(
                self._config.acute.to_deputies + self._config.acute.to_lead,
                self._config.urgent.to_deputies + self._config.urgent.to_lead,
            )
            since = now - timedelta(seconds=horizon) - timedelta(days=3)
        else:
            # A margin for transactions that committed after a later one (ids and times are
            # taken before commit).
            since = self._discovered_through - timedelta(minutes=5)
        try:
            async with self._uow_factory() as uow:
                report.discovered = await uow.followup.discover_cases(
                    since,
                    first_steps={
                        Urgency.ACUTE: timedelta(seconds=self._config.acute.to_deputies),
                        Urgency.URGENT: timedelta(seconds=self._config.urgent.to_deputies),
                    },
                )
                await uow.commit()
        except ConcurrentUpdateError:
            # Another process (a leader changing hands) watched the same case first; the
            # next tick looks again over the same window.
            return
        self._discovered_through = now

    async def _meetings(self, now: datetime, report: TickReport, budget: Budget) -> None:
        async with self._uow_factory() as uow:
            meetings = await uow.meetings.due(now, limit=self._config.batch)
            known = await uow.ledger.known(p.REMINDER, [str(m.id) for m in meetings])
        for meeting in _while(budget, meetings):
            plan = p.plan_meeting(
                meeting, now=now, known=known, config=self._config, since=meeting.next_due_at
            )
            await self._carry_out(plan, now, report)
            self._next_meeting[meeting.id] = plan.next_at

    async def _escalations(self, now: datetime, report: TickReport, budget: Budget) -> None:
        if not budget.left():
            return
        async with self._uow_factory() as uow:
            # Acute cases first, then urgent ones; the longest due first within each.
            case_ids = await uow.followup.due_watches(now, limit=self._config.batch)
            known = await uow.ledger.known(p.ESCALATION, [str(c) for c in case_ids])
        for case_id in _while(budget, case_ids):
            async with self._uow_factory() as uow:
                case = await uow.cases.get(case_id)
                group = await uow.groups.get(case.group_id) if case else None
                if case is None or group is None:
                    plan = p.Plan()
                else:
                    members = await uow.members.list(group.id)
                    acks = await uow.cases.acknowledgements(case.id)
                    plan = p.plan_escalation(
                        case,
                        agencies={m.agency for m in members},
                        acknowledged={a.agency for a in acks},
                        known=known,
                        now=now,
                        config=self._config,
                        timezone=group.timezone,
                    )
            await self._carry_out(plan, now, report)
            self._next_watch[case_id] = plan.next_at

    async def _yearly_reports(self, now: datetime, report: TickReport, budget: Budget) -> None:
        """The previous year's evaluation in every steering room, once (bot/evaluation)."""
        due = due_yearly(now, config=self._config)
        if due is None or not budget.left():
            return
        year, due_at = due
        async with self._uow_factory() as uow:
            steering = await uow.steering.all()
            known = await uow.ledger.known(YEARLY, [str(s.id) for s in steering])
        for group in steering:
            key = yearly_key(group.id, year)
            if key not in known:
                if not budget.left():
                    return
                late = now - due_at > p.LATE_AFTER
                await self._send(p.Due(key, GroupId(0), due_at, late=late), now, report)

    async def _followups(self, now: datetime, report: TickReport, budget: Budget) -> set[str]:
        async with self._uow_factory() as uow:
            zones = await uow.followup.group_zones()
        wanted: list[p.Due] = []
        for group_id, zone in zones:
            day = p.followup_day(now, timezone=zone, config=self._config)
            if day is None:
                continue
            key = p.followup_key(group_id, day)
            if key not in self._followups_done:
                wanted.append(p.Due(key, group_id, now))
        if not wanted:
            return {zone for _g, zone in zones}
        async with self._uow_factory() as uow:
            known = await uow.ledger.known(p.FOLLOWUP, [d.key.subject for d in wanted])
        today = {d.key.occurrence for d in wanted}
        self._followups_done = {k for k in self._followups_done if k.occurrence in today}
        sent = 0
        for due in wanted:
            if due.key in known:
                self._followups_done.add(due.key)
                continue
            if sent >= FOLLOWUP_BATCH:
                break  # the rest on the next tick, seconds later
            if not budget.left():
                break  # the same, sooner: the budget is spent
            sent += 1
            await self._send(due, now, report)
            self._followups_done.add(due.key)
        return {zone for _g, zone in zones}

    async def _carry_out(self, plan: p.Plan, now: datetime, report: TickReport) -> None:
        for missed in plan.skipped:
            # Ids and kinds only: no case text in logs.
            log.info("skipped a %s that is past its moment (%s)", missed.key.kind, missed.key.step)
            async with self._uow_factory() as uow:
                await uow.ledger.skip(
                    missed.key, group_id=missed.group_id, due_at=missed.due_at, at=now
                )
                await uow.commit()
            report.skipped += 1
        for due in plan.due:
            await self._send(due, now, report)

    async def _send(self, due: p.Due, now: datetime, report: TickReport) -> None:
        began = time.perf_counter()
        try:
            await self._send_once(due, now, report)
        finally:
            report.sending_seconds += time.perf_counter() - began

    async def _send_once(self, due: p.Due, now: datetime, report: TickReport) -> None:
        try:
            async with self._uow_factory() as uow:
                stale_before = now - timedelta(seconds=self._config.stale_claim_seconds)
                if not await uow.ledger.claim(
                    due.key,
                    group_id=due.group_id,
                    due_at=due.due_at,
                    late=due.late,
                    at=now,
                    stale_before=stale_before,
                ):
                    report.lost_race += 1
                    return
                notice = await build_notice(
                    uow, due.key, now=now, late=due.late, locale=self._locale, config=self._config
                )
                if notice is not None:
                    await uow.audit.record(
                        at=now,
                        action=notice.audit_action,
                        actor_member_id=None,
                        group_id=notice.group_id,
                        case_id=notice.case_id,  # type: ignore[arg-type]
                        binding_id=None,
                        detail=notice.audit_detail,
                    )
                if notice is None or not notice.replies:
                    await uow.ledger.mark_sent(due.key, at=now)  # nothing to say: done
                else:
                    await uow.outbox.add(
                        notice.replies,
                        at=now,
                        due_at=due.due_at,
                        group_id=notice.group_id,
                        ledger_key=due.key.encode(),
                    )
                await uow.commit()
        except ConcurrentUpdateError:
            report.lost_race += 1  # another process inserted the same key first
            return
        if notice is None or not notice.replies:
            report.silent += 1
            return
        await self._deliver(r.room for r in notice.replies)
        report.sent += 1
        report.sent_keys.append(due.key)

    async def next_wake(self, now: datetime, zones: set[str]) -> datetime | None:
        """The earliest instant something is due (meetings, escalations, follow-up)."""
        async with self._uow_factory() as uow:
            stored = await uow.followup.next_due()
        candidates = [p.next_followup_at(now, timezone=z, config=self._config) for z in zones]
        candidates.append(next_yearly(now, config=self._config))
        if stored is not None:
            candidates.append(stored)
        return min(candidates) if candidates else None


def _while(budget: Budget, items: Sequence[_Item]) -> Iterable[_Item]:
    """The items, the first always, the others while the budget lasts."""
    for index, item in enumerate(items):
        if index and not budget.left():
            return
        yield item
