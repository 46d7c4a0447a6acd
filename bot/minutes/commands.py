"""The commands of a meeting as it is prepared and run, as frozen values named for what they
ask."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AddToAgenda:
    ref: str


@dataclass(frozen=True)
class RemoveFromAgenda:
    ref: str


@dataclass(frozen=True)
class StartMeeting:
    number: int | None = None  # the scheduled meeting; None = today's, or one not scheduled


@dataclass(frozen=True)
class RecordAttendance:
    user: str | None = None  # None = the caller


@dataclass(frozen=True)
class NextCase:
    pass


@dataclass(frozen=True)
class MarkDiscussed:
    ref: str


@dataclass(frozen=True)
class SkipCase:
    ref: str


@dataclass(frozen=True)
class EndMeeting:
    pass


@dataclass(frozen=True)
class ShowMinutes:
    number: int


MinutesCommand = (
    AddToAgenda
    | RemoveFromAgenda
    | StartMeeting
    | RecordAttendance
    | NextCase
    | MarkDiscussed
    | SkipCase
    | EndMeeting
    | ShowMinutes
)
