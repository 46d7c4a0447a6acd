"""Local wall time, recurrence and working hours. Pure functions, standard library and
python-dateutil's rrule only.

Occurrences of a series are computed in the group's local wall time (09:00 stays 09:00 across
daylight saving) and only then turned into instants: a wall time that does not exist (the
hour the clocks skip in spring) moves forward by the gap; one that exists twice (the hour
repeated in autumn) is its first occurrence. Each occurrence is one local start, so it gets
one set of reminders however the clocks move.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from bot.domain.hours import WorkingHours

__all__ = ["WorkingHours"]  # re-exported: it lived here first

DAY = 86400
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
EVERY_CHOICES = ("week", "2weeks", "month")


def to_instant(local: datetime, timezone: str) -> datetime:
    """The UTC instant of a naive local wall time in `timezone`."""
    zone = ZoneInfo(timezone)
    aware = local.replace(tzinfo=zone, fold=0)
    # A skipped wall time round-trips to a different wall time: keep PEP 495's answer, which
    # places it after the gap (02:30 on the spring-forward night becomes 03:30 CEST).
    return aware.astimezone(UTC)


def to_local(instant: datetime, timezone: str) -> datetime:
    """The naive local wall time of an instant."""
    return instant.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def rule_for_every(every: str, start: datetime) -> str:
    """The RRULE of `--every week|2weeks|month`. A monthly series keeps the weekday position
    of its first meeting (the first Tuesday stays the first Tuesday; a meeting in the last
    week, e.g. the 5th Tuesday, stays the last Tuesday)."""
    if every == "week":
        return "FREQ=WEEKLY"
    if every == "2weeks":
        return "FREQ=WEEKLY;INTERVAL=2"
    if every == "month":
        code = WEEKDAY_CODES[start.weekday()]
        position = (start.day - 1) // 7 + 1
        if position == 5:
            return f"FREQ=MONTHLY;BYDAY=-1{code}"
        return f"FREQ=MONTHLY;BYDAY=+{position}{code}"
    raise ValueError(every)


class RuleError(ValueError):
    """A --rrule the bot cannot use; the message is a short hint, never user text."""


MAX_RULE_LENGTH = 200


def check_rule(rule: str, start: datetime) -> str:
    """The rule normalised (no `RRULE:` prefix, upper case), or RuleError."""
    value = rule.strip()
    if value.upper().startswith("RRULE:"):
        value = value[6:]
    value = value.upper()
    if not value or len(value) > MAX_RULE_LENGTH or "\n" in value:
        raise RuleError("length")
    parts = dict(p.partition("=")[::2] for p in value.split(";") if p)
    if "FREQ" not in parts:
        raise RuleError("freq")
    if parts["FREQ"] in ("SECONDLY", "MINUTELY", "HOURLY"):
        raise RuleError("too_often")  # a meeting series, not an alarm clock
    if "DTSTART" in value:
        raise RuleError("dtstart")
    try:
        iterator = iter(rrulestr(value, dtstart=start))
        next(iterator, None)
    except (ValueError, TypeError) as exc:
        raise RuleError("syntax") from exc
    return value


def occurrences(
    start: datetime, rule: str | None, *, after: datetime, until: datetime
) -> Iterator[datetime]:
    """Local starts of a meeting or series with after <= start < until (naive local)."""
    if rule is None:
        if after <= start < until:
            yield start
        return
    series = rrulestr(rule, dtstart=start)
    current = series.after(after - timedelta(seconds=1), inc=False)
    while current is not None and current < until:
        yield current
        current = series.after(current, inc=False)


def next_occurrence(start: datetime, rule: str | None, *, after: datetime) -> datetime | None:
    """The first local start at or after `after`."""
    if rule is None:
        return start if start >= after else None
    found: datetime | None = rrulestr(rule, dtstart=start).after(after, inc=True)
    return found


def parse_offset(token: str) -> int | None:
    """`7d`, `1d`, `1h`, `30m`, `2w` -> seconds (1 minute .. 60 days), None if not one."""
    token = token.strip().lower()
    units = {"m": 60, "h": 3600, "d": DAY, "w": 7 * DAY, "t": 3600}  # t: Danish "time"
    if len(token) < 2 or token[-1] not in units or not token[:-1].isdigit():
        return None
    seconds = int(token[:-1]) * units[token[-1]]
    return seconds if 60 <= seconds <= 60 * DAY else None


def format_offset(seconds: int) -> str:
    for unit, size in (("d", DAY), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def reminder_instant(local_start: datetime, timezone: str, offset: int) -> datetime:
    """When the reminder `offset` seconds before a local start is due. Whole days are
    counted on the wall clock (the 1-day reminder of a 09:00 meeting comes at 09:00 the day
    before, even across a DST change); shorter offsets are exact durations."""
    if offset % DAY == 0:
        return to_instant(local_start - timedelta(seconds=offset), timezone)
    return to_instant(local_start, timezone) - timedelta(seconds=offset)


def shift_into_working_hours(
    due_local: datetime, *, meeting_local: datetime, offset: int, hours: WorkingHours
) -> datetime:
    """Where a non-acute meeting reminder lands (local). Day-sized reminders move back to the
    last working moment before (the day-before reminder of a Monday meeting comes on
    Friday); shorter ones move forward to the next opening if that is still before the
    meeting, else back. A group that meets outside working hours gets its reminders at the
    plain offsets: its members evidently work then."""
    if hours.is_open(due_local) or not hours.is_open(meeting_local):
        return due_local
    if offset % DAY != 0:
        forward = hours.next_open(due_local)
        if forward < meeting_local:
            return forward
    return hours.previous_close(due_local)
