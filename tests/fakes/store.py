"""The in-memory database behind the fakes: one table per kind of record, holding the core's
own frozen records, so a transaction is a shallow copy of the tables and a rollback throws the
copy away. Unique keys raise ConcurrentUpdateError, as the SQL unit of work reports an
IntegrityError."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from datetime import datetime

from bot.domain import (
    Acknowledgement,
    Agency,
    AuditEntry,
    BindingId,
    Case,
    CaseId,
    Decision,
    Group,
    GroupId,
    Member,
    MemberId,
    Note,
    Platform,
    ResponsibilityChange,
    RoomBinding,
)
from bot.messages import RoomRef
from bot.ports import ConcurrentUpdateError, MeetingRecord, NotificationKey
from bot.ports.evaluation import ClosureFact, PendingTransfer, SteeringGroup
from bot.ports.minutes import Attendance, HeldMeeting, ItemOrigin, ItemState, MeetingEntry, Pick
from bot.ports.outbox import OutboxEntry, OutboxStatus


@dataclass(frozen=True)
class MemberRow:
    member: Member
    active: bool


@dataclass(frozen=True)
class GuestRow:
    """A guest's access to one case (storage: case_guests)."""

    case_id: CaseId
    member_id: MemberId
    agency: Agency
    added_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None

    def runs_at(self, at: datetime) -> bool:
        return self.ended_at is None and self.expires_at > at


@dataclass(frozen=True)
class EscalationRow:
    group_id: GroupId
    number: int
    text: str
    by_member: MemberId
    at: datetime
    handled_at: datetime | None = None


@dataclass(frozen=True)
class PostedRow:
    id: int
    platform: Platform
    room_id: str
    message_id: str
    case_id: CaseId | None
    message_key: str | None
    at: datetime


@dataclass(frozen=True)
class LedgerRow:
    id: int
    group_id: GroupId
    state: str  # claimed | sent | skipped
    late: bool
    due_at: datetime
    claimed_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class OutboxRow:
    entry: OutboxEntry
    status: OutboxStatus
    next_attempt_at: datetime
    leased_until: datetime | None = None
    settled_at: datetime | None = None
    reason: str | None = None

    @property
    def room(self) -> RoomRef:
        return self.entry.reply.room

    def due(self, now: datetime) -> datetime:
        lease = self.leased_until
        return max(self.next_attempt_at, lease) if lease is not None else self.next_attempt_at


@dataclass(frozen=True)
class ItemRow:
    position: int
    state: ItemState
    origin: ItemOrigin


@dataclass(frozen=True)
class WatchRow:
    group_id: GroupId
    next_at: datetime | None


@dataclass
class Tables:
    groups: dict[GroupId, Group] = field(default_factory=dict)
    group_created: dict[GroupId, datetime] = field(default_factory=dict)
    bindings: dict[BindingId, RoomBinding] = field(default_factory=dict)
    members: dict[MemberId, MemberRow] = field(default_factory=dict)
    sequences: dict[tuple[GroupId, int], int] = field(default_factory=dict)
    cases: dict[CaseId, Case] = field(default_factory=dict)
    acknowledgements: dict[tuple[CaseId, str], tuple[int, Acknowledgement]] = field(
        default_factory=dict
    )
    history: dict[int, tuple[CaseId, ResponsibilityChange]] = field(default_factory=dict)
    decisions: dict[tuple[CaseId, int], Decision] = field(default_factory=dict)
    notes: dict[tuple[CaseId, int], Note] = field(default_factory=dict)
    escalations: dict[tuple[GroupId, int], EscalationRow] = field(default_factory=dict)
    audit: dict[int, AuditEntry] = field(default_factory=dict)
    events: dict[tuple[Platform, str], datetime] = field(default_factory=dict)
    posted: dict[int, PostedRow] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)
    meetings: dict[int, MeetingRecord] = field(default_factory=dict)
    ledger: dict[NotificationKey, LedgerRow] = field(default_factory=dict)
    watches: dict[CaseId, WatchRow] = field(default_factory=dict)
    authorities: dict[GroupId, frozenset[Agency]] = field(default_factory=dict)
    # The steering level (tests/fakes/evaluation.py).
    closures: dict[int, ClosureFact] = field(default_factory=dict)
    steering: dict[int, SteeringGroup] = field(default_factory=dict)
    steering_links: dict[GroupId, int] = field(default_factory=dict)
    answers: dict[tuple[GroupId, int], tuple[str, datetime]] = field(default_factory=dict)
    transfers: dict[int, tuple[PendingTransfer, CaseId | None]] = field(default_factory=dict)
    outbox: dict[int, OutboxRow] = field(default_factory=dict)
    guests: dict[int, GuestRow] = field(default_factory=dict)
    # The meeting as the record (tests/fakes/minutes.py).
    held: dict[int, HeldMeeting] = field(default_factory=dict)
    items: dict[tuple[int, CaseId], ItemRow] = field(default_factory=dict)
    attendance: dict[tuple[int, MemberId], Attendance] = field(default_factory=dict)
    entries: dict[tuple[int, int], MeetingEntry] = field(default_factory=dict)
    picks: dict[tuple[GroupId, CaseId], Pick] = field(default_factory=dict)
    last_id: dict[str, int] = field(default_factory=dict)

    def copy(self) -> Tables:
        # Rows are frozen: copying the containers is a full, independent copy.
        return Tables(**{f.name: copy.copy(getattr(self, f.name)) for f in fields(self)})

    def new_id(self, table: str) -> int:
        self.last_id[table] = self.last_id.get(table, 0) + 1
        return self.last_id[table]


def unique(condition: bool) -> None:
    """A unique key would be violated: the SQL unit of work reports this as a concurrent
    update, and so do the fakes."""
    if condition:
        raise ConcurrentUpdateError()


class MemoryDatabase:
    """What committed transactions leave behind. `version` counts commits that wrote: a
    transaction that wrote and finds it moved since it began loses (first committer wins),
    as a serializable database would have it."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.version = 0


class Transaction:
    """A private copy of the tables for one unit of work."""

    def __init__(self, database: MemoryDatabase) -> None:
        self.database = database
        self.tables = database.tables.copy()
        self.began_at = database.version
        self.wrote = False

    def write(self) -> Tables:
        self.wrote = True
        return self.tables

    def commit(self) -> None:
        if not self.wrote:
            return
        if self.database.version != self.began_at:
            raise ConcurrentUpdateError()
        self.database.tables = self.tables
        self.database.version += 1
        # Later statements of the same unit of work build on what was committed.
        self.tables = self.tables.copy()
        self.began_at = self.database.version
        self.wrote = False
