"""The port of the meeting as the record: a meeting held (its agenda frozen at the start,
who was present, what was recorded while it ran) and the members' choices for the next
agenda. Re-exported by `bot.ports`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from bot.domain import Agency, CaseId, CaseSummaryRow, GroupId, MemberId, Urgency


class ItemState(StrEnum):
    PENDING = "pending"  # on the agenda, not reached yet
    CURRENT = "current"  # being discussed now
    DISCUSSED = "discussed"
    SKIPPED = "skipped"  # postponed: heads the next agenda


class ItemOrigin(StrEnum):
    AGENDA = "agenda"  # put there by the bot
    ADDED = "added"  # `meeting agenda add`
    CARRIED = "carried"  # not reached at the meeting before
    RAISED = "raised"  # taken up during the meeting without being on the agenda


class Pick(StrEnum):
    """A member's choice for the next agenda, or a case the last meeting did not reach."""

    ADD = "add"
    REMOVE = "remove"
    CARRY = "carry"


@dataclass(frozen=True)
class HeldMeeting:
    """One meeting as it was held. `number` is the minutes' number in the group (what
    `meeting minutes <no>` takes); `meeting_number` the scheduled meeting it was an
    occurrence of, if any."""

    id: int
    group_id: GroupId
    number: int
    meeting_number: int | None
    occurrence: datetime | None  # naive local start of the scheduled occurrence
    theme: str | None
    started_at: datetime
    started_by: MemberId | None
    ended_at: datetime | None
    current_case: CaseId | None

    @property
    def running(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class MeetingItem:
    """A case on a held meeting's agenda, with its one-line state as it stands now."""

    case_id: CaseId
    ref: str
    urgency: Urgency
    responsible: Agency | None
    summary: str  # "" once retention removed it
    purged: bool
    position: int
    state: ItemState
    origin: ItemOrigin


@dataclass(frozen=True)
class Attendance:
    member_id: MemberId
    agency: Agency
    at: datetime


@dataclass(frozen=True)
class MeetingEntry:
    """Something recorded while the meeting ran: a decision, a responsibility change, a
    note, a closing, a decision done, a systemic escalation. `facts` is what the minutes
    show of it (sealed at rest); None once retention purged the case. `discussed` is the
    case under discussion when it was recorded."""

    number: int
    case_id: CaseId | None
    ref: str | None
    discussed: CaseId | None
    kind: str
    facts: Mapping[str, str] | None
    by_member: MemberId | None
    at: datetime


@dataclass(frozen=True)
class AgendaCase:
    case_id: CaseId
    row: CaseSummaryRow
    pick: Pick | None  # ADD or CARRY if a member or the last meeting put it there


class MinutesRepository(Protocol):
    async def running(self, group_id: GroupId) -> HeldMeeting | None: ...
    async def get(self, group_id: GroupId, number: int) -> HeldMeeting | None: ...
    async def recent(self, group_id: GroupId, *, limit: int) -> Sequence[HeldMeeting]:
        """The group's latest meetings held (or running), newest first."""
        ...

    async def held_before(
        self, group_ids: Sequence[GroupId], end: datetime
    ) -> Sequence[HeldMeeting]:
        """Every meeting the groups ran from chat that began before `end`, oldest first
        (the evaluation counts meetings held from them)."""
        ...

    async def last_start(self, group_id: GroupId) -> datetime | None:
        """When the group's latest meeting began (what is "new" on the next agenda)."""
        ...

    async def start(
        self,
        *,
        group_id: GroupId,
        meeting_number: int | None,
        occurrence: datetime | None,
        theme: str | None,
        started_by: MemberId,
        at: datetime,
        items: Sequence[tuple[CaseId, ItemOrigin]],
    ) -> HeldMeeting:
        """A new running meeting with this agenda. Two meetings of one group cannot run at
        once: the second start raises ConcurrentUpdateError."""
        ...

    async def end(self, held_id: int, *, by: MemberId, at: datetime) -> None: ...
    async def set_current(self, held_id: int, case_id: CaseId | None) -> None: ...
    async def items(self, held_id: int) -> Sequence[MeetingItem]: ...
    async def add_item(
        self, held_id: int, case_id: CaseId, *, origin: ItemOrigin, state: ItemState
    ) -> None: ...
    async def mark(
        self, held_id: int, case_id: CaseId, state: ItemState, *, by: MemberId, at: datetime
    ) -> None: ...
    async def remove_item(self, held_id: int, case_id: CaseId) -> None: ...
    async def attend(
        self, held_id: int, *, member_id: MemberId, agency: Agency, by: MemberId, at: datetime
    ) -> bool:
        """Record attendance; False if the member was recorded before."""
        ...

    async def attendance(self, held_id: int) -> Sequence[Attendance]: ...
    async def add_entry(
        self,
        held_id: int,
        *,
        case_id: CaseId | None,
        discussed: CaseId | None,
        kind: str,
        facts: Mapping[str, str],
        by: MemberId | None,
        at: datetime,
    ) -> None: ...
    async def entries(self, held_id: int) -> Sequence[MeetingEntry]: ...
    async def picks(self, group_id: GroupId) -> Mapping[CaseId, Pick]: ...
    async def set_pick(
        self, group_id: GroupId, case_id: CaseId, pick: Pick, *, by: MemberId | None, at: datetime
    ) -> None: ...
    async def clear_picks(self, group_id: GroupId) -> None: ...
    async def agenda(
        self,
        group_id: GroupId,
        *,
        since: datetime | None,
        due_by: date,
        limit: int,
        count_up_to: int,
    ) -> tuple[Sequence[AgendaCase], int]:
        """The open cases of the next agenda, and how many there are (counted no further
        than `count_up_to` + 1): those the last meeting did not reach first, then by
        urgency and age. A case is on it if a member added it or the last meeting did not
        reach it, or it was flagged since `since` (every open case when None), has no
        responsible agency, or has a decision not done due by `due_by`; and no member took
        it off."""
        ...
