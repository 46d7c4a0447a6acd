"""The commands of the chat language, as frozen values named for what they ask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain import Agency, DetailLevel, GroupKind, Role, RoomPurpose, Tag, Urgency
from bot.domain.outcome import Outcome
from bot.evaluation.commands import SteeringCommand
from bot.minutes.commands import MinutesCommand
from bot.scheduling.commands import MeetingCommand


class ListScope(StrEnum):
    OPEN = "open"
    MINE = "mine"
    CLOSED = "closed"
    ALL = "all"


@dataclass(frozen=True)
class ShowHelp:
    verb: str | None = None


@dataclass(frozen=True)
class FlagCase:
    urgency: Urgency
    summary: str
    tags: tuple[Tag, ...] = ()


@dataclass(frozen=True)
class AcknowledgeCase:
    ref: str


@dataclass(frozen=True)
class AssignCase:
    ref: str
    agency: Agency
    member: str | None = None


@dataclass(frozen=True)
class AcceptAssignment:
    ref: str


@dataclass(frozen=True)
class DeclineAssignment:
    ref: str
    reason: str


@dataclass(frozen=True)
class TakeCase:
    ref: str


@dataclass(frozen=True)
class RecordDecision:
    ref: str
    text: str
    owner: Agency | None = None
    due: date | None = None
    fallback: str | None = None
    fallback_owner: Agency | None = None


@dataclass(frozen=True)
class CompleteDecision:
    ref: str
    number: int


@dataclass(frozen=True)
class AddNote:
    ref: str
    text: str


@dataclass(frozen=True)
class ShowCase:
    ref: str


@dataclass(frozen=True)
class ListCases:
    scope: ListScope = ListScope.OPEN
    agency: Agency | None = None  # only cases this agency is responsible for
    page: int = 1


@dataclass(frozen=True)
class CloseCase:
    ref: str
    resolution: str
    outcome: Outcome | None = None  # required for a new close; the parser insists


@dataclass(frozen=True)
class ReopenCase:
    ref: str
    reason: str


@dataclass(frozen=True)
class AddMember:
    user: str
    agency: Agency
    role: Role = Role.REP


@dataclass(frozen=True)
class RemoveMember:
    user: str


@dataclass(frozen=True)
class ListMembers:
    pass


@dataclass(frozen=True)
class SetUpGroup:
    name: str
    kind: GroupKind = GroupKind.PSP
    prefix: str | None = None
    detail: DetailLevel = DetailLevel.FULL
    purpose: RoomPurpose = RoomPurpose.OPERATIVE


@dataclass(frozen=True)
class ShowAuthorities:
    pass


@dataclass(frozen=True)
class SetAuthorities:
    """The agencies that can hold action responsibility; None: the group kind's set."""

    agencies: tuple[Agency, ...] | None


@dataclass(frozen=True)
class EscalateProblem:
    text: str


@dataclass(frozen=True)
class MarkEscalationHandled:
    number: int


@dataclass(frozen=True)
class ShowAudit:
    ref: str


@dataclass(frozen=True)
class ShowMemberAudit:
    """Everything one member (also a removed one) read or changed in the group."""

    user: str
    since: date | None = None


@dataclass(frozen=True)
class AddGuest:
    ref: str
    user: str
    agency: Agency
    until: date | None = None


@dataclass(frozen=True)
class RemoveGuest:
    ref: str
    user: str


@dataclass(frozen=True)
class ListGuests:
    ref: str


@dataclass(frozen=True)
class MarkAway:
    """`away until <YYYY-MM-DD> [--deputy @user]`: the caller is away through that day."""

    until: date
    deputy: str | None = None


@dataclass(frozen=True)
class MarkBack:
    """`back`: the caller's absence ends now."""


@dataclass(frozen=True)
class ShowOnCall:
    """`duty`: who an acute case would reach right now, per agency."""


@dataclass(frozen=True)
class SendTestPage:
    """`page test [agency]` (lead): a test page through the configured gateway."""

    agency: Agency | None = None


Command = (
    ShowHelp
    | FlagCase
    | AcknowledgeCase
    | AssignCase
    | AcceptAssignment
    | DeclineAssignment
    | TakeCase
    | RecordDecision
    | CompleteDecision
    | AddNote
    | ShowCase
    | ListCases
    | CloseCase
    | ReopenCase
    | AddMember
    | RemoveMember
    | ListMembers
    | SetUpGroup
    | ShowAuthorities
    | SetAuthorities
    | EscalateProblem
    | MarkEscalationHandled
    | ShowAudit
    | ShowMemberAudit
    | AddGuest
    | RemoveGuest
    | ListGuests
    | MarkAway
    | MarkBack
    | ShowOnCall
    | SendTestPage
    | MeetingCommand
    | MinutesCommand
    | SteeringCommand
)
