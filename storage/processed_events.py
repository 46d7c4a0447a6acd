"""The platform events already handled: claiming one twice answers False, so a redelivered
event never runs its command again."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Platform
from storage.models import ProcessedEventRow

EVENTS = cast(Table, ProcessedEventRow.__table__)


class SqlAlchemyEventLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def claim(self, platform: Platform, event_id: str, *, at: datetime) -> bool:
        dialect = self._conn.dialect.name
        values = {"platform": platform.value, "event_id": event_id, "at": at}
        insert_for = pg_insert if dialect == "postgresql" else sqlite_insert
        result = await self._conn.execute(
            insert_for(EVENTS).values(**values).on_conflict_do_nothing()
        )
        return result.rowcount == 1
