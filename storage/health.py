"""Does the database answer, on the schema this code needs?"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

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
