"""What happened: the domain events a command's use case emits once it has changed the record.

An event names the things that changed by their ids and the values that decided the change
(an agency, a number, who did it); never a text for a chat. The use case emits them inside
its unit of work (`Context.emit`); before the commit one dispatcher (`bot.announcing`) turns
each into the replies the group sees: the texts in the reader's language, the rooms and their
detail levels, mentions, buttons, threads and edits of the alert. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.model import Agency, CaseId, Decision, GroupId, MemberId


@dataclass(frozen=True)
class Event:
    """Something that happened to the record, told to the group by `bot.announcing`."""


# --- a case's life --------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFlagged(Event):
    case_id: CaseId


@dataclass(frozen=True)
class AcknowledgementRecorded(Event):
    case_id: CaseId
    agency: Agency
    by: MemberId


@dataclass(frozen=True)
class CaseClosed(Event):
    case_id: CaseId
    by: MemberId


@dataclass(frozen=True)
class CaseReopened(Event):
    case_id: CaseId
    by: MemberId


# --- action responsibility ------------------------------------------------------------------


@dataclass(frozen=True)
class ResponsibilityProposed(Event):
    """`agency` is asked to take responsibility; `target` is the member asked by name."""

    case_id: CaseId
    agency: Agency
    by: MemberId
    target: MemberId | None = None


@dataclass(frozen=True)
class ResponsibilityPlaced(Event):
    """Responsibility moved to `agency` at once, by the member's `take`, `assign` or
    `accept` (`how`: an assignment to one's own agency is kept in the history as a take, but
    the group hears of an assignment); `target` is the member an assignment named."""

    case_id: CaseId
    agency: Agency
    by: MemberId
    how: str
    target: MemberId | None = None


@dataclass(frozen=True)
class ProposalDeclined(Event):
    case_id: CaseId
    agency: Agency
    by: MemberId


# --- the case's guests ----------------------------------------------------------------------


@dataclass(frozen=True)
class GuestInvited(Event):
    """`guest` (a guest record) may see, note and acknowledge the case until the end of
    `until`, for `agency`."""

    case_id: CaseId
    guest: MemberId
    agency: Agency
    until: date


@dataclass(frozen=True)
class GuestRemoved(Event):
    case_id: CaseId
    guest: MemberId


# --- the case's record ----------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionRecorded(Event):
    """A decision was added to the case's record, as `decision` holds it."""

    case_id: CaseId
    decision: Decision
    by: MemberId


@dataclass(frozen=True)
class DecisionDone(Event):
    case_id: CaseId
    number: int
    by: MemberId


@dataclass(frozen=True)
class NoteAdded(Event):
    case_id: CaseId
    number: int


@dataclass(frozen=True)
class ProblemEscalated(Event):
    """A problem of the group put to its steering level (`text` is the member's own words,
    as recorded)."""

    group_id: GroupId
    number: int
    by: MemberId
    text: str


@dataclass(frozen=True)
class EscalationHandled(Event):
    """The lead recorded that the steering level answered escalation `number`."""

    group_id: GroupId
    number: int


# --- meetings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingScheduled(Event):
    group_id: GroupId
    number: int


@dataclass(frozen=True)
class MeetingCancelled(Event):
    """The whole meeting (or series), or only its `occurrence` (naive local start);
    `sequence` is the meeting's revision after the cancellation."""

    group_id: GroupId
    number: int
    sequence: int
    occurrence: datetime | None = None


@dataclass(frozen=True)
class MeetingStarted(Event):
    """A meeting (minutes `number`) began with `cases` cases on its agenda."""

    group_id: GroupId
    number: int
    by: MemberId
    cases: int


@dataclass(frozen=True)
class CasePresented(Event):
    """The running meeting (minutes `number`) took up a case: `position` of `total`."""

    group_id: GroupId
    number: int
    case_id: CaseId
    position: int
    total: int


@dataclass(frozen=True)
class MeetingEnded(Event):
    """The running meeting (minutes `number`) ended: its minutes are the record."""

    group_id: GroupId
    number: int


@dataclass(frozen=True)
class AgendaChanged(Event):
    """The lead or the responsible agency put a case on the next agenda (`added`) or took it
    off; `running_cases` is the running meeting's agenda size after an addition to it."""

    case_id: CaseId
    added: bool
    running_cases: int | None = None


@dataclass(frozen=True)
class CaseMarked(Event):
    """The running meeting marked a case discussed (or postponed it): `done` of `total`."""

    case_id: CaseId
    discussed: bool
    done: int
    total: int


# --- between groups -------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferRequested(Event):
    """The case is offered to another group; it moves when that group's lead accepts."""

    case_id: CaseId
    target_group_id: GroupId


@dataclass(frozen=True)
class TransferAccepted(Event):
    """The source case was closed as transferred; `moved_case_id` is its successor in the
    accepting group."""

    source_case_id: CaseId
    source_group_id: GroupId
    moved_case_id: CaseId


@dataclass(frozen=True)
class EscalationAnswered(Event):
    """The steering level answered escalation `number` of a group (`text`: its own words,
    as recorded)."""

    group_id: GroupId
    number: int
    text: str
