"""Commands of the steering level, as frozen values named for what they ask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class MakeReport:
    """`report [YEAR | FROM TO]`: None means the previous calendar year."""

    first_day: date | None = None
    last_day: date | None = None


@dataclass(frozen=True)
class SetUpSteering:
    name: str


@dataclass(frozen=True)
class LinkGroup:
    group: str


@dataclass(frozen=True)
class UnlinkGroup:
    group: str


@dataclass(frozen=True)
class AnswerEscalation:
    group: str | None  # needed when the steering group oversees several groups
    number: int
    text: str


@dataclass(frozen=True)
class RequestTransfer:
    """`transfer <case> <group> [--confirm]`: confirm is needed for a group of another kind."""

    ref: str
    group: str
    confirm: bool = False


@dataclass(frozen=True)
class AcceptTransfer:
    ref: str


SteeringCommand = (
    MakeReport
    | SetUpSteering
    | LinkGroup
    | UnlinkGroup
    | AnswerEscalation
    | RequestTransfer
    | AcceptTransfer
)
