"""When maintenance tasks last succeeded (`audit verify`, `audit checkpoint`): written by
whichever process ran them (usually the CLI from cron), read by the running bot's metrics."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.models_ops import MaintenanceRunRow

RUNS = cast(Table, MaintenanceRunRow.__table__)
AUDIT_VERIFY = "audit_verify"
AUDIT_CHECKPOINT = "audit_checkpoint"
TASKS = (AUDIT_VERIFY, AUDIT_CHECKPOINT)


async def record_success(conn: AsyncConnection, task: str, *, at: datetime) -> None:
    """In the caller's transaction: `task` succeeded at `at`."""
    await conn.execute(delete(RUNS).where(RUNS.c.task == task))
    await conn.execute(insert(RUNS).values(task=task, succeeded_at=at))


async def note_success(engine: AsyncEngine, task: str, *, at: datetime) -> None:
    async with engine.begin() as conn:
        await record_success(conn, task, at=at)


async def last_successes(engine: AsyncEngine) -> Mapping[str, datetime | None]:
    """Every known task, with when it last succeeded (None: never)."""
    async with engine.connect() as conn:
        rows = await conn.execute(select(RUNS.c.task, RUNS.c.succeeded_at))
        found = {r.task: r.succeeded_at for r in rows}
    return {task: found.get(task) for task in TASKS}
