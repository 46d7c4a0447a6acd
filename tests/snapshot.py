"""Reading a whole database back, to prove that a refused command changed nothing."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.schema import metadata
from tests.fakes import FakeUnitOfWorkFactory

if TYPE_CHECKING:
    from tests.conftest import Harness

# Bookkeeping, not records: a refused event is remembered so a re-delivery stays quiet, and
# the refusal itself passes through the outbox on its way to the room.
IGNORED = {"processed_events", "outbox"}
# The in-memory database's counterparts (ids handed out are not records either).
IGNORED_IN_MEMORY = {"events", "last_id", "outbox"}


async def snapshot(target: AsyncEngine | Harness | None) -> dict[str, list[object]]:
    """Every record, table by table, of an engine's database or of a harness's backend."""
    if target is not None and not isinstance(target, AsyncEngine):
        factory = target.uow_factory
        if isinstance(factory, FakeUnitOfWorkFactory):
            tables = factory.database.tables
            return {
                f.name: sorted(map(repr, getattr(tables, f.name).items()))
                for f in fields(tables)
                if f.name not in IGNORED_IN_MEMORY
            }
        target = target.engine
    assert target is not None
    async with target.connect() as conn:
        return {
            table.name: [
                tuple(row) for row in await conn.execute(select(table).order_by(*table.primary_key))
            ]
            for table in metadata.sorted_tables
            if table.name not in IGNORED
        }
