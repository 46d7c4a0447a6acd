"""The audit log: who did what, when, to which case. Rows are appended to a hash chain
(storage/audit_chain.py) and read back per case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import AuditEntry, BindingId, CaseId, GroupId, MemberId
from storage.audit_chain import append_row, appended_row
from storage.models import AuditRow

AUDIT = cast(Table, AuditRow.__table__)


async def flush_pending(
    conn: AsyncConnection, pending: list[dict[str, Any]] | None, *, closing: bool = False
) -> None:
    """Append a unit of work's recorded rows, oldest first (see SqlAlchemyAuditRepository);
    with `closing`, the last of them is the unit of work's last statement (storage/direct.py)."""
    while pending:
        row = pending.pop(0)
        await append_row(conn, row, closing=closing and not pending)


class SqlAlchemyAuditRepository:
    """With `pending` (a PostgreSQL unit of work's list), rows are appended when the unit of
    work writes its outbox rows (in the same statement) or commits, or before the log is
    read: one round trip less per command, and the chain's head is locked for the last
    moments of the transaction only. The rows and their order are the same."""

    def __init__(self, conn: AsyncConnection, pending: list[dict[str, Any]] | None = None) -> None:
        self._conn = conn
        self._pending = pending

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
        # Tamper evidence (storage/audit_chain.py): each row hashes the one before it.
        row = appended_row(
            at=at,
            action=action,
            actor_member_id=actor_member_id,
            group_id=group_id,
            case_id=case_id,
            binding_id=binding_id,
            detail=detail,
        )
        if self._pending is None:
            await append_row(self._conn, row)
        else:
            self._pending.append(row)

    async def flush(self) -> None:
        """Append the rows recorded so far."""
        await flush_pending(self._conn, self._pending)

    async def for_case(self, case_id: CaseId, *, limit: int) -> Sequence[AuditEntry]:
        await self.flush()
        rows = await self._conn.execute(
            select(AUDIT).where(AUDIT.c.case_id == case_id).order_by(AUDIT.c.id.desc()).limit(limit)
        )
        entries = [
            AuditEntry(
                id=r.id,
                at=r.at,
                action=r.action,
                actor_member_id=MemberId(r.actor_member_id) if r.actor_member_id else None,
                group_id=GroupId(r.group_id) if r.group_id else None,
                case_id=CaseId(r.case_id) if r.case_id else None,
                binding_id=BindingId(r.binding_id) if r.binding_id else None,
                detail=r.detail,
            )
            for r in rows
        ]
        return entries[::-1]
