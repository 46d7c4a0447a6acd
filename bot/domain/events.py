"""What happened: the domain events a command's use case emits once it has changed the record.

An event names the things that changed by their ids and the values that decided the change
(an agency, a number, who did it); never a text for a chat. The use case emits them inside
its unit of work (`Context.emit`); before the commit one dispatcher (`bot.announcing`) turns
each into the replies the group sees: the texts in the reader's language, the rooms and their
detail levels, mentions, buttons, threads and edits of the alert. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.model import Agency, CaseId, MemberId


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
