"""Which database errors mean "the database is not there" rather than "this statement failed":
the unit of work turns them into the port's DatabaseUnavailable, which the core answers with
one line (bot/app.py) instead of a traceback per command."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError

# PostgreSQL SQLSTATEs: class 08 is "connection exception"; 57P01-57P03 are the server
# shutting down (admin_shutdown, crash_shutdown, cannot_connect_now).
_SHUTDOWN_STATES = frozenset({"57P01", "57P02", "57P03"})
# SQLite primary result codes: the file cannot be opened, read, or is no database at all.
_SQLITE_UNAVAILABLE = frozenset(
    {sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOTADB}
)


def is_connection_failure(exc: BaseException | None, *, connecting: bool = False) -> bool:
    """True for errors that say the database cannot be reached. `connecting`: the error came
    while opening a connection, where a refused or timed-out socket (OSError) is one too."""
    if exc is None:
        return False
    if connecting and isinstance(exc, OSError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, DBAPIError):
        return False
    cause: BaseException | None = exc.orig
    while cause is not None:
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and (state.startswith("08") or state in _SHUTDOWN_STATES):
            return True
        code = getattr(cause, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _SQLITE_UNAVAILABLE:
            return True
        if connecting and isinstance(cause, OSError):
            return True
        cause = cause.__cause__
    return False
