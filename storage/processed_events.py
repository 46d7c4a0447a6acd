"""The platform events already handled: claiming one twice answers False, so a redelivered
event never runs its command again."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Platform
from storage import direct
from storage.models import ProcessedEventRow

EVENTS = cast(Table, ProcessedEventRow.__table__)


_CLAIM = {
    "postgresql": pg_insert(EVENTS).on_conflict_do_nothing(),
    "sqlite": sqlite_insert(EVENTS).on_conflict_do_nothing(),
}
_SEEN = select(EVENTS.c.event_id).where(
    EVENTS.c.platform == bindparam("platform"), EVENTS.c.event_id == bindparam("event_id")
)
_RECORD = insert(EVENTS)


class SqlAlchemyEventLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def claim(self, platform: Platform, event_id: str, *, at: datetime) -> bool:
        values = {"platform": platform.value, "event_id": event_id, "at": at}
        if direct.holds_writes(self._conn):
            # PostgreSQL: a look, then the record goes out with the command's last statement.
            # Another process that claims the event in between makes that statement fail on
            # the key; the command runs again and this look then finds the event.
            params = {"platform": platform.value, "event_id": event_id}
            if (await direct.execute(self._conn, _SEEN, params)).first() is not None:
                return False
            await direct.defer(self._conn, _RECORD, values)
            return True
        claim = _CLAIM[self._conn.dialect.name]
        return (await direct.execute(self._conn, claim, values)).rowcount == 1
