"""The audit log: who did what, when, to which case. Rows are appended to a hash chain
(storage/audit_chain.py) and read back per case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import AuditEntry, BindingId, CaseId, GroupId, MemberId
from storage.audit_chain import append
from storage.models import AuditRow

AUDIT = cast(Table, AuditRow.__table__)


class SqlAlchemyAuditRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

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
        await append(
            self._conn,
            at=at,
            action=action,
            actor_member_id=actor_member_id,
            group_id=group_id,
            case_id=case_id,
            binding_id=binding_id,
            detail=detail,
        )

    async def for_case(self, case_id: CaseId, *, limit: int) -> Sequence[AuditEntry]:
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
