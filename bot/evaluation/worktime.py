"""Elapsed time in working hours, and the small order statistics the report uses. Pure."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.scheduling.timing import WorkingHours


def _clock_seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _within_day(day: date, start: int, end: int, hours: WorkingHours) -> int:
    """Working seconds on `day` between two clock positions (seconds after midnight)."""
    if day.weekday() not in hours.days:
        return 0
    low = max(start, _clock_seconds(hours.start))
    high = min(end, _clock_seconds(hours.end))
    return max(high - low, 0)


def working_seconds(start: datetime, end: datetime, *, hours: WorkingHours, timezone: str) -> float:
    """Seconds of working time between two instants, on the group's local wall clock. Whole
    days in between are counted arithmetically, so a case open for a year costs no more than
    one open for a day."""
    if end <= start:
        return 0.0
    if not hours.days:
        return (end - start).total_seconds()
    zone = ZoneInfo(timezone)
    first = start.astimezone(zone)
    last = end.astimezone(zone)
    at_first = _clock_seconds(first.time())
    at_last = _clock_seconds(last.time())
    if first.date() == last.date():
        return float(_within_day(first.date(), at_first, at_last, hours))
    total = _within_day(first.date(), at_first, 86400, hours)
    total += _within_day(last.date(), 0, at_last, hours)
    between = (last.date() - first.date()).days - 1
    weeks, rest = divmod(between, 7)
    working_days = weeks * len(hours.days)
    following = first.date() + timedelta(days=1)
    working_days += sum(
        1 for offset in range(rest) if (following + timedelta(days=offset)).weekday() in hours.days
    )
    per_day = max(_clock_seconds(hours.end) - _clock_seconds(hours.start), 0)
    return float(total + working_days * per_day)


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def percentile_90(values: Sequence[float]) -> float | None:
    """Nearest rank: the smallest value at or above 90 % of the observations."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(0.9 * len(ordered)) - 1, 0)]
