"""SQLAlchemy's aiosqlite dialect on storage/sqlite_driver.py, with BEGIN, COMMIT and ROLLBACK
run inline.

The stock adaptation hands each of them to the event loop through a greenlet switch and back
(about 3 µs each way), though the driver finishes them at once: a unit of work made three such
round trips, one more for the pool's rollback when the connection went back. Here they run on
the driver's sqlite3 connection directly; only a COMMIT or BEGIN that finds another process
holding the lock (SQLITE_BUSY) takes the stock way, which waits on a helper thread.

Registered as `sqlite+pspsqlite` (storage/engine.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.util import await_

from storage.sqlite_driver import Connection

NAME = "pspsqlite"


class InlineSQLiteDialect(SQLiteDialect_aiosqlite):
    supports_statement_cache = True

    def do_commit(self, dbapi_connection: Any) -> None:
        adapted = dbapi_connection.dbapi_connection
        driver: Connection = adapted._connection
        try:
            done = driver.commit_now()
        except Exception as error:  # translated as the stock adaptation does
            adapted._handle_exception(error)
        if not done:
            super().do_commit(dbapi_connection)  # type: ignore[no-untyped-call]

    def do_rollback(self, dbapi_connection: Any) -> None:
        adapted = dbapi_connection.dbapi_connection
        try:
            adapted._connection.rollback_now()
        except Exception as error:
            adapted._handle_exception(error)


def begin(driver: Connection, statement: str) -> None:
    """BEGIN (IMMEDIATE) inline, or on a helper thread while another process holds the lock."""
    if not driver.execute_now(statement):
        await_(driver.execute(statement))


dialect = InlineSQLiteDialect
