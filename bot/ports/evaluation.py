"""Ports of the steering level: the structured facts the yearly evaluation is computed from
(never free text), how cases ended, and the steering groups over operative groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.domain import Agency, CaseId, CaseStatus, GroupId, Platform, Tag, Urgency
from bot.domain.outcome import Outcome

SteeringId = int


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC; `first_day`/`last_day` are what the report says."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date


@dataclass(frozen=True)
class CaseFact:
    case_id: CaseId
    group_id: GroupId
    urgency: Urgency
    tags: tuple[Tag, ...]
    flagging_agency: Agency
    status: CaseStatus
    responsible: Agency | None
    created_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class AckFact:
    case_id: CaseId
    agency: Agency
    at: datetime


@dataclass(frozen=True)
class ResponsibilityFact:
    """One row of a case's responsibility history: how is take/assign/accept/decline."""

    case_id: CaseId
    agency: Agency | None
    how: str
    at: datetime


@dataclass(frozen=True)
class DecisionFact:
    case_id: CaseId
    group_id: GroupId
    owner: Agency
    due: date | None
    done_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class NoticeFact:
    """A scheduled notice the ledger sent: an escalation step (deputies, lead) of a missing
    acknowledgement, or a fallback plan announced as in force."""

    group_id: GroupId
    kind: str
    step: str
    at: datetime


@dataclass(frozen=True)
class ClosureFact:
    """A close (with its outcome; None before outcomes were recorded) or a reopen."""

    case_id: CaseId
    group_id: GroupId
    event: str  # "close" | "reopen"
    outcome: Outcome | None
    at: datetime


@dataclass(frozen=True)
class EscalationFact:
    group_id: GroupId
    at: datetime
    answered_at: datetime | None
    handled_at: datetime | None


@dataclass(frozen=True)
class PeriodFacts:
    cases: Sequence[CaseFact]
    acknowledgements: Sequence[AckFact]
    responsibility: Sequence[ResponsibilityFact]
    decisions: Sequence[DecisionFact]
    notices: Sequence[NoticeFact]
    closures: Sequence[ClosureFact]
    escalations: Sequence[EscalationFact]


class StatisticsQueries(Protocol):
    async def facts(self, group_ids: Sequence[GroupId], period: Period) -> PeriodFacts:
        """Every structured fact of these groups that bears on the period: cases flagged
        before its end and not closed before its start, with their acknowledgements and
        history; decisions made or due in it; notices, closures and escalations in it."""
        ...


class OutcomeLog(Protocol):
    async def record(
        self,
        case_id: CaseId,
        *,
        group_id: GroupId,
        event: str,
        outcome: Outcome | None,
        at: datetime,
    ) -> None: ...


@dataclass(frozen=True)
class SteeringGroup:
    id: SteeringId
    name: str
    platform: Platform
    room_id: str


@dataclass(frozen=True)
class EscalationAnswer:
    group_id: GroupId
    number: int
    answered_at: datetime
    text: str


class SteeringRepository(Protocol):
    async def add(
        self, *, name: str, platform: Platform, room_id: str, at: datetime
    ) -> SteeringGroup: ...
    async def by_name(self, name: str) -> SteeringGroup | None: ...
    async def by_room(self, platform: Platform, room_id: str) -> SteeringGroup | None: ...
    async def all(self) -> Sequence[SteeringGroup]: ...
    async def of_group(self, group_id: GroupId) -> SteeringGroup | None: ...
    async def groups(self, steering_id: SteeringId) -> Sequence[GroupId]: ...
    async def link(self, steering_id: SteeringId, group_id: GroupId, *, at: datetime) -> None: ...
    async def unlink(self, group_id: GroupId) -> None: ...
    async def answer(
        self, group_id: GroupId, number: int, *, text: str, at: datetime
    ) -> bool | None:
        """Record the steering group's answer to escalation `number` of the group: True if
        recorded, False if it was answered before, None if there is no such escalation."""
        ...

    async def answers(self, group_id: GroupId) -> Sequence[EscalationAnswer]:
        """Answered escalations of the group that its lead has not marked handled."""
        ...


@dataclass(frozen=True)
class PendingTransfer:
    id: int
    case_id: CaseId
    source_group_id: GroupId
    target_group_id: GroupId


class TransferRepository(Protocol):
    async def request(
        self,
        case_id: CaseId,
        *,
        source_group_id: GroupId,
        target_group_id: GroupId,
        requested_by: int,
        at: datetime,
    ) -> None: ...
    async def pending_for_case(self, case_id: CaseId) -> PendingTransfer | None: ...
    async def pending_to(self, target_group_id: GroupId, ref: str) -> PendingTransfer | None:
        """The open request to this group for the case with this ref (a ref of the source
        group: the one the request named)."""
        ...

    async def accept(self, transfer_id: int, *, new_case_id: CaseId, at: datetime) -> None: ...
