"""What is due at instant `now`: pure functions over plain records, so tests drive them with a
fake clock. Each piece of scheduled work has a NotificationKey; the ledger's set of known keys
(claimed, sent or skipped) is the only memory the planner needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.domain import Agency, Case, CaseStatus, GroupId, Urgency
from bot.domain.routing import STEP_DEPUTIES, STEP_LEAD
from bot.ports import MeetingRecord, NotificationKey
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.timing import (
    WorkingHours,
    occurrences,
    reminder_instant,
    shift_into_working_hours,
    to_instant,
    to_local,
)

__all__ = ["STEP_DEPUTIES", "STEP_LEAD"]  # the routing rule's names, used by the planner

# A reminder sent more than this after its due instant is marked late ("the bot was down").
LATE_AFTER = timedelta(minutes=2)
REMINDER = "reminder"
ESCALATION = "escalation"
FOLLOWUP = "followup"
FALLBACK = "fallback"
# The acute escalation's last step: the agency's duty contact and the lead are paged outside
# chat (bot/paging.py), once, if a `[pager]` is configured.
STEP_PAGE = "page"


@dataclass(frozen=True)
class Due:
    key: NotificationKey
    group_id: GroupId
    due_at: datetime
    late: bool = False


@dataclass
class Plan:
    due: list[Due] = field(default_factory=list)
    skipped: list[Due] = field(default_factory=list)
    next_at: datetime | None = None

    def wake(self, at: datetime) -> None:
        if self.next_at is None or at < self.next_at:
            self.next_at = at


def occurrence_text(local_start: datetime) -> str:
    return local_start.strftime("%Y-%m-%dT%H:%M")


def reminder_key(meeting_id: int, local_start: datetime, offset: int) -> NotificationKey:
    return NotificationKey(REMINDER, str(meeting_id), occurrence_text(local_start), str(offset))


def reminder_due_at(
    local_start: datetime, timezone: str, offset: int, hours: WorkingHours
) -> datetime:
    """The instant a meeting reminder is due, inside working hours (reminders are never
    acute)."""
    raw = to_local(reminder_instant(local_start, timezone, offset), timezone)
    shifted = shift_into_working_hours(raw, meeting_local=local_start, offset=offset, hours=hours)
    return to_instant(shifted, timezone)


def plan_meeting(
    meeting: MeetingRecord,
    *,
    now: datetime,
    known: set[NotificationKey],
    config: SchedulerConfig,
    since: datetime | None = None,
) -> Plan:
    """The reminders of a meeting or series due at `now`, those missed for good (their
    occurrence has started) and when the next one is due.

    `since` is the instant the planner last had everything up to date (the meeting's previous
    next_due_at): occurrences that started between it and now had their reminders missed.
    Reminders that were due before the meeting was even scheduled are not sent at all. When
    several reminders of one occurrence are due at once, only the nearest to the meeting is
    sent; the others are recorded as skipped (one message, not three).
    """
    plan = Plan()
    if meeting.cancelled or not meeting.remind:
        return plan
    tz = meeting.timezone
    longest = max(meeting.remind)
    local_now = to_local(now, tz)
    # Look back over the occurrences that may have started while nobody was looking, and
    # ahead far enough for the longest reminder plus a weekend of working-hours shift.
    first = to_local(since, tz) if since is not None and since < now else local_now
    after = min(first, local_now) - timedelta(days=1)
    until = local_now + timedelta(seconds=longest) + timedelta(days=5)
    upcoming_seen = 0
    for start in occurrences(meeting.start_local, meeting.rule, after=after, until=until):
        if start in meeting.exdates:
            continue
        begins = to_instant(start, tz)
        ready: list[Due] = []
        for offset in meeting.remind:
            key = reminder_key(meeting.id, start, offset)
            if key in known:
                continue
            due_at = reminder_due_at(start, tz, offset, config.hours)
            if due_at < meeting.created_at:
                continue  # it was due before anyone scheduled the meeting
            if begins <= now:
                if due_at <= now:
                    plan.skipped.append(Due(key, meeting.group_id, due_at, late=True))
                continue
            if due_at <= now:
                ready.append(Due(key, meeting.group_id, due_at, late=now - due_at > LATE_AFTER))
            else:
                plan.wake(due_at)
        if ready:
            ready.sort(key=lambda d: d.due_at)
            plan.due.append(ready[-1])
            plan.skipped.extend(ready[:-1])
        if begins > now:
            upcoming_seen += 1
            if upcoming_seen >= 2 and plan.next_at is not None and begins > plan.next_at:
                break
    if plan.next_at is None:
        # Nothing inside the window (a meeting months ahead, a sparse rule): wake when the
        # window can first contain a reminder.
        later = _first_start_after(meeting, until)
        if later is not None:
            plan.wake(to_instant(later, tz) - timedelta(seconds=longest + 5 * 86400))
    return plan


def _first_start_after(meeting: MeetingRecord, local: datetime) -> datetime | None:
    for start in occurrences(
        meeting.start_local, meeting.rule, after=local, until=local + timedelta(days=3660)
    ):
        if start not in meeting.exdates:
            return start
    return None


# --- acknowledgement escalation ----------------------------------------------------------


def escalation_key(case_id: int, agency: Agency, step: str) -> NotificationKey:
    return NotificationKey(ESCALATION, str(case_id), agency.value, step)


def escalation_times(
    case: Case, *, config: SchedulerConfig, timezone: str
) -> tuple[datetime, datetime] | None:
    """When an agency that has not acknowledged is escalated to its deputies, then to the
    lead. Acute ignores working hours; urgent waits for them; normal goes on the agenda."""
    if case.urgency is Urgency.ACUTE:
        periods = config.acute
    elif case.urgency is Urgency.URGENT:
        periods = config.urgent
    else:
        return None
    first = case.created_at + timedelta(seconds=periods.to_deputies)
    second = first + timedelta(seconds=periods.to_lead)
    if case.urgency is Urgency.URGENT:
        first = _into_hours(first, timezone, config.hours)
        second = max(_into_hours(second, timezone, config.hours), first)
    return first, second


def _into_hours(instant: datetime, timezone: str, hours: WorkingHours) -> datetime:
    return to_instant(hours.next_open(to_local(instant, timezone)), timezone)


def plan_escalation(
    case: Case,
    *,
    agencies: Iterable[Agency],
    acknowledged: Iterable[Agency],
    known: set[NotificationKey],
    now: datetime,
    config: SchedulerConfig,
    timezone: str,
) -> Plan:
    """The escalation steps due for each agency of the group that has not acknowledged.
    Nothing for a closed case or an agency that acknowledged, whenever that was."""
    plan = Plan()
    times = escalation_times(case, config=config, timezone=timezone)
    if times is None or case.status is not CaseStatus.OPEN:
        return plan
    acked = set(acknowledged)
    for agency in sorted(set(agencies) - acked):
        steps = [(STEP_DEPUTIES, times[0]), (STEP_LEAD, times[1])]
        ready: list[Due] = []
        for step, due_at in steps:
            key = escalation_key(case.id, agency, step)
            if key in known:
                continue
            if due_at <= now:
                ready.append(Due(key, case.group_id, due_at, late=now - due_at > LATE_AFTER))
            else:
                plan.wake(due_at)
        if ready:
            # Down through both steps: go straight to the lead, record the first as skipped.
            plan.due.append(ready[-1])
            plan.skipped.extend(ready[:-1])
        page_at = page_time(case, times, config=config)
        if page_at is not None:
            # The page is never skipped for a later step: it is the last one, and the one
            # that reaches someone outside chat.
            key = escalation_key(case.id, agency, STEP_PAGE)
            if key in known:
                continue
            if page_at <= now:
                plan.due.append(Due(key, case.group_id, page_at, late=now - page_at > LATE_AFTER))
            else:
                plan.wake(page_at)
    return plan


def page_time(
    case: Case, times: tuple[datetime, datetime], *, config: SchedulerConfig
) -> datetime | None:
    """When an acute case not acknowledged by an agency pages it: `page_after` after the
    escalation to the lead. None for other cases, or without a pager."""
    if case.urgency is not Urgency.ACUTE or config.page_after is None:
        return None
    return times[1] + timedelta(seconds=config.page_after)


# --- decision follow-up ------------------------------------------------------------------


def followup_key(group_id: int, day: date) -> NotificationKey:
    return NotificationKey(FOLLOWUP, str(group_id), day.isoformat(), "daily")


def fallback_key(case_id: int, number: int) -> NotificationKey:
    return NotificationKey(FALLBACK, f"{case_id}:{number}", "", "")


def followup_day(now: datetime, *, timezone: str, config: SchedulerConfig) -> date | None:
    """The local day whose decision follow-up is due now: a working day once the configured
    report time has passed. A day the bot missed entirely is not sent afterwards; the next
    day's report carries the same overdue decisions."""
    local = to_local(now, timezone)
    if not config.hours.is_working_day(local.date()) or local.time() < config.report_time:
        return None
    return local.date()


def next_followup_at(now: datetime, *, timezone: str, config: SchedulerConfig) -> datetime:
    local = to_local(now, timezone)
    day = local.date()
    for _ in range(9):
        candidate = datetime.combine(day, config.report_time)
        if candidate > local and config.hours.is_working_day(day):
            return to_instant(candidate, timezone)
        day += timedelta(days=1)
    return now + timedelta(days=1)


def due_soon_window(today: date, hours: WorkingHours) -> tuple[date, date]:
    """Decisions due after today and up to the next working day are reminded today (on a
    Friday: Saturday, Sunday and Monday)."""
    day = today + timedelta(days=1)
    for _ in range(8):
        if hours.is_working_day(day):
            break
        day += timedelta(days=1)
    return today + timedelta(days=1), day
