"""SQLite for the async engine, without a thread hop per statement.

aiosqlite runs every statement on a helper thread and wakes the event loop for each result:
about 130 µs per round trip, against under 1 µs for the statement itself on a local file. A
command is a dozen statements, so the hops were most of its time. This dialect keeps
SQLAlchemy's aiosqlite adaptation but hands it an aiosqlite-shaped shim whose coroutines call
the standard `sqlite3` module directly and complete at once.

Consequences, on purpose: a unit of work never suspends while it talks to SQLite, so commands
in one process never interleave (SQLite has one writer anyway), and `BEGIN IMMEDIATE` waiting
for another *process* blocks the event loop for at most `busy_timeout`. SQLite is the
embedded, one-process default; PostgreSQL is for several processes.

URL scheme: `sqlite+pspinline:///path` (storage.engine picks it for plain `sqlite:` URLs).
"""

from __future__ import annotations

import asyncio
import sqlite3
import types
from collections.abc import Callable, Generator, Iterable, Sequence
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)


class _Cursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> _Cursor:
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

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> _Cursor:
        self._cursor.execute(sql, () if parameters is None else parameters)
        return self

    async def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> _Cursor:
        self._cursor.executemany(sql, seq)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _ImmediateQueue:
    """SQLAlchemy sets isolation_level through aiosqlite's request queue; run it now."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:
            future.set_exception(error)


class Connection:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("loop", None)
        kwargs.pop("iter_chunk_size", None)
        # The connection may be closed by the pool from another thread at interpreter exit.
        kwargs["check_same_thread"] = False
        self._conn: sqlite3.Connection | None = sqlite3.connect(*args, **kwargs)
        self._tx = _ImmediateQueue()
        self._thread = types.SimpleNamespace(daemon=True)

    def __await__(self) -> Generator[Any, None, Connection]:
        return self
        yield  # pragma: no cover - makes this a generator

    @property
    def _connection(self) -> sqlite3.Connection | None:
        return self._conn

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("no active connection")
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._live().isolation_level

    def cursor(self) -> _Cursor:
        return _Cursor(self._live().cursor())

    async def commit(self) -> None:
        self._live().commit()

    async def rollback(self) -> None:
        self._live().rollback()

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._live().create_function(*args, **kwargs)


def connect(*args: Any, **kwargs: Any) -> Connection:
    return Connection(*args, **kwargs)


# The module-shaped object SQLAlchemy's aiosqlite adaptation expects.
shim = types.SimpleNamespace(
    Connection=Connection,
    connect=connect,
    DatabaseError=sqlite3.DatabaseError,
    Error=sqlite3.Error,
    IntegrityError=sqlite3.IntegrityError,
    NotSupportedError=sqlite3.NotSupportedError,
    OperationalError=sqlite3.OperationalError,
    ProgrammingError=sqlite3.ProgrammingError,
    sqlite_version=sqlite3.sqlite_version,
    sqlite_version_info=sqlite3.sqlite_version_info,
    version="psp-inline",
    __version__="0.22.1",
)


class SQLiteDialect_inline(SQLiteDialect_aiosqlite):
    driver = "pspinline"
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> AsyncAdapt_aiosqlite_dbapi:
        return AsyncAdapt_aiosqlite_dbapi(shim, sqlite3)  # type: ignore[arg-type]


registry.register("sqlite.pspinline", "storage.sqlite_inline", "SQLiteDialect_inline")
