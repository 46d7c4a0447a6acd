"""The ports the core needs from the outside world. `storage/` implements the persistence
ports; the clock and the chat senders come from the composition root."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from bot.domain import (
    Acknowledgement,
    Agency,
    AuditEntry,
    BindingId,
    Case,
    CaseId,
    CaseStatus,
    CaseSummaryRow,
    Decision,
    DetailLevel,
    Group,
    GroupId,
    GroupKind,
    Member,
    MemberId,
    Note,
    Platform,
    ResponsibilityChange,
    Role,
    RoomBinding,
    RoomPurpose,
    Tag,
    Urgency,
)


class ConcurrentUpdateError(Exception):
    """Another transaction changed the same record first; the caller may retry."""


class DuplicateError(Exception):
    """A record that must be unique exists already (raised by storage on a unique clash)."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class GroupRepository(Protocol):
    async def get(self, group_id: GroupId) -> Group | None: ...
    async def get_by_name(self, name: str) -> Group | None: ...
    async def add(self, *, name: str, kind: GroupKind, prefix: str, timezone: str) -> Group: ...
    async def binding_for_room(self, platform: Platform, room_id: str) -> RoomBinding | None: ...
    async def room_context(
        self, platform: Platform, room_id: str, user_id: str
    ) -> tuple[RoomBinding, Group, Member | None] | None:
        """The room's binding, its group and the sender's membership, in one round trip:
        every command needs all three first."""
        ...

    async def bindings(self, group_id: GroupId) -> Sequence[RoomBinding]: ...
    async def bind(
        self,
        *,
        group_id: GroupId,
        platform: Platform,
        room_id: str,
        detail: DetailLevel,
        purpose: RoomPurpose,
    ) -> RoomBinding: ...
    async def next_case_number(self, group_id: GroupId, year: int) -> int: ...


class MemberRepository(Protocol):
    async def find(self, group_id: GroupId, platform: Platform, user_id: str) -> Member | None: ...
    async def get(self, member_id: MemberId) -> Member | None: ...
    async def list(self, group_id: GroupId) -> Sequence[Member]: ...
    async def add(
        self,
        *,
        group_id: GroupId,
        platform: Platform,
        user_id: str,
        display_name: str,
        agency: Agency,
        role: Role,
    ) -> Member: ...
    async def update(self, member_id: MemberId, *, agency: Agency, role: Role) -> Member: ...
    async def remove(self, member_id: MemberId) -> None: ...


class CaseRepository(Protocol):
    async def add(
        self,
        *,
        group_id: GroupId,
        ref: str,
        urgency: Urgency,
        summary: str,
        tags: tuple[Tag, ...],
        flagged_by: MemberId,
        flagging_agency: Agency,
        at: datetime,
    ) -> Case: ...
    async def get_by_ref(self, group_id: GroupId, ref: str) -> Case | None: ...
    async def get(self, case_id: CaseId) -> Case | None: ...
    async def save(self, case: Case, *, expected_version: int) -> Case:
        """Write the case's mutable fields if its stored version is still `expected_version`
        (raises ConcurrentUpdateError otherwise) and return it with the version raised."""
        ...

    async def acknowledgements(self, case_id: CaseId) -> Sequence[Acknowledgement]: ...
    async def add_acknowledgement(
        self, case_id: CaseId, *, agency: Agency, member_id: MemberId | None, at: datetime
    ) -> None: ...
    async def history(self, case_id: CaseId) -> Sequence[ResponsibilityChange]: ...
    async def add_history(self, case_id: CaseId, change: ResponsibilityChange) -> None: ...
    async def decisions(self, case_id: CaseId) -> Sequence[Decision]: ...
    async def add_decision(
        self,
        case_id: CaseId,
        *,
        text: str,
        owner: Agency,
        due: date | None,
        fallback: str | None,
        fallback_owner: Agency | None,
        by_member: MemberId,
        at: datetime,
    ) -> Decision: ...
    async def mark_decision_done(self, case_id: CaseId, number: int, *, at: datetime) -> None: ...
    async def notes(self, case_id: CaseId) -> Sequence[Note]: ...
    async def add_note(
        self, case_id: CaseId, *, text: str, by_member: MemberId, at: datetime
    ) -> Note: ...
    async def list(
        self,
        group_id: GroupId,
        *,
        status: CaseStatus | None,
        responsible: Agency | None,
        limit: int,
    ) -> tuple[Sequence[CaseSummaryRow], int]:
        """The first `limit` cases (urgency, then age) and how many match in all."""
        ...


