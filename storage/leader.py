"""Leader election for the scheduled work (the LeaderElection port): a PostgreSQL session
advisory lock, or a single process on SQLite."""

from __future__ import annotations

import logging

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.ports import DatabaseUnavailable, SingleProcessLeader
from storage.outage import is_connection_failure

log = logging.getLogger(__name__)

__all__ = ["PostgresAdvisoryLeader", "SingleProcessLeader"]

# Any constant that no other part of the system uses as an advisory lock key.
LEADER_LOCK_KEY = 0x505350_5343  # "PSP" "SC"


class PostgresAdvisoryLeader:
    """Leader election on PostgreSQL: a session advisory lock held on one dedicated
    connection. When the leader's process dies its connection closes and the server frees
    the lock at once; the next process to try (every tick) becomes the leader."""

    def __init__(self, engine: AsyncEngine, *, key: int = LEADER_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._conn: AsyncConnection | None = None

    async def acquire(self) -> bool:
        if self._conn is not None:
            try:
                # A cheap round trip proves the session (and with it the lock) still lives;
                # the commit keeps the session from idling inside a transaction.
                await self._conn.execute(text("SELECT 1"))
                await self._conn.commit()
                return True
            except Exception:
                log.warning("lost the scheduler leader connection; trying to lead again")
                await self._drop()
        try:
            conn = await self._engine.connect()
        except Exception as exc:
            if is_connection_failure(exc, connecting=True):
                raise DatabaseUnavailable() from exc
            raise
        try:
            got = (await conn.execute(select(func.pg_try_advisory_lock(self._key)))).scalar_one()
            await conn.commit()
        except BaseException:
            # Cancelled too (a shutdown): a connection left open could hold the session's
            # lock until the garbage collector found it, and no other process could lead.
            await conn.close()
            raise
        if not got:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.invalidate()
            except Exception:
                log.debug("closing a dead leader connection failed", exc_info=True)

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            await conn.execute(select(func.pg_advisory_unlock(self._key)))
            await conn.commit()
        finally:
            await conn.close()
