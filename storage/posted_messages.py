"""The chat messages the bot posted, so a later reply can edit them and a purged case's
messages can be retracted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import CaseId, Platform
from bot.ports import PostedMessage
from storage import direct
from storage.delivery_statements import FIND_POSTED, INSERT_POSTED, POSTED
from storage.models import CaseRow

CASES = cast(Table, CaseRow.__table__)


class SqlAlchemyPostedMessageLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

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
        # Nobody reads it back in this transaction: on PostgreSQL it goes out with the next
        # statement (the settling of the reply's row, or the commit).
        await direct.defer(
            self._conn,
            INSERT_POSTED,
            {
                "platform": platform.value,
                "room_id": room_id,
                "message_id": message_id,
                "case_id": case_id,
                "message_key": message_key,
                "at": at,
            },
        )

    async def find(self, platform: Platform, room_id: str, message_key: str) -> str | None:
        params = {"platform": platform.value, "room_id": room_id, "message_key": message_key}
        row = (await direct.execute(self._conn, FIND_POSTED, params)).scalar_one_or_none()
        return str(row) if row is not None else None

    async def for_case(self, case_id: CaseId) -> Sequence[PostedMessage]:
        rows = await self._conn.execute(
            select(POSTED).where(POSTED.c.case_id == case_id).order_by(POSTED.c.id)
        )
        return [PostedMessage(r.id, Platform(r.platform), r.room_id, r.message_id) for r in rows]

    async def forget(self, ids: Sequence[int]) -> None:
        if ids:
            await self._conn.execute(delete(POSTED).where(POSTED.c.id.in_(list(ids))))

    async def pending_retraction(self, *, limit: int) -> Sequence[CaseId]:
        rows = await self._conn.execute(
            select(POSTED.c.case_id)
            .join(CASES, CASES.c.id == POSTED.c.case_id)
            .where(CASES.c.purged_at.is_not(None))
            .group_by(POSTED.c.case_id)
            .order_by(POSTED.c.case_id)
            .limit(limit)
        )
        return [CaseId(r.case_id) for r in rows]
