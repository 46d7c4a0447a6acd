"""In-memory escalations, audit log, processed events, posted messages and adapter state:
the same ports as storage/escalations.py, audit_log.py, processed_events.py,
posted_messages.py and adapter_state.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.domain import AuditEntry, BindingId, CaseId, GroupId, MemberId, Platform
from bot.ports import PostedMessage
from tests.fakes.store import EscalationRow, PostedRow, Transaction


class FakeEscalationRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(self, *, group_id: GroupId, text: str, by_member: MemberId, at: datetime) -> int:
        tables = self._tx.write()
        number = 1 + max((n for g, n in tables.escalations if g == group_id), default=0)
        tables.escalations[(group_id, number)] = EscalationRow(
            group_id, number, text, by_member, at
        )
        return number

    async def mark_handled(self, group_id: GroupId, number: int, *, at: datetime) -> bool | None:
        row = self._tx.tables.escalations.get((group_id, number))
        if row is None:
            return None
        if row.handled_at is not None:
            return False
        self._tx.write().escalations[(group_id, number)] = replace(row, handled_at=at)
        return True


class FakeAuditRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

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
    ) -> None:
        tables = self._tx.write()
        entry_id = tables.new_id("audit")
        tables.audit[entry_id] = AuditEntry(
            id=entry_id,
            at=at,
            action=action,
            actor_member_id=actor_member_id,
            group_id=group_id,
            case_id=case_id,
            binding_id=binding_id,
            detail=detail,
        )

    async def for_case(self, case_id: CaseId, *, limit: int) -> Sequence[AuditEntry]:
        entries = [e for _, e in sorted(self._tx.tables.audit.items()) if e.case_id == case_id]
        return entries[-limit:] if limit > 0 else []


class FakeEventLog:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def claim(self, platform: Platform, event_id: str, *, at: datetime) -> bool:
        if (platform, event_id) in self._tx.tables.events:
            return False
        self._tx.write().events[(platform, event_id)] = at
        return True


class FakePostedMessageLog:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def _rows(self) -> list[PostedRow]:
        return [row for _, row in sorted(self._tx.tables.posted.items())]

    async def record(
        self,
        *,
        platform: Platform,
        room_id: str,
        message_id: str,
        case_id: CaseId | None,
        message_key: str | None,
        at: datetime,
    ) -> None:
        tables = self._tx.write()
        row_id = tables.new_id("posted")
        tables.posted[row_id] = PostedRow(
            row_id, platform, room_id, message_id, case_id, message_key, at
        )

    async def find(self, platform: Platform, room_id: str, message_key: str) -> str | None:
        found = [
            r.message_id
            for r in self._rows()
            if r.platform is platform and r.room_id == room_id and r.message_key == message_key
        ]
        return found[-1] if found else None

    async def for_case(self, case_id: CaseId) -> Sequence[PostedMessage]:
        return [
            PostedMessage(r.id, r.platform, r.room_id, r.message_id)
            for r in self._rows()
            if r.case_id == case_id
        ]

    async def forget(self, ids: Sequence[int]) -> None:
        if ids:
            tables = self._tx.write()
            for row_id in ids:
                tables.posted.pop(row_id, None)

    async def pending_retraction(self, *, limit: int) -> Sequence[CaseId]:
        cases = self._tx.tables.cases
        purged = {
            r.case_id
            for r in self._rows()
            if r.case_id is not None
            and r.case_id in cases
            and cases[r.case_id].purged_at is not None
        }
        return sorted(purged)[:limit]


class FakeStateStore:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def get(self, key: str) -> str | None:
        return self._tx.tables.state.get(key)

    async def put(self, key: str, value: str, *, at: datetime) -> None:
        self._tx.write().state[key] = value
