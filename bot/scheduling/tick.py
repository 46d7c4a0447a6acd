"""One tick of scheduled work: find what is due at the clock's now, send each item exactly
once, and remember when the next item will be due.

Exactly once, in this order, each step its own transaction:
  1. claim the item's key in the ledger (unique key; a second process or a restart that
     finds it claimed or sent leaves it alone) and build its message;
  2. hand the replies to the chat adapters;
  3. mark the key sent (for all keys of a tick at once, at its end).
A crash between 1 and 3 leaves a claim that is never marked sent; once it is older than
`stale_claim_seconds` the next tick takes it over and sends it again, marked late. So a crash
can cause at most one resend, and nothing is ever lost. (Adapters also derive their
transaction ids from `message_key`, which lets a platform drop that resend itself.)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain import CaseId, GroupId, Urgency
from bot.evaluation.yearly import YEARLY, due_yearly, next_yearly, yearly_key
from bot.messages import Reply
from bot.ports import Clock, ConcurrentUpdateError, NotificationKey, UnitOfWorkFactory
from bot.scheduling import planner as p
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.notices import build_notice

log = logging.getLogger(__name__)

Deliver = Callable[[Sequence[Reply]], Awaitable[None]]
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
    next_wake: datetime | None = None
    sent_keys: list[NotificationKey] = field(default_factory=list)


class SchedulerTick:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        config: SchedulerConfig,
        deliver: Deliver,
        locale: str,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._config = config
        self._deliver = deliver
        self._locale = locale
        self._discovered_through: datetime | None = None
        self._followups_done: set[NotificationKey] = set()
        self._delivered: list[NotificationKey] = []
        self._next_meeting: dict[int, datetime | None] = {}
        self._next_watch: dict[CaseId, datetime | None] = {}

    async def run(self) -> TickReport:
        report = TickReport()
        now = self._clock.now()
        try:
            await self._recover(now, report)
            await self._discover(now, report)
            await self._meetings(now, report)
            await self._escalations(now, report)
            await self._yearly_reports(now, report)
            zones = await self._followups(now, report)
        finally:
            # Step 3 for everything handed over in this tick, in one transaction; also when
            # the tick fails half-way, so what did go out is not sent again.
            await self._mark_delivered()
        report.next_wake = await self.next_wake(now, zones)
        return report

    async def _mark_delivered(self) -> None:
        """One transaction for the tick's bookkeeping: keys sent, and when each meeting and
        watched case is next due. (Lost with a crash, it is only redone: the keys in the
        ledger stop anything from going out twice.)"""
        if not (self._delivered or self._next_meeting or self._next_watch):
            return
        keys, self._delivered = self._delivered, []
        meetings, self._next_meeting = self._next_meeting, {}
        watches, self._next_watch = self._next_watch, {}
        async with self._uow_factory() as uow:
            await uow.ledger.mark_all_sent(keys, at=self._clock.now())
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

    async def _meetings(self, now: datetime, report: TickReport) -> None:
        async with self._uow_factory() as uow:
            meetings = await uow.meetings.due(now, limit=self._config.batch)
            known = await uow.ledger.known(p.REMINDER, [str(m.id) for m in meetings])
        for meeting in meetings:
            plan = p.plan_meeting(
                meeting, now=now, known=known, config=self._config, since=meeting.next_due_at
            )
            await self._carry_out(plan, now, report)
            self._next_meeting[meeting.id] = plan.next_at

    async def _escalations(self, now: datetime, report: TickReport) -> None:
        async with self._uow_factory() as uow:
            case_ids = await uow.followup.due_watches(now, limit=self._config.batch)
            known = await uow.ledger.known(p.ESCALATION, [str(c) for c in case_ids])
        for case_id in case_ids:
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

    async def _yearly_reports(self, now: datetime, report: TickReport) -> None:
        """The previous year's evaluation in every steering room, once (bot/evaluation)."""
        due = due_yearly(now, config=self._config)
        if due is None:
            return
        year, due_at = due
        async with self._uow_factory() as uow:
            steering = await uow.steering.all()
            known = await uow.ledger.known(YEARLY, [str(s.id) for s in steering])
        for group in steering:
            key = yearly_key(group.id, year)
            if key not in known:
                late = now - due_at > p.LATE_AFTER
                await self._send(p.Due(key, GroupId(0), due_at, late=late), now, report)

    async def _followups(self, now: datetime, report: TickReport) -> set[str]:
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
                await uow.commit()
        except ConcurrentUpdateError:
            report.lost_race += 1  # another process inserted the same key first
            return
        if notice is None or not notice.replies:
            report.silent += 1
        else:
            await self._deliver(notice.replies)
            report.sent += 1
            report.sent_keys.append(due.key)
        self._delivered.append(due.key)

    async def next_wake(self, now: datetime, zones: set[str]) -> datetime | None:
        """The earliest instant something is due (meetings, escalations, follow-up)."""
        async with self._uow_factory() as uow:
            stored = await uow.followup.next_due()
        candidates = [p.next_followup_at(now, timezone=z, config=self._config) for z in zones]
        candidates.append(next_yearly(now, config=self._config))
        if stored is not None:
            candidates.append(stored)
        return min(candidates) if candidates else None