class EscalationRepository(Protocol):
    async def add(
        self, *, group_id: GroupId, text: str, by_member: MemberId, at: datetime
    ) -> int: ...
    async def mark_handled(self, group_id: GroupId, number: int, *, at: datetime) -> bool | None:
        """True if marked now, False if it was handled before, None if there is no such
        escalation in the group."""
        ...


class AuditRepository(Protocol):
    async def record(
        self,
        *,
        at: datetime,
        action: str,
        actor_member_id: MemberId | None,
        group_id: GroupId | None,
        case_id: CaseId | None,
        binding_id: BindingId | None,
        detail: str = "",
    ) -> None: ...
    async def for_case(self, case_id: CaseId, *, limit: int) -> Sequence[AuditEntry]: ...


class EventLog(Protocol):
    async def claim(self, platform: Platform, event_id: str, *, at: datetime) -> bool:
        """Record a platform event id; False if it was recorded before (a re-delivery)."""
        ...


@dataclass(frozen=True)
class RetentionCase:
    """A case retention acts on: purge (closed long enough) or report (open, untouched).
    `at` is closed_at for a purge and updated_at for a stale case. Refs only, no text."""

    case_id: CaseId
    group_id: GroupId
    ref: str
    at: datetime


@dataclass(frozen=True)
class PostedMessage:
    """A chat message the bot posted about a case (retracted at purge)."""

    id: int
    platform: Platform
    room_id: str
    message_id: str


class PostedMessageLog(Protocol):
    async def record(
        self,
        *,
        platform: Platform,
        room_id: str,
        message_id: str,
        case_id: CaseId | None,
        message_key: str | None,
        at: datetime,
    ) -> None: ...
    async def find(self, platform: Platform, room_id: str, message_key: str) -> str | None: ...
    async def for_case(self, case_id: CaseId) -> Sequence[PostedMessage]:
        """Every message the bot posted about the case that is still remembered."""
        ...

    async def forget(self, ids: Sequence[int]) -> None: ...
    async def pending_retraction(self, *, limit: int) -> Sequence[CaseId]:
        """Purged cases whose chat messages are still remembered (not yet retracted)."""
        ...


class StateStore(Protocol):
    """Named values an adapter keeps across restarts, written in the same database."""

    async def get(self, key: str) -> str | None: ...
    async def put(self, key: str, value: str, *, at: datetime) -> None: ...


# --- scheduling: meetings, the sent-notification ledger, follow-up queries ---------------


@dataclass(frozen=True)
class MeetingRecord:
    """A meeting or a series as stored. Starts are local wall times in `timezone`."""

    id: int
    group_id: GroupId
    number: int
    start_local: datetime  # naive, local wall time
    timezone: str
    duration_minutes: int
    rule: str | None  # RFC 5545 RRULE value, None for a one-off meeting
    theme: str | None
    remind: tuple[int, ...]  # seconds before the start
    exdates: frozenset[datetime]  # cancelled occurrences (naive local starts)
    sequence: int
    cancelled: bool
    next_due_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NotificationKey:
    """What was sent: kind ("reminder", "escalation", "followup", "fallback"), its subject,
    which occurrence and which step. Unique in the ledger: the exactly-once guarantee."""

    kind: str
    subject: str
    occurrence: str = ""
    step: str = ""


@dataclass(frozen=True)
class OpenDecision:
    case_id: CaseId
    case_ref: str
    group_id: GroupId
    case_created_at: datetime
    decision: Decision


@dataclass(frozen=True)
class OpenEscalation:
    number: int
    text: str
    at: datetime


