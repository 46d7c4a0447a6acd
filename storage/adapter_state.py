"""Key/value state the adapters keep between runs (sync tokens, the Matrix outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.codec import TextCodec
from storage.crypto import PREFIX as SEALED_PREFIX
from storage.models import AdapterStateRow

STATE = cast(Table, AdapterStateRow.__table__)


class SqlAlchemyStateStore:
    """Adapter state can hold case text (the Matrix outbox keeps undelivered replies here), so
    values are sealed like every other free text, bound to their key. A value written before
    encryption was configured (or by maintenance code) is read as it is."""

    def __init__(self, conn: AsyncConnection, codec: TextCodec | None = None) -> None:
        self._conn = conn
        self._codec = codec

    async def get(self, key: str) -> str | None:
        row = (
            await self._conn.execute(select(STATE.c.value).where(STATE.c.key == key))
        ).scalar_one_or_none()
        if row is None:
            return None
        value = str(row)
        if self._codec is not None and value.startswith(SEALED_PREFIX + ":"):
            return self._codec.unseal(value, aad=state_aad(key))
        return value

    async def put(self, key: str, value: str, *, at: datetime) -> None:
        if self._codec is not None:
            value = self._codec.seal(value, aad=state_aad(key))
        insert_for = pg_insert if self._conn.dialect.name == "postgresql" else sqlite_insert
        stmt = insert_for(STATE).values(key=key, value=value, updated_at=at)
        await self._conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[STATE.c.key], set_={"value": value, "updated_at": at}
            )
        )


def state_aad(key: str) -> str:
    return f"adapter_state/{key}/value"
