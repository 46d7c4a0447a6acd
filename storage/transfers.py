"""Requests to move a case from one group to another, and their acceptance."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import CaseId, GroupId
from bot.ports.evaluation import PendingTransfer
from storage.models import CaseRow
from storage.models_evaluation import CaseTransferRow

TRANSFERS = cast(Table, CaseTransferRow.__table__)
CASES = cast(Table, CaseRow.__table__)


def _pending(row: Row[Any]) -> PendingTransfer:
    return PendingTransfer(
        row.id, CaseId(row.case_id), GroupId(row.source_group_id), GroupId(row.target_group_id)
    )


class SqlAlchemyTransferRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def request(
        self,
        case_id: CaseId,
        *,
        source_group_id: GroupId,
        target_group_id: GroupId,
        requested_by: int,
        at: datetime,
    ) -> None:
        await self._conn.execute(
            insert(TRANSFERS).values(
                case_id=case_id,
                source_group_id=source_group_id,
                target_group_id=target_group_id,
                requested_by=requested_by,
                requested_at=at,
            )
        )

    async def pending_for_case(self, case_id: CaseId) -> PendingTransfer | None:
        row = (
            await self._conn.execute(
                select(TRANSFERS).where(
                    TRANSFERS.c.case_id == case_id, TRANSFERS.c.accepted_at.is_(None)
                )
            )
        ).first()
        return _pending(row) if row else None

    async def pending_to(self, target_group_id: GroupId, ref: str) -> PendingTransfer | None:
        row = (
            await self._conn.execute(
                select(TRANSFERS)
                .join(CASES, CASES.c.id == TRANSFERS.c.case_id)
                .where(
                    TRANSFERS.c.target_group_id == target_group_id,
                    TRANSFERS.c.accepted_at.is_(None),
                    CASES.c.ref == ref,
                    CASES.c.group_id == TRANSFERS.c.source_group_id,
                )
            )
        ).first()
        return _pending(row) if row else None

    async def accept(self, transfer_id: int, *, new_case_id: CaseId, at: datetime) -> None:
        await self._conn.execute(
            update(TRANSFERS)
            .where(TRANSFERS.c.id == transfer_id)
            .values(accepted_at=at, new_case_id=new_case_id)
        )
