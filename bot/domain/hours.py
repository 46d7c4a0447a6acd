"""Working hours: when a group's representatives are at work. Outside them, acute cases reach
the agencies' duty contacts (bot/domain/routing.py) and non-acute reminders wait. Standard
library only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(8, 0)
    end: time = time(16, 0)
    days: frozenset[int] = frozenset(range(5))  # Monday=0 .. Friday=4

    def is_open(self, local: datetime) -> bool:
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def next_open(self, local: datetime) -> datetime:
        """The first local moment at or after `local` inside working hours."""
        if not self.days:
            return local
        if self.is_open(local):
            return local
        day = local.date()
        if local.weekday() in self.days and local.time() < self.start:
            return datetime.combine(day, self.start)
        for _ in range(8):
            day += timedelta(days=1)
            if day.weekday() in self.days:
                return datetime.combine(day, self.start)
        return local

    def previous_close(self, local: datetime) -> datetime:
        """The last local moment at or before `local` inside working hours (a minute before
        closing)."""
        if not self.days or self.is_open(local):
            return local
        last = (datetime.combine(date.min, self.end) - timedelta(minutes=1)).time()
        day = local.date()
        if local.weekday() in self.days and local.time() >= self.end:
            return datetime.combine(day, last)
        for _ in range(8):
            day -= timedelta(days=1)
            if day.weekday() in self.days:
                return datetime.combine(day, last)
        return local

    def last_working_day_before(self, day: date) -> date:
        for _ in range(8):
            day -= timedelta(days=1)
            if not self.days or day.weekday() in self.days:
                return day
        return day

    def is_working_day(self, day: date) -> bool:
        return not self.days or day.weekday() in self.days
