"""Does the database answer, on the schema this code needs, with room for the bot's
connections?"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import APPLICATION_NAME
from storage.migrate import head_revision


async def database_status(engine: AsyncEngine) -> tuple[bool, str]:
    """(ok, what an operator reads)."""
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            revision = (
                await conn.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar()
    except (SQLAlchemyError, OSError) as exc:
        # The class names the failure (refused, timeout, locked); the message could
        # quote a statement, so it is not shown.
        orig = getattr(exc, "orig", None)
        return False, f"does not answer ({type(orig or exc).__name__})"
    if revision != head_revision():
        return False, f"schema at {revision or 'none'}, needs {head_revision()}"
    return True, f"answers, schema {revision}"


async def advisory_lock_held(engine: AsyncEngine, key: int) -> bool:
    """Whether any session holds the PostgreSQL advisory lock `key` (the scheduler's
    leader lock): a bigint lock shows in pg_locks as its high and low 32 bits."""
    async with engine.connect() as conn:
        held = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND classid = :high AND objid = :low AND objsubid = 1"
            ),
            {"high": (key >> 32) & 0xFFFFFFFF, "low": key & 0xFFFFFFFF},
        )
    return bool(held)


@dataclass(frozen=True)
class ConnectionCapacity:
    """PostgreSQL's connection slots, server-wide (max_connections is the server's)."""

    available: int  # max_connections less the slots reserved for superusers and roles
    in_use: int  # client sessions now, the asker's own included
    by_bot: int  # of them the serving bot processes' (application_name "psp-bot")


async def connection_capacity(engine: AsyncEngine) -> ConnectionCapacity | None:
    """None on SQLite, which has no connection limit to share."""
    if engine.dialect.name != "postgresql":
        return None
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT current_setting('max_connections')::int"
                    " - current_setting('superuser_reserved_connections')::int"
                    " - coalesce(current_setting('reserved_connections', true), '0')::int,"
                    " count(*),"
                    " count(*) FILTER (WHERE application_name = :bot)"
                    " FROM pg_stat_activity WHERE backend_type = 'client backend'"
                ),
                {"bot": APPLICATION_NAME},
            )
        ).one()
    return ConnectionCapacity(int(row[0]), int(row[1]), int(row[2]))
