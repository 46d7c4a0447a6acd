"""The evaluation's figures, computed from the structured record of one or more groups over
one period. Pure: facts in, counts and durations out. Nothing here sees free text; small
counts are suppressed later, where figures are shown (bot/evaluation/suppression.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.domain import Agency, CaseId, CaseStatus, GroupId, Tag, Urgency
from bot.domain.outcome import Outcome
from bot.evaluation.worktime import working_seconds
from bot.ports import MeetingRecord
from bot.ports.evaluation import Period, PeriodFacts
from bot.ports.minutes import HeldMeeting
from bot.scheduling.timing import WorkingHours, occurrences, to_local

_T = TypeVar("_T")
PLACED = ("take", "assign", "accept")
# Ages of the cases still open at the end of the period, in days: [low, high).
AGE_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 30),
    (30, 90),
    (90, 180),
    (180, 365),
    (365, None),
)


@dataclass(frozen=True)
class Durations:
    """Elapsed times in seconds, on the calendar and in working hours (same observations)."""

    calendar: tuple[float, ...] = ()
    working: tuple[float, ...] = ()

    @property
    def count(self) -> int:
        return len(self.calendar)


@dataclass(frozen=True)
class MeetingFigures:
    held: int = 0
    cancelled: int = 0
    themes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Statistics:
    period: Period
    groups: int
    months: tuple[str, ...]  # "YYYY-MM" of every month the period touches
    flagged: int
    by_month: Mapping[str, Mapping[Urgency, int]]
    by_urgency: Mapping[Urgency, int]
    by_agency: Mapping[Agency, int]
    tags: Mapping[Tag, int]
    closed: int
    responsible_at_close: Mapping[Agency, int]
    outcomes: Mapping[Outcome | None, int]  # None: closed before outcomes were recorded
    reopened: int
    to_acknowledgement: Mapping[Agency, Durations]
    to_responsibility: Durations
    to_close: Durations
    escalated_to_deputies: int
    escalated_to_lead: int
    declined: Mapping[Agency, int]
    decisions_made: int
    decisions_due: int
    done_on_time: int
    overdue: int
    fallbacks_in_force: int
    meetings: MeetingFigures
    systemic_raised: int
    systemic_answered: int
    open_at_end: int
    open_ages: Mapping[int, int]  # index into AGE_BANDS -> count


def month_keys(period: Period) -> tuple[str, ...]:
    keys: list[str] = []
    day = period.first_day.replace(day=1)
    while day <= period.last_day:
        keys.append(f"{day.year:04d}-{day.month:02d}")
        day = (day + timedelta(days=32)).replace(day=1)
    return tuple(keys)


def _durations(pairs: Iterable[tuple[datetime, datetime, str]], hours: WorkingHours) -> Durations:
    calendar: list[float] = []
    working: list[float] = []
    for start, end, zone in pairs:
        if end < start:
            continue
        calendar.append((end - start).total_seconds())
        working.append(working_seconds(start, end, hours=hours, timezone=zone))
    return Durations(tuple(calendar), tuple(working))


def _age_band(days: int) -> int:
    for index, (low, high) in enumerate(AGE_BANDS):
        if days >= low and (high is None or days < high):
            return index
    return len(AGE_BANDS) - 1


def compute(
    facts: PeriodFacts,
    *,
    period: Period,
    zones: Mapping[GroupId, str],
    hours: WorkingHours,
    meetings: Sequence[MeetingRecord] = (),
    held: Sequence[HeldMeeting] = (),
    now: datetime,
) -> Statistics:
    """The figures of the groups in `zones` over `period`, as the record stood at `now`."""

    def zone(group_id: GroupId) -> str:
        return zones.get(group_id, "Europe/Copenhagen")

    def inside(moment: datetime | None) -> bool:
        return moment is not None and period.start <= moment < period.end

    cases = {f.case_id: f for f in facts.cases}
    flagged = [f for f in facts.cases if inside(f.created_at)]
    months = month_keys(period)
    by_month: dict[str, Counter[Urgency]] = {m: Counter() for m in months}
    for case in flagged:
        local = case.created_at.astimezone(ZoneInfo(zone(case.group_id)))
        key = f"{local.year:04d}-{local.month:02d}"
        by_month.setdefault(key, Counter())[case.urgency] += 1

    closed = [f for f in facts.cases if f.status is CaseStatus.CLOSED and inside(f.closed_at)]
    last_close: dict[CaseId, Outcome | None] = {}
    for closure in sorted(facts.closures, key=lambda c: c.at):
        if closure.event == "close":
            last_close[closure.case_id] = closure.outcome
    outcomes: Counter[Outcome | None] = Counter(last_close.get(f.case_id) for f in closed)

    first_ack: dict[tuple[CaseId, Agency], datetime] = {}
    for ack in facts.acknowledgements:
        acked = cases.get(ack.case_id)
        if acked is None or ack.agency is acked.flagging_agency:
            continue  # the flagging agency has seen its own flag
        pair = (ack.case_id, ack.agency)
        if pair not in first_ack or ack.at < first_ack[pair]:
            first_ack[pair] = ack.at
    ack_pairs: dict[Agency, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for (case_id, agency), at in first_ack.items():
        flag = cases[case_id]
        if inside(flag.created_at):
            ack_pairs[agency].append((flag.created_at, at, zone(flag.group_id)))

    placed: dict[CaseId, datetime] = {}
    declined: Counter[Agency] = Counter()
    for change in facts.responsibility:
        if change.how in PLACED:
            if change.case_id not in placed or change.at < placed[change.case_id]:
                placed[change.case_id] = change.at
        elif change.how == "decline" and change.agency is not None and inside(change.at):
            declined[change.agency] += 1
    responsibility_pairs = [
        (cases[cid].created_at, at, zone(cases[cid].group_id))
        for cid, at in placed.items()
        if cid in cases and inside(cases[cid].created_at)
    ]
    close_pairs = [
        (f.created_at, f.closed_at, zone(f.group_id)) for f in closed if f.closed_at is not None
    ]

    due = [
        d
        for d in facts.decisions
        if d.due is not None and period.first_day <= d.due <= period.last_day
    ]
    today = {g: to_local(now, zone(g)).date() for g in {d.group_id for d in due}}

    def done_by(done_at: datetime | None, group_id: GroupId) -> date | None:
        return to_local(done_at, zone(group_id)).date() if done_at else None

    on_time = 0
    overdue = 0
    for decision in due:
        assert decision.due is not None
        done_day = done_by(decision.done_at, decision.group_id)
        if done_day is not None and done_day <= decision.due:
            on_time += 1
        elif decision.due < today[decision.group_id]:
            overdue += 1

    open_at_end = [
        f
        for f in facts.cases
        if f.created_at < period.end and (f.closed_at is None or f.closed_at >= period.end)
    ]
    end = min(period.end, now)
    ages: Counter[int] = Counter(_age_band((end - f.created_at).days) for f in open_at_end)

    notices = Counter((n.kind, n.step) for n in facts.notices)
    return Statistics(
        period=period,
        groups=len(zones),
        months=months,
        flagged=len(flagged),
        by_month={m: dict(c) for m, c in by_month.items()},
        by_urgency=dict(Counter(f.urgency for f in flagged)),
        by_agency=dict(Counter(f.flagging_agency for f in flagged)),
        tags=dict(Counter(tag for f in flagged for tag in f.tags)),
        closed=len(closed),
        responsible_at_close=dict(Counter(f.responsible for f in closed if f.responsible)),
        outcomes=dict(outcomes),
        reopened=sum(1 for c in facts.closures if c.event == "reopen"),
        to_acknowledgement={a: _durations(p, hours) for a, p in ack_pairs.items()},
        to_responsibility=_durations(responsibility_pairs, hours),
        to_close=_durations(close_pairs, hours),
        escalated_to_deputies=notices[("escalation", "deputies")],
        escalated_to_lead=notices[("escalation", "lead")],
        declined=dict(declined),
        decisions_made=sum(1 for d in facts.decisions if inside(d.created_at)),
        decisions_due=len(due),
        done_on_time=on_time,
        overdue=overdue,
        fallbacks_in_force=sum(n for (kind, _step), n in notices.items() if kind == "fallback"),
        meetings=meeting_figures(meetings, period=period, now=now, held=held),
        systemic_raised=len(facts.escalations),
        systemic_answered=sum(1 for e in facts.escalations if e.answered_at is not None),
        open_at_end=len(open_at_end),
        open_ages=dict(ages),
    )


def meeting_figures(
    meetings: Sequence[MeetingRecord],
    *,
    period: Period,
    now: datetime,
    held: Sequence[HeldMeeting] = (),
) -> MeetingFigures:
    """Meetings held, cancelled (occurrences and whole meetings called off in the period) and
    the themes of those held.

    A meeting run from chat (`meeting start` … `meeting end`) is the record: every one that
    began in the period counts as held, with its theme. A scheduled occurrence with no such
    record counts as held only if it is past, not cancelled, and began before the group's
    first meeting run from chat (`held` holds the groups' runs that began before the
    period's end): years before the bot ran meetings keep their count, and once a group runs
    its meetings from chat an occurrence nobody started was not held."""
    first_run: dict[GroupId, datetime] = {}
    linked: set[tuple[GroupId, int | None, datetime | None]] = set()
    themes: Counter[str] = Counter()
    held_count = 0
    for run in held:
        first_run.setdefault(run.group_id, run.started_at)
        linked.add((run.group_id, run.meeting_number, run.occurrence))
        if period.start <= run.started_at < period.end:
            held_count += 1
            if run.theme and run.theme.strip():
                themes[run.theme.strip()] += 1
    cancelled = 0
    for meeting in meetings:
        after = datetime.combine(period.first_day, datetime.min.time())
        until = datetime.combine(period.last_day + timedelta(days=1), datetime.min.time())
        stop = to_local(now, meeting.timezone)
        if meeting.group_id in first_run:
            stop = min(stop, to_local(first_run[meeting.group_id], meeting.timezone))
        if meeting.cancelled:
            stop = min(stop, to_local(meeting.updated_at, meeting.timezone))
            if period.start <= meeting.updated_at < period.end:
                cancelled += 1
        count = 0
        for start in occurrences(
            meeting.start_local, meeting.rule, after=after, until=min(until, stop)
        ):
            if start in meeting.exdates or (meeting.group_id, meeting.number, start) in linked:
                continue
            count += 1
        cancelled += sum(1 for d in meeting.exdates if after <= d < until)
        held_count += count
        if count and meeting.theme:
            themes[meeting.theme.strip()] += count
    return MeetingFigures(held_count, cancelled, dict(themes))


def _bucket(items: Iterable[_T], key: Callable[[_T], GroupId | None]) -> dict[GroupId, list[_T]]:
    buckets: dict[GroupId, list[_T]] = defaultdict(list)
    for item in items:
        group = key(item)
        if group is not None:
            buckets[group].append(item)
    return buckets


def split_by_group(facts: PeriodFacts, groups: Iterable[GroupId]) -> dict[GroupId, PeriodFacts]:
    """Each group's share of facts read for several at once, without reading again."""
    owner = {f.case_id: f.group_id for f in facts.cases}
    cases = _bucket(facts.cases, lambda f: f.group_id)
    acks = _bucket(facts.acknowledgements, lambda f: owner.get(f.case_id))
    history = _bucket(facts.responsibility, lambda f: owner.get(f.case_id))
    decisions = _bucket(facts.decisions, lambda f: f.group_id)
    notices = _bucket(facts.notices, lambda f: f.group_id)
    closures = _bucket(facts.closures, lambda f: f.group_id)
    escalations = _bucket(facts.escalations, lambda f: f.group_id)
    return {
        g: PeriodFacts(
            cases.get(g, []),
            acks.get(g, []),
            history.get(g, []),
            decisions.get(g, []),
            notices.get(g, []),
            closures.get(g, []),
            escalations.get(g, []),
        )
        for g in groups
    }
