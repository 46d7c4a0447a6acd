"""Reading a whole database back, to prove that a refused command changed nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.schema import metadata

# Bookkeeping, not records: a refused event is remembered so a re-delivery stays quiet.
IGNORED = {"processed_events"}


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[object, ...]]]:
    tables = [t for t in metadata.sorted_tables if t.name not in IGNORED]
    async with engine.connect() as conn:
        return {
            table.name: [
                tuple(row) for row in await conn.execute(select(table).order_by(*table.primary_key))
            ]
            for table in tables
        }
