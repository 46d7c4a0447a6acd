"""SQLAlchemy implementation of the need-to-know access port."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Agency, GroupId
from storage.models_access import GroupAuthorityRow

AUTHORITIES = cast(Table, GroupAuthorityRow.__table__)


class SqlAlchemyAccessRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def authorities(self, group_id: GroupId) -> tuple[Agency, ...] | None:
        rows = await self._conn.execute(
            select(AUTHORITIES.c.agency).where(AUTHORITIES.c.group_id == group_id)
        )
        chosen = {Agency(r.agency) for r in rows}
        return tuple(a for a in Agency if a in chosen) if chosen else None

    async def set_authorities(self, group_id: GroupId, agencies: Sequence[Agency] | None) -> None:
        await self._conn.execute(delete(AUTHORITIES).where(AUTHORITIES.c.group_id == group_id))
        if agencies:
            await self._conn.execute(
                insert(AUTHORITIES),
                [{"group_id": group_id, "agency": a.value} for a in dict.fromkeys(agencies)],
            )
