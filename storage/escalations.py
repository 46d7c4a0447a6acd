"""The escalations a group raised to its steering level, numbered per group; their text is
sealed like every other free text."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import GroupId, MemberId
from storage.codec import TextCodec, numbered_aad
from storage.models import EscalationRow

ESCALATIONS = cast(Table, EscalationRow.__table__)


class SqlAlchemyEscalationRepository:
    def __init__(self, conn: AsyncConnection, codec: TextCodec) -> None:
        self._conn = conn
        self._codec = codec

    async def add(self, *, group_id: GroupId, text: str, by_member: MemberId, at: datetime) -> int:
        current = (
            await self._conn.execute(
                select(func.max(ESCALATIONS.c.number)).where(ESCALATIONS.c.group_id == group_id)
            )
        ).scalar_one_or_none()
        number = int(current or 0) + 1
        await self._conn.execute(
            insert(ESCALATIONS).values(
                group_id=group_id,
                number=number,
                text=self._codec.seal(
                    text, aad=numbered_aad("escalations", group_id, number, "text")
                ),
                by_member=by_member,
                at=at,
            )
        )
        return number

    async def mark_handled(self, group_id: GroupId, number: int, *, at: datetime) -> bool | None:
        row = (
            await self._conn.execute(
                select(ESCALATIONS.c.id, ESCALATIONS.c.handled_at).where(
                    ESCALATIONS.c.group_id == group_id, ESCALATIONS.c.number == number
                )
            )
        ).first()
        if row is None:
            return None
        if row.handled_at is not None:
            return False
        await self._conn.execute(
            update(ESCALATIONS).where(ESCALATIONS.c.id == row.id).values(handled_at=at)
        )
        return True
