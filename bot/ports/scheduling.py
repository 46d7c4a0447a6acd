"""Ports of the scheduling work: meetings, the ledger of sent notifications, the follow-up
queries and leader election. Re-exported by `bot.ports`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.domain import (
    Agency,
    CaseId,
    Decision,
    GroupId,
    MemberId,
    Urgency,
)


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

    def encode(self) -> str:
        """The key as one string (an outbox row's link to the ledger)."""
        return json.dumps([self.kind, self.subject, self.occurrence, self.step])

    @classmethod
    def decode(cls, text: str) -> NotificationKey:
        kind, subject, occurrence, step = json.loads(text)
        return cls(str(kind), str(subject), str(occurrence), str(step))


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

    async def due_watches(self, now: datetime, *, limit: int) -> Sequence[CaseId]:
        """Watched cases due by `now`: acute before urgent, the longest due first."""
        ...

    async def set_watch(self, case_id: CaseId, next_at: datetime | None) -> None: ...
    async def open_decisions(
        self, group_id: GroupId, *, due_by: date, limit: int | None = None
    ) -> Sequence[OpenDecision]:
        """Decisions not done, on open cases, due on or before `due_by`, by due date; the
        first `limit` of them if given."""
        ...

    async def decisions_owned(
        self, group_id: GroupId, owner: Agency, *, limit: int
    ) -> Sequence[OpenDecision]:
        """Decisions not done, on open cases, owned by `owner`: dated ones by due date, then
        the undated ones; the first `limit`."""
        ...

    async def open_escalations(
        self, group_id: GroupId, *, limit: int | None = None
    ) -> Sequence[OpenEscalation]: ...
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


class SingleProcessLeader:
    """One process alone (SQLite: one bot process per database file, documented): it always
    leads."""

    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None
