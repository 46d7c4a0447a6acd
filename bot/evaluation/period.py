"""Periods of the evaluation: a calendar year or two dates, as instants in the groups' zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.ports.evaluation import Period
from bot.scheduling.timing import to_instant, to_local

DEFAULT_ZONE = "Europe/Copenhagen"


def period_of(first_day: date, last_day: date, *, timezone: str = DEFAULT_ZONE) -> Period:
    """From the start of `first_day` to the end of `last_day`, local time."""
    start = to_instant(datetime.combine(first_day, time()), timezone)
    end = to_instant(datetime.combine(last_day + timedelta(days=1), time()), timezone)
    return Period(start, end, first_day, last_day)


def year_period(year: int, *, timezone: str = DEFAULT_ZONE) -> Period:
    return period_of(date(year, 1, 1), date(year, 12, 31), timezone=timezone)


def previous_year(now: datetime, *, timezone: str = DEFAULT_ZONE) -> int:
    return to_local(now, timezone).year - 1


def starts_in_future(period: Period, now: datetime) -> bool:
    return period.start > now
