"""SQLite for the async engine: statements run inline, waits for the lock run on a thread.

A statement on a local SQLite file takes microseconds; handing each one to a helper thread
(what aiosqlite does) costs about 130 µs of wake-ups per statement, and a command is a dozen
statements. So statements run inline on the event loop, with SQLite's busy timeout at zero:
a statement that would have to *wait* — `BEGIN IMMEDIATE` while another process holds the
write lock — fails at once with SQLITE_BUSY instead of blocking the loop. Only then does the
same statement run again on a helper thread, with a busy timeout of `lock_wait` seconds,
while the event loop goes on serving everyone else. A statement that fails with
SQLITE_BUSY has done nothing, so running it again is safe.

SQLAlchemy drives this object through its aiosqlite dialect (`async_creator` of
`create_async_engine`; storage/sqlite_dialect.py runs BEGIN, COMMIT and ROLLBACK inline), so the
object has the shape of an aiosqlite connection.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from storage.sqlite_checkpoint import CHECKPOINTERS, SAFETY_NET_PAGES, Checkpointer, in_memory

T = TypeVar("T")

# Threads that wait for SQLite's lock; one per waiting connection, so a few suffice.
_WAITERS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="psp-sqlite-wait")


def is_busy(error: BaseException) -> bool:
    """SQLITE_BUSY (any extended code): another connection holds a lock we must wait for."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_BUSY


class Cursor:
    def __init__(self, connection: Connection, cursor: sqlite3.Cursor) -> None:
        self._connection = connection
        self._cursor = cursor

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        try:
            self._cursor.execute(sql, parameters or ())
        except sqlite3.OperationalError as error:
            await self._connection.wait_and_run(error, self._cursor.execute, sql, parameters or ())
        return self

    async def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> Cursor:
        rows = list(seq)  # a retry on the helper thread needs the rows again
        try:
            self._cursor.executemany(sql, rows)
        except sqlite3.OperationalError as error:
            await self._connection.wait_and_run(error, self._cursor.executemany, sql, rows)
        return self

    # Rows of a statement that has begun come without new locks: no waiting here.

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _ImmediateQueue:
    """SQLAlchemy's aiosqlite adaptation sets `isolation_level` through aiosqlite's request
    queue; the work is instant here."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:
            future.set_exception(error)


class Connection:
    def __init__(self, database: str, *, lock_wait: float, uri: bool = False) -> None:
        # timeout=0: never wait on the event loop; check_same_thread=False: a wait runs on a
        # helper thread, and the pool may close the connection from another thread at exit.
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            database, timeout=0, isolation_level=None, check_same_thread=False, uri=uri
        )
        self._lock_wait_ms = max(0, round(lock_wait * 1000))
        self._tx = _ImmediateQueue()
        # Checkpoints on a thread of their own (storage/sqlite_checkpoint.py); this
        # connection's commits only append to the log, up to the safety net.
        self._checkpointer: Checkpointer | None = None
        if not in_memory(database):
            self._conn.execute(f"PRAGMA wal_autocheckpoint = {SAFETY_NET_PAGES}")
            self._checkpointer = CHECKPOINTERS.acquire(database, uri=uri)
            # Released when the connection is closed, or collected without being closed.
            self._release = weakref.finalize(self, CHECKPOINTERS.release, self._checkpointer)

    @property
    def _connection(self) -> sqlite3.Connection | None:
        return self._conn

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("no active connection")
        return self._conn

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        try:
            return function(*args)
        except sqlite3.OperationalError as error:
            return await self.wait_and_run(error, function, *args)

    async def wait_and_run(
        self, error: sqlite3.OperationalError, function: Callable[..., T], *args: Any
    ) -> T:
        """`function` failed inline with `error`: if that was SQLITE_BUSY, run it again on a
        helper thread that may wait for the lock; otherwise the error stands."""
        if not is_busy(error) or self._lock_wait_ms == 0:
            raise error
        future = asyncio.get_running_loop().run_in_executor(
            _WAITERS, self._wait_and_run, function, args
        )
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # The statement still runs on the helper thread; nobody may touch the
            # connection (a rollback, a close) before it is done. It ends within lock_wait.
            await asyncio.wait([future])
            raise

    def _wait_and_run(self, function: Callable[..., T], args: tuple[Any, ...]) -> T:
        conn = self._live()
        conn.execute(f"PRAGMA busy_timeout = {self._lock_wait_ms}")
        try:
            return function(*args)
        finally:
            conn.execute("PRAGMA busy_timeout = 0")

    @property
    def isolation_level(self) -> str | None:
        return self._live().isolation_level

    def cursor(self) -> Cursor:
        return Cursor(self, self._live().cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        cursor = self.cursor()
        return await cursor.execute(sql, parameters)

    async def commit(self) -> None:
        await self.run(self._live().commit)
        if self._checkpointer is not None:
            self._checkpointer.committed()

    async def rollback(self) -> None:
        self._live().rollback()

    # Without an await, for SQLAlchemy's synchronous side (storage/sqlite_dialect.py): each
    # says False, having done nothing, where it would have to wait for another's lock.

    def commit_now(self) -> bool:
        if self._conn is None:
            return True  # closed: nothing to commit (as SQLAlchemy's aiosqlite adaptation)
        try:
            self._conn.commit()
        except sqlite3.OperationalError as error:
            if is_busy(error) and self._lock_wait_ms:
                return False
            raise
        if self._checkpointer is not None:
            self._checkpointer.committed()
        return True

    def rollback_now(self) -> None:
        if self._conn is not None:
            self._conn.rollback()  # gives locks back; never waits for one

    def fetch_now(self, sql: str, parameters: Sequence[Any]) -> tuple[list[Any], Any, int] | None:
        """A statement's rows, description and row count, as storage/direct.py reads them,
        without a cursor wrapper and three awaits; None where it would wait for a lock."""
        cursor = self._live().cursor()
        try:
            cursor.execute(sql, parameters)
            description = cursor.description
            return (cursor.fetchall() if description else []), description, cursor.rowcount
        except sqlite3.OperationalError as error:
            if is_busy(error) and self._lock_wait_ms:
                return None  # it did nothing: it runs again where it may wait
            raise
        finally:
            cursor.close()

    def execute_now(self, sql: str) -> bool:
        try:
            self._live().execute(sql)
        except sqlite3.OperationalError as error:
            if is_busy(error) and self._lock_wait_ms:
                return False
            raise
        return True

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            if self._checkpointer is not None:
                self._release()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._live().create_function(*args, **kwargs)


def connector(database: str, *, lock_wait: float) -> Callable[[], Any]:
    """The `async_creator` for `create_async_engine("sqlite+pspsqlite://…")`."""
    uri = database.startswith("file:")

    async def connect() -> Connection:
        return Connection(database, lock_wait=lock_wait, uri=uri)

    return connect
