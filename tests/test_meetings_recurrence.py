"""Recurrence, daylight saving and working hours: the pure time rules of scheduling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import GroupId
from bot.ports import MeetingRecord
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.planner import plan_meeting
from bot.scheduling.timing import (
    RuleError,
    WorkingHours,
    check_rule,
    occurrences,
    parse_offset,
    rule_for_every,
    to_instant,
)

# No database, no network: part of the unit tier.
pytestmark = pytest.mark.unit

CPH = "Europe/Copenhagen"
ALL_HOURS = WorkingHours(days=frozenset())  # no working-hours shifting
CONFIG = SchedulerConfig(hours=ALL_HOURS)


def meeting(
    start: datetime,
    rule: str | None,
    *,
    remind: tuple[int, ...] = (604800, 86400, 3600),
    created: datetime | None = None,
    exdates: frozenset[datetime] = frozenset(),
) -> MeetingRecord:
    at = created or datetime(2026, 1, 1, tzinfo=UTC)
    return MeetingRecord(
        id=1,
        group_id=GroupId(1),
        number=1,
        start_local=start,
        timezone=CPH,
        duration_minutes=120,
        rule=rule,
        theme=None,
        remind=remind,
        exdates=exdates,
        sequence=0,
        cancelled=False,
        next_due_at=None,
        created_at=at,
        updated_at=at,
    )


def test_weekly_meeting_stays_at_nine_local_across_spring_forward() -> None:
    starts = list(
        occurrences(
            datetime(2026, 3, 23, 9, 0),
            "FREQ=WEEKLY",
            after=datetime(2026, 3, 1),
            until=datetime(2026, 4, 7),
        )
    )
    assert [s.date().isoformat() for s in starts] == ["2026-03-23", "2026-03-30", "2026-04-06"]
    # 08:00 UTC in winter time, 07:00 UTC in summer time: 09:00 on the wall both weeks.
    assert [to_instant(s, CPH).hour for s in starts] == [8, 7, 7]


def test_weekly_meeting_stays_at_nine_local_across_fall_back() -> None:
    starts = list(
        occurrences(
            datetime(2026, 10, 19, 9, 0),
            "FREQ=WEEKLY",
            after=datetime(2026, 10, 1),
            until=datetime(2026, 11, 3),
        )
    )
    assert [to_instant(s, CPH).hour for s in starts] == [7, 8, 8]


def test_monthly_series_keeps_first_tuesday_for_a_year_across_both_dst_changes() -> None:
    start = datetime(2026, 1, 6, 9, 0)  # first Tuesday of January
    rule = rule_for_every("month", start)
    starts = list(occurrences(start, rule, after=start, until=datetime(2027, 1, 1)))
    assert len(starts) == 12
    for s in starts:
        assert s.weekday() == 1 and s.day <= 7 and s.hour == 9
        local = to_instant(s, CPH).astimezone(__import__("zoneinfo").ZoneInfo(CPH))
        assert (local.hour, local.minute) == (9, 0)


def test_monthly_series_from_a_fifth_weekday_stays_the_last_one() -> None:
    start = datetime(2026, 9, 29, 14, 0)  # the 5th (and last) Tuesday of September
    rule = rule_for_every("month", start)
    assert rule == "FREQ=MONTHLY;BYDAY=-1TU"
    starts = list(occurrences(start, rule, after=start, until=datetime(2027, 1, 1)))
    assert [s.day for s in starts] == [29, 27, 24, 29]


def test_a_meeting_at_0230_on_the_night_the_clocks_go_back_is_reminded_once_per_offset() -> None:
    start = datetime(2026, 10, 25, 2, 30)  # 02:30 happens twice that night in Copenhagen
    record = meeting(start, None, remind=(3600, 1800))
    sent: list[str] = []
    known: set = set()
    now = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
    while now < datetime(2026, 10, 25, 3, 0, tzinfo=UTC):
        plan = plan_meeting(record, now=now, known=known, config=CONFIG)
        for due in plan.due:
            known.add(due.key)
            sent.append(due.key.step)
        now += timedelta(minutes=1)
    assert sorted(sent) == ["1800", "3600"]
    assert to_instant(start, CPH) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30


def test_a_weekly_meeting_at_0230_skipped_by_spring_forward_moves_to_0330() -> None:
    starts = list(
        occurrences(
            datetime(2026, 3, 22, 2, 30),
            "FREQ=WEEKLY",
            after=datetime(2026, 3, 22),
            until=datetime(2026, 4, 6),
        )
    )
    instants = [to_instant(s, CPH) for s in starts]
    assert instants[1] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert len(set(instants)) == 3


def test_day_reminders_count_wall_clock_days_across_dst() -> None:
    # Monday 30 March 09:00 CEST; the 1-day reminder is 09:00 CEST on Sunday, not 08:00.
    record = meeting(datetime(2026, 3, 30, 9, 0), None, remind=(86400,))
    plan = plan_meeting(
        record, now=datetime(2026, 3, 28, 0, 0, tzinfo=UTC), known=set(), config=CONFIG
    )
    assert plan.next_at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_working_hours_move_the_day_before_reminder_of_a_monday_meeting_to_friday() -> None:
    config = SchedulerConfig()
    record = meeting(datetime(2026, 11, 30, 9, 0), None, remind=(86400, 3600))
    plan = plan_meeting(
        record, now=datetime(2026, 11, 26, 0, 0, tzinfo=UTC), known=set(), config=config
    )
    # Sunday 09:00 is outside working hours: Friday 15:59 local (14:59 UTC) instead.
    assert plan.next_at == datetime(2026, 11, 27, 14, 59, tzinfo=UTC)


def test_cancelled_occurrence_gets_no_reminders() -> None:
    start = datetime(2026, 12, 1, 9, 0)
    record = meeting(start, "FREQ=WEEKLY", remind=(3600,), exdates=frozenset({start}))
    plan = plan_meeting(
        record, now=datetime(2026, 12, 1, 7, 30, tzinfo=UTC), known=set(), config=CONFIG
    )
    assert plan.due == []
    # The scheduler wakes again no later than the next occurrence's reminder, which is sent.
    assert plan.next_at is not None and plan.next_at <= datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
    later = plan_meeting(
        record, now=datetime(2026, 12, 8, 7, 0, tzinfo=UTC), known=set(), config=CONFIG
    )
    assert [d.key.occurrence for d in later.due] == ["2026-12-08T09:00"]


@pytest.mark.parametrize(
    ("token", "seconds"), [("7d", 604800), ("1h", 3600), ("30m", 1800), ("2w", 1209600)]
)
def test_offsets(token: str, seconds: int) -> None:
    assert parse_offset(token) == seconds


@pytest.mark.parametrize("token", ["", "7", "d", "0m", "90d", "-1h", "1x"])
def test_bad_offsets(token: str) -> None:
    assert parse_offset(token) is None


def test_rrule_is_checked() -> None:
    start = datetime(2026, 12, 1, 9, 0)
    assert check_rule("RRULE:freq=monthly;byday=+2WE", start) == "FREQ=MONTHLY;BYDAY=+2WE"
    for bad in ("FREQ=MINUTELY", "BYDAY=MO", "FREQ=WEEKLY;BYDAY=XX", "FREQ=WEEKLY;DTSTART=2020"):
        with pytest.raises(RuleError):
            check_rule(bad, start)


def test_a_group_meeting_outside_working_hours_is_reminded_at_the_plain_offsets() -> None:
    config = SchedulerConfig()
    # Tuesday 19:00 local: the 1-hour reminder comes at 18:00 local, outside working hours.
    record = meeting(datetime(2026, 12, 1, 19, 0), None, remind=(3600,))
    plan = plan_meeting(
        record, now=datetime(2026, 12, 1, 12, 0, tzinfo=UTC), known=set(), config=config
    )
    assert plan.next_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def simulate(record: MeetingRecord, start: datetime, end: datetime) -> list[tuple[str, str]]:
    """Drive the planner from wake-up to wake-up like the scheduler does; (occurrence,
    offset) of every reminder sent."""
    sent: list[tuple[str, str]] = []
    known: set = set()
    now = start
    since = None
    while now < end:
        plan = plan_meeting(record, now=now, known=known, config=CONFIG, since=since)
        for due in plan.due + plan.skipped:
            known.add(due.key)
        sent.extend((d.key.occurrence, d.key.step) for d in plan.due)
        if plan.next_at is None:
            break
        since, now = now, max(plan.next_at, now + timedelta(seconds=1))
    return sent


def test_monthly_series_on_the_last_sunday_at_0230_through_both_dst_nights() -> None:
    # The last Sunday of March and of October are the nights the clocks change.
    record = meeting(datetime(2026, 1, 25, 2, 30), "FREQ=MONTHLY;BYDAY=-1SU", remind=(86400, 3600))
    sent = simulate(record, datetime(2026, 1, 20, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))
    by_month: dict[str, list[str]] = {}
    for occurrence, offset in sent:
        by_month.setdefault(occurrence[:7], []).append(offset)
    assert len(by_month) == 12  # every month once, March and October included
    assert all(sorted(offsets) == ["3600", "86400"] for offsets in by_month.values())
    assert to_instant(datetime(2026, 3, 29, 2, 30), CPH) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_weekly_series_through_both_dst_weeks_sends_each_reminder_once() -> None:
    record = meeting(datetime(2026, 3, 24, 9, 0), "FREQ=WEEKLY", remind=(604800, 86400, 3600))
    sent = simulate(record, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 11, 10, tzinfo=UTC))
    assert len(sent) == len(set(sent))
    occurrences_sent = {o for o, _ in sent}
    assert "2026-03-31T09:00" in occurrences_sent and "2026-10-27T09:00" in occurrences_sent
    complete = {o for o in occurrences_sent if o < "2026-11-03"}  # the last ones are cut off
    assert len(complete) == 32
    assert all(sum(1 for o, _ in sent if o == occ) == 3 for occ in complete)