class MeetingRepository(Protocol):
    async def add(
        self,
        *,
        group_id: GroupId,
        start_local: datetime,
        timezone: str,
        duration_minutes: int,
        rule: str | None,
        theme: str | None,
        remind: tuple[int, ...],
        created_by: MemberId | None,
        at: datetime,
    ) -> MeetingRecord: ...
    async def get(self, group_id: GroupId, number: int) -> MeetingRecord | None: ...
    async def by_id(self, meeting_id: int) -> MeetingRecord | None: ...
    async def list(
        self, group_id: GroupId, *, include_cancelled: bool = False
    ) -> Sequence[MeetingRecord]:
        """The group's meetings (without the cancelled ones unless asked), by number."""
        ...

    async def save(self, meeting: MeetingRecord) -> None:
        """Write exdates, sequence, cancelled, next_due_at and updated_at."""
        ...

    async def set_next_due(self, meeting_id: int, next_due_at: datetime | None) -> None: ...
    async def due(self, now: datetime, *, limit: int) -> Sequence[MeetingRecord]:
        """Meetings whose next_due_at has come, earliest first."""
        ...


class NotificationLedger(Protocol):
    async def claim(
        self,
        key: NotificationKey,
        *,
        group_id: GroupId,
        due_at: datetime,
        late: bool,
        at: datetime,
        stale_before: datetime,
    ) -> bool:
        """Take the key: insert it as claimed, or take over a claim older than
        `stale_before` that was never marked sent (its sender died). False if another
        sender has it or it is done."""
        ...

    async def mark_sent(self, key: NotificationKey, *, at: datetime) -> None: ...
    async def mark_all_sent(self, keys: Sequence[NotificationKey], *, at: datetime) -> None: ...
    async def record_sent(
        self, keys: Sequence[NotificationKey], *, group_id: GroupId, at: datetime
    ) -> None:
        """Record keys as sent in one go, for notes that travel inside another message
        whose own key already guarantees exactly once (a fallback inside the follow-up)."""
        ...

    async def skip(
        self, key: NotificationKey, *, group_id: GroupId, due_at: datetime, at: datetime
    ) -> None:
        """Record that it will never be sent (missed while the bot was down)."""
        ...

    async def known(self, kind: str, subjects: Sequence[str]) -> set[NotificationKey]:
        """Every key of these subjects that is claimed, sent or skipped."""
        ...

    async def stale_claims(self, before: datetime, *, limit: int) -> Sequence[NotificationKey]: ...


class FollowUpQueries(Protocol):
    async def discover_cases(
        self, since: datetime, *, first_steps: Mapping[Urgency, timedelta]
    ) -> int:
        """Start watching the open cases of these urgencies flagged since `since`, each
        due at its flag time plus the urgency's first escalation period."""
        ...

    async def due_watches(self, now: datetime, *, limit: int) -> Sequence[CaseId]: ...
    async def set_watch(self, case_id: CaseId, next_at: datetime | None) -> None: ...
    async def open_decisions(self, group_id: GroupId, *, due_by: date) -> Sequence[OpenDecision]:
        """Decisions not done, on open cases, due on or before `due_by`, by due date."""
        ...

    async def open_escalations(self, group_id: GroupId) -> Sequence[OpenEscalation]: ...
    async def next_due(self) -> datetime | None:
        """The earliest next_due_at of any meeting or escalation watch."""
        ...

    async def group_zones(self) -> Sequence[tuple[GroupId, str]]:
        """Every group with its time zone."""
        ...


class LeaderElection(Protocol):
    """Who of several bot processes does the scheduled work."""

    async def acquire(self) -> bool:
        """Become (or stay) the leader if no one else is; True while this process leads."""
        ...

    async def release(self) -> None: ...


class UnitOfWork(Protocol):
    @property
    def groups(self) -> GroupRepository: ...
    @property
    def members(self) -> MemberRepository: ...
    @property
    def cases(self) -> CaseRepository: ...
    @property
    def escalations(self) -> EscalationRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def events(self) -> EventLog: ...
    @property
    def messages(self) -> PostedMessageLog: ...
    @property
    def state(self) -> StateStore: ...
    @property
    def meetings(self) -> MeetingRepository: ...
    @property
    def ledger(self) -> NotificationLedger: ...
    @property
    def followup(self) -> FollowUpQueries: ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
