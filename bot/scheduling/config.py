"""The `[scheduler]` config section, read with SectionReader (see config.example.toml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from bot.config import ConfigError, SectionReader
from bot.scheduling.timing import WorkingHours, parse_offset

_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@dataclass(frozen=True)
class EscalationPeriods:
    """Seconds until the deputies are told, then seconds more until the group lead is."""

    to_deputies: int
    to_lead: int


@dataclass(frozen=True)
class SchedulerConfig:
    tick_seconds: int = 5
    acute: EscalationPeriods = EscalationPeriods(15 * 60, 30 * 60)
    urgent: EscalationPeriods = EscalationPeriods(4 * 3600, 8 * 3600)
    hours: WorkingHours = field(default_factory=WorkingHours)
    report_time: time = time(9, 0)
    agenda_cap: int = 20
    remind: tuple[int, ...] = (7 * 86400, 86400, 3600)
    meeting_minutes: int = 120
    # A claim older than this whose send was never confirmed is taken to be a crashed send.
    stale_claim_seconds: int = 120
    # How much work one tick does at most; the rest waits for the next tick.
    batch: int = 200
    # How long one tick works before it leaves the rest to the next (run at once): a reminder
    # that falls due while escalations drain waits at most about this long.
    tick_budget_seconds: float = 1.0
    # (month, day) and local time of the previous year's report in every steering room.
    yearly_report_day: tuple[int, int] = (1, 15)
    yearly_report_time: time = time(9, 0)
    # Seconds after the escalation to the lead until an acute case still not acknowledged
    # is paged (`[pager] after_minutes`); None: no pager is configured.
    page_after: int | None = None


def _clock_time(reader: SectionReader, key: str, default: time) -> time:
    value = reader.text(key, default.strftime("%H:%M"))
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ConfigError(f"config [scheduler] {key}: must be HH:MM, not {value!r}") from None


def _month_day(value: str) -> tuple[int, int]:
    """`MM-DD` of a day every year has (so not 29 February)."""
    try:
        month, day = (int(part) for part in value.split("-"))
        date(2025, month, day)
    except ValueError:
        raise ConfigError(
            f"config [scheduler] yearly_report_day: must be MM-DD, not {value!r}"
        ) from None
    return month, day


def parse_scheduler_config(table: Mapping[str, Any] | None) -> SchedulerConfig:
    reader = SectionReader("scheduler", table)
    base = SchedulerConfig()
    tick = reader.integer("tick_seconds", base.tick_seconds, minimum=1, maximum=60)
    budget_ms = reader.integer("tick_budget_ms", 1000, minimum=100, maximum=60_000)
    acute = EscalationPeriods(
        60 * reader.integer("acute_to_deputies_minutes", 15, minimum=1, maximum=24 * 60),
        60 * reader.integer("acute_to_lead_minutes", 30, minimum=1, maximum=24 * 60),
    )
    urgent = EscalationPeriods(
        60 * reader.integer("urgent_to_deputies_minutes", 240, minimum=1, maximum=7 * 24 * 60),
        60 * reader.integer("urgent_to_lead_minutes", 480, minimum=1, maximum=7 * 24 * 60),
    )
    start = _clock_time(reader, "work_start", time(8, 0))
    end = _clock_time(reader, "work_end", time(16, 0))
    if end <= start:
        raise ConfigError("config [scheduler] work_end: must be later than work_start")
    day_names = reader.text_list("work_days", ("mon", "tue", "wed", "thu", "fri"))
    unknown = [d for d in day_names if d.lower() not in _DAYS]
    if unknown:
        raise ConfigError(
            f"config [scheduler] work_days: {unknown[0]!r} is not one of {', '.join(_DAYS)}"
        )
    report = _clock_time(reader, "overdue_report_time", time(9, 0))
    cap = reader.integer("agenda_cap", 20, minimum=1, maximum=200)
    offsets: list[int] = []
    for token in reader.text_list("remind", ("7d", "1d", "1h")):
        seconds = parse_offset(token)
        if seconds is None:
            raise ConfigError(
                f"config [scheduler] remind: {token!r} must be like 7d, 1d, 1h or 30m"
            )
        offsets.append(seconds)
    minutes = reader.integer("meeting_minutes", 120, minimum=15, maximum=24 * 60)
    yearly_day = _month_day(reader.text("yearly_report_day", "01-15"))
    yearly_time = _clock_time(reader, "yearly_report_time", time(9, 0))
    reader.done()
    return SchedulerConfig(
        tick_seconds=tick,
        tick_budget_seconds=budget_ms / 1000,
        acute=acute,
        urgent=urgent,
        hours=WorkingHours(start, end, frozenset(_DAYS[d.lower()] for d in day_names)),
        report_time=report,
        agenda_cap=cap,
        remind=tuple(sorted(set(offsets), reverse=True)),
        meeting_minutes=minutes,
        yearly_report_day=yearly_day,
        yearly_report_time=yearly_time,
    )
