"""The `meeting` commands, as frozen values named for what they ask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ScheduleMeeting:
    start: datetime  # naive local wall time in the group's zone
    rule: str | None = None  # RRULE value (from --every or --rrule)
    theme: str | None = None
    remind: tuple[int, ...] | None = None  # seconds before; None = the configured default


@dataclass(frozen=True)
class ListMeetings:
    pass


@dataclass(frozen=True)
class ShowAgenda:
    number: int | None = None


@dataclass(frozen=True)
class CancelMeeting:
    number: int
    occurrence: datetime | None = None  # one occurrence (local date [time]); None = all
    whole_series: bool = False


@dataclass(frozen=True)
class ExportCalendar:
    pass


MeetingCommand = ScheduleMeeting | ListMeetings | ShowAgenda | CancelMeeting | ExportCalendar
