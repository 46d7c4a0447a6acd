"""Hearing of outbox rows another process wrote (the `purge` or `outbox retry` CLI, a second
bot process), so that the delivery worker sends them at once instead of at its next timer.

PostgreSQL: the outbox's triggers (migrations 0012_ops, 0015_notify_unclaimed) NOTIFY
`psp_outbox` when rows are written unclaimed or made pending again — not for a command's
replies, which its process claims as it writes them and sends or gives back (a NOTIFY makes
its commit wait for a lock of the whole server); a dedicated connection LISTENs and wakes
the worker on each notification (delivered at the writer's commit). After a lost connection
it reconnects with backoff and wakes the worker once, in case it missed something.
Notifications from the engine's own connections are not for it: whoever writes rows in this
process sends them or wakes the worker itself (a tick's notices, rows given back), and
would otherwise cost the worker a pass over the outbox that finds nothing.

SQLite: no notifications; every `poll_seconds` it reads `PRAGMA data_version` on a
connection of its own and wakes the worker when another connection has committed since.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

CHANNEL = "psp_outbox"
POLL_SECONDS = 0.25
MAX_BACKOFF_SECONDS = 30.0
_PID = "psp_server_pid"


class OutboxWake:
    """A service of `psp-bot run`: calls `wake` whenever the outbox may hold new work."""

    def __init__(
        self, engine: AsyncEngine, wake: Callable[[], None], *, poll_seconds: float = POLL_SECONDS
    ) -> None:
        self._engine = engine
        self._wake = wake
        self._poll_seconds = poll_seconds
        self.listening = asyncio.Event()  # set once notifications (or polls) are running
        # The server process ids behind the engine's connections (PostgreSQL), learnt as
        # each is taken from the pool, so before anything is written on it.
        self._own: set[int] = set()
        if engine.dialect.name == "postgresql":
            pool = engine.sync_engine.pool
            event.listen(pool, "checkout", self._taken)
            event.listen(pool, "close", self._closed)
            event.listen(pool, "close_detached", self._closed_detached)

    def _taken(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if _PID not in record.info:
            pid = dbapi_connection.driver_connection.get_server_pid()
            record.info[_PID] = pid
            self._own.add(pid)

    def _closed(self, _dbapi_connection: Any, record: Any) -> None:
        self._own.discard(record.info.pop(_PID, None))

    def _closed_detached(self, dbapi_connection: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        if driver is not None:
            self._own.discard(driver.get_server_pid())

    async def run(self) -> None:
        if self._engine.dialect.name == "postgresql":
            await self._listen()
        else:
            await self._poll()

    async def _listen(self) -> None:
        delay = 1.0
        while True:
            try:
                await self._listen_once()
                delay = 1.0
                log.warning("outbox notifications: the connection was lost; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox notifications unavailable (%s)", type(exc).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF_SECONDS)

    async def _listen_once(self) -> None:
        """LISTEN on a connection of its own until that connection is lost."""
        lost = asyncio.Event()

        def notified(_connection: Any, pid: int, _channel: str, _payload: str) -> None:
            if pid not in self._own:
                self._wake()

        def terminated(*_args: Any) -> None:
            lost.set()

        async with self._engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.add_listener(CHANNEL, notified)
            raw.add_termination_listener(terminated)
            self._wake()  # whatever was written while nobody listened
            self.listening.set()
            try:
                await lost.wait()
            finally:
                self.listening.clear()
                if not raw.is_closed():
                    await raw.remove_listener(CHANNEL, notified)
                    raw.remove_termination_listener(terminated)

    async def _poll(self) -> None:
        """Hold one connection and read SQLite's `PRAGMA data_version`, which changes when
        any other connection (another process, or another of this process's own) commits
        to the file: exact, no lock taken, and at most one extra worker pass a second."""
        delay = self._poll_seconds
        while True:
            try:
                async with self._engine.connect() as conn:
                    raw = (await conn.get_raw_connection()).driver_connection
                    assert raw is not None
                    seen = await _data_version(raw)
                    self._wake()  # whatever was written while nobody looked
                    self.listening.set()
                    delay = self._poll_seconds
                    while True:
                        await asyncio.sleep(self._poll_seconds)
                        now = await _data_version(raw)
                        if now != seen:
                            seen = now
                            self._wake()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the file may be away; the worker says so too
                self.listening.clear()
                log.warning("outbox poll failed (%s); trying again", type(exc).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF_SECONDS)


async def _data_version(raw: Any) -> int:
    """Read on the driver's connection itself: no transaction, so no `BEGIN IMMEDIATE`."""
    cursor = await raw.execute("PRAGMA data_version")
    row = await cursor.fetchone()
    await cursor.close()
    return int(row[0])
