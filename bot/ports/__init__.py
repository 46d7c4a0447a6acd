"""The ports the core needs from the outside world. `storage/` implements the persistence
ports; the clock and the chat senders come from the composition root."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from bot.domain import (
    Acknowledgement,
    Agency,
    AuditEntry,
    BindingId,
    Case,
    CaseDetails,
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
from bot.ports.access import AccessRepository, KnownMember, MemberAction
from bot.ports.evaluation import (
    OutcomeLog,
    StatisticsQueries,
    SteeringRepository,
    TransferRepository,
)
from bot.ports.minutes import MinutesRepository
from bot.ports.outbox import OutboxRepository
from bot.ports.scheduling import (
    FollowUpQueries,
    LeaderElection,
    MeetingRecord,
    MeetingRepository,
    NotificationKey,
    NotificationLedger,
    OpenDecision,
    OpenEscalation,
    SingleProcessLeader,
)

__all__ = [
    "AccessRepository",
    "FollowUpQueries",
    "KnownMember",
    "LeaderElection",
    "MeetingRecord",
    "MeetingRepository",
    "MemberAction",
    "MinutesRepository",
    "NotificationKey",
    "NotificationLedger",
    "OpenDecision",
    "OpenEscalation",
    "OutboxRepository",
    "OutcomeLog",
    "SingleProcessLeader",
    "StatisticsQueries",
    "SteeringRepository",
    "TransferRepository",
]


class ConcurrentUpdateError(Exception):
    """Another transaction changed the same record first; the caller may retry."""


class DatabaseUnavailable(Exception):
    """The database cannot be reached (connection refused, server gone, a file that cannot
    be opened). Raised by the unit of work; the transaction was not committed."""


class DatabaseBusyError(Exception):
    """The database did not let the command in within its wait (SQLite's write lock held
    by another process): nothing was done; the person may try again in a moment."""


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
        self, platform: Platform, room_id: str, user_id: str, case_ref: str | None = None
    ) -> tuple[RoomBinding, Group, Member | None] | None:
        """The room's binding, its group and the sender's membership, in one round trip:
        every command needs all three first. `case_ref`: the canonical ref of the case the
        command names, which storage may read along for the command's first read of a case
        by ref (the same answer as reading it then)."""
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
    async def memberships(self, platform: Platform, user_id: str) -> Sequence[Member]:
        """The person's current memberships, in every group (oldest first)."""
        ...

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
    async def set_absence(
        self, member_id: MemberId, *, until: date | None, deputy: MemberId | None
    ) -> Member:
        """Away through `until` (None: back), with `deputy` standing in (None: the agency's
        deputies)."""
        ...

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
        acknowledged: Acknowledgement | None = None,
    ) -> Case:
        """A new open case; with `acknowledged`, that acknowledgement (the flagging agency's
        own) is stored with it, as add_acknowledgement would."""
        ...

    async def get_by_ref(self, group_id: GroupId, ref: str) -> Case | None: ...
    async def get(self, case_id: CaseId) -> Case | None: ...
    async def save(self, case: Case, *, expected_version: int) -> Case:
        """Write the case's mutable fields if its stored version is still `expected_version`
        (raises ConcurrentUpdateError otherwise) and return it with the version raised."""
        ...

    async def details(self, case: Case) -> CaseDetails:
        """The case with its acknowledgements, responsibility history, decisions and notes,
        each in the order it was recorded."""
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
        offset: int = 0,
        count_up_to: int | None = None,
        with_acknowledgements: bool = False,
    ) -> tuple[Sequence[CaseSummaryRow], int]:
        """`limit` cases from `offset` on (urgency, then age) and how many match in all,
        counted no further than `count_up_to` (count_up_to + 1 then means "more than that"),
        with the agencies that acknowledged each if asked (one query for the page)."""
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


class UnitOfWork(Protocol):
    """One transaction. A write's failure (ConcurrentUpdateError for a clash or a stale
    version) surfaces at the write or, where the database holds writes back to send them
    with a later statement, at that statement or `commit()` at the latest; either way nothing
    of the unit of work is kept."""

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
    @property
    def access(self) -> AccessRepository: ...
    @property
    def statistics(self) -> StatisticsQueries: ...
    @property
    def outcomes(self) -> OutcomeLog: ...
    @property
    def steering(self) -> SteeringRepository: ...
    @property
    def transfers(self) -> TransferRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def minutes(self) -> MinutesRepository: ...

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
    def autocommit(self) -> UnitOfWork:
        """A unit of work for a caller that writes exactly one statement: on PostgreSQL the
        statement commits by itself (no BEGIN and COMMIT round trips); elsewhere an ordinary
        transaction. The caller still calls `commit()`."""
        ...
