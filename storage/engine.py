"""Engines for the embedded SQLite default and for PostgreSQL."""

from __future__ import annotations

import sqlite3
import weakref
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.dialects import registry
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage import direct, sqlite_dialect
from storage.audit_chain import SQLITE_HASH_FUNCTION, chain_hash
from storage.sqlite_driver import connector

registry.register(f"sqlite.{sqlite_dialect.NAME}", "storage.sqlite_dialect", "InlineSQLiteDialect")

# How long a command waits for a lock held by another transaction (on SQLite the write lock of
# an admin command or a backup; on PostgreSQL a row a stuck session holds), or for a free
# pooled connection, before it answers "busy, try again": well inside Slack's and a
# person's patience, and the whole command stays under five seconds.
LOCK_WAIT_SECONDS = 4.0
# PostgreSQL's pool per process. Several processes share the server's max_connections:
# processes x (POOL_SIZE + MAX_OVERFLOW) must fit it, with room for the admin's tools.
POOL_SIZE = 10
MAX_OVERFLOW = 10
# What pg_stat_activity shows for the bot's sessions (the admin's tools name themselves).
APPLICATION_NAME = "psp-bot"
# PostgreSQL engines: the most connections each may open (its metrics show it).
_POOL_LIMITS: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
# Execution option of a connection that only reads, from one snapshot (`audit verify`): on
# SQLite it begins a deferred transaction, which takes no write lock, so with WAL the bot's
# commands go on while it reads.
READ_ONLY_SNAPSHOT = "psp_read_only_snapshot"


def async_url(url: str) -> str:
    """Accept plain `sqlite:///…` and `postgresql://…` URLs and pick the async drivers."""
    if url.startswith("sqlite:"):
        return f"sqlite+{sqlite_dialect.NAME}:" + url[len("sqlite:") :]
    if url.startswith("postgresql:") or url.startswith("postgres:"):
        return "postgresql+asyncpg:" + url.split(":", 1)[1]
    return url


def is_sqlite(url: str) -> bool:
    return async_url(url).startswith("sqlite+")


def make_engine(
    url: str,
    *,
    echo: bool = False,
    lock_wait: float = LOCK_WAIT_SECONDS,
    pool_size: int = POOL_SIZE,
    max_overflow: int = MAX_OVERFLOW,
    application_name: str = APPLICATION_NAME,
) -> AsyncEngine:
    url = async_url(url)
    if url.startswith("sqlite+"):
        # Statements run inline; only a wait for the lock leaves the event loop
        # (storage/sqlite_driver.py). A full pool is a wait for the lock too.
        engine = create_async_engine(
            url,
            echo=echo,
            async_creator=connector(make_url(url).database or "", lock_wait=lock_wait),
            pool_timeout=lock_wait,
            hide_parameters=True,
        )
        _sqlite_pragmas(engine)
        return engine
    # hide_parameters: a database error's message would otherwise quote the statement's
    # parameters (case text) into whatever logs or shows it. No pool_pre_ping: it costs a
    # round trip on every command; a dead connection instead fails the unit of work, which
    # raises DatabaseUnavailable and is run once more (storage/uow.py, bot/app.py), and the
    # pool then drops every connection opened before the failure.
    # lock_timeout: a statement waiting longer for a row or table lock fails with
    # lock_not_available, which the unit of work answers as "busy" (storage/uow.py): a
    # session left open in psql, or a stuck process, never freezes every command behind it.
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=lock_wait,
        pool_pre_ping=False,
        hide_parameters=True,
        connect_args={
            "server_settings": {
                "application_name": application_name,
                "lock_timeout": str(max(1, round(lock_wait * 1000))),
            }
        },
    )

    _POOL_LIMITS[engine.sync_engine] = pool_size + max_overflow

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def writes_first(conn: Any, *_: Any) -> None:
        # A unit of work's held writes (storage/direct.py) go before whatever SQLAlchemy runs.
        direct.flush_before_sqlalchemy(conn)

    return engine


def pool_usage(engine: AsyncEngine) -> tuple[int, int, int | None]:
    """This process's connections: (in use by a command or a task, open and idle, the most it
    may open: PostgreSQL's pool_size + max_overflow, None on SQLite's own pool)."""
    pool: Any = engine.sync_engine.pool
    in_use = pool.checkedout() if hasattr(pool, "checkedout") else 0
    idle = pool.checkedin() if hasattr(pool, "checkedin") else 0
    return int(in_use), int(idle), _POOL_LIMITS.get(engine.sync_engine)


def _sqlite_pragmas(engine: AsyncEngine) -> None:
    """WAL for concurrent readers, and BEGIN IMMEDIATE so that two writers queue for the
    lock instead of one failing half-way when it upgrades a read to a write."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # The audit chain's hash in SQL, so that appending a row moves the head in one
        # statement (storage/audit_chain.py).
        dbapi_connection.create_function(SQLITE_HASH_FUNCTION, 2, chain_hash, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        statement = (
            "BEGIN"
            if connection.get_execution_options().get(READ_ONLY_SNAPSHOT)
            else "BEGIN IMMEDIATE"
        )
        # Straight on the driver (storage/sqlite_driver.py), which waits for the lock off the
        # event loop; through SQLAlchemy's execution this cost as much as a command's query.
        try:
            sqlite_dialect.begin(connection.connection.driver_connection, statement)
        except sqlite3.Error as error:
            connection._handle_dbapi_exception(error, statement, (), None, None)
