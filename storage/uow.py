"""The unit of work: one database transaction per command, owned by the caller."""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Self

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import greenlet_spawn

from bot.ports import ConcurrentUpdateError, DatabaseBusyError, DatabaseUnavailable
from storage import direct
from storage.access import SqlAlchemyAccessRepository
from storage.adapter_state import SqlAlchemyStateStore
from storage.audit_log import SqlAlchemyAuditRepository, flush_pending
from storage.cases import SqlAlchemyCaseRepository
from storage.codec import PlainTextCodec, TextCodec
from storage.escalations import SqlAlchemyEscalationRepository
from storage.followup import SqlAlchemyFollowUpQueries
from storage.member_repository import SqlAlchemyMemberRepository
from storage.minutes import SqlAlchemyMinutesRepository
from storage.outage import is_connection_failure
from storage.outbox import SqlAlchemyOutboxRepository
from storage.posted_messages import SqlAlchemyPostedMessageLog
from storage.processed_events import SqlAlchemyEventLog
from storage.repositories import (
    SqlAlchemyGroupRepository,
    UnitCache,
    numbering_contended,
)
from storage.scheduling import (
    SqlAlchemyMeetingRepository,
    SqlAlchemyNotificationLedger,
)
from storage.statistics import SqlAlchemyOutcomeLog, SqlAlchemyStatisticsQueries
from storage.steering import SqlAlchemySteeringRepository
from storage.transfers import SqlAlchemyTransferRepository


class SqlAlchemyUnitOfWork:
    """`async with uow: …; await uow.commit()`. Leaving the block without commit rolls
    back. A unique-key clash with a concurrent transaction, a deadlock or a serialization
    failure surfaces as ConcurrentUpdateError, which the core answers by running the command
    again on fresh state; a lock it could not get in time as DatabaseBusyError. Any other
    constraint violation is a defect and stays what it is."""

    groups: SqlAlchemyGroupRepository
    members: SqlAlchemyMemberRepository
    cases: SqlAlchemyCaseRepository
    escalations: SqlAlchemyEscalationRepository
    audit: SqlAlchemyAuditRepository
    events: SqlAlchemyEventLog
    messages: SqlAlchemyPostedMessageLog
    state: SqlAlchemyStateStore
    meetings: SqlAlchemyMeetingRepository
    ledger: SqlAlchemyNotificationLedger
    followup: SqlAlchemyFollowUpQueries
    access: SqlAlchemyAccessRepository
    statistics: SqlAlchemyStatisticsQueries
    outcomes: SqlAlchemyOutcomeLog
    steering: SqlAlchemySteeringRepository
    transfers: SqlAlchemyTransferRepository
    outbox: SqlAlchemyOutboxRepository
    minutes: SqlAlchemyMinutesRepository

    def __init__(
        self, engine: AsyncEngine, codec: TextCodec | None = None, *, autocommit: bool = False
    ) -> None:
        self._engine = engine
        self._codec = codec or PlainTextCodec()
        self._conn: AsyncConnection | None = None
        self._known = UnitCache()
        self._holding = False
        # PostgreSQL only: SQLite's BEGIN IMMEDIATE (storage/engine.py) is what queues its
        # writers, and its transactions cost no round trips.
        self._autocommit = autocommit and engine.dialect.name == "postgresql"

    @property
    def connection(self) -> AsyncConnection:
        assert self._conn is not None, "unit of work not entered"
        return self._conn

    async def __aenter__(self) -> Self:
        try:
            # Checked out and begun in one hop into SQLAlchemy's synchronous core, not two:
            # each hop costs 10-20 µs of CPU, a command's unit of work makes four.
            sync = await greenlet_spawn(_open, self._engine.sync_engine, self._autocommit)
            self._conn = AsyncConnection(self._engine, sync)
        except BaseException as exc:  # a cancellation too: _open gave the connection back
            if is_connection_failure(exc, connecting=True):
                raise DatabaseUnavailable() from exc
            if isinstance(exc, PoolTimeoutError):
                raise DatabaseBusyError() from exc  # every connection waits for the lock
            if isinstance(exc, DBAPIError) and (translated := _translated(exc)) is not exc:
                raise translated from exc
            raise
        conn, codec = self._conn, self._codec
        self._known = known = UnitCache()
        # PostgreSQL, in a transaction: audit rows go out with the outbox rows or at COMMIT,
        # and writes whose results are not read with the next statement (storage/direct.py).
        self._holding = conn.dialect.name == "postgresql" and not self._autocommit
        deferred = known.audit if self._holding else None
        if self._holding:
            direct.hold_writes(conn)
        self.groups = SqlAlchemyGroupRepository(conn, known)
        self.members = SqlAlchemyMemberRepository(conn, known)
        self.cases = SqlAlchemyCaseRepository(conn, codec, known)
        self.escalations = SqlAlchemyEscalationRepository(conn, codec)
        self.audit = SqlAlchemyAuditRepository(conn, deferred)
        self.events = SqlAlchemyEventLog(conn)
        self.messages = SqlAlchemyPostedMessageLog(conn)
        self.state = SqlAlchemyStateStore(conn, codec)
        self.meetings = SqlAlchemyMeetingRepository(conn, codec)
        self.ledger = SqlAlchemyNotificationLedger(conn)
        self.followup = SqlAlchemyFollowUpQueries(conn, codec)
        self.access = SqlAlchemyAccessRepository(conn, known)
        self.statistics = SqlAlchemyStatisticsQueries(conn)
        self.outcomes = SqlAlchemyOutcomeLog(conn)
        self.steering = SqlAlchemySteeringRepository(conn, codec)
        self.transfers = SqlAlchemyTransferRepository(conn)
        self.outbox = SqlAlchemyOutboxRepository(conn, codec, known)
        self.minutes = SqlAlchemyMinutesRepository(conn, codec, known)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        direct.drop_held(conn)
        if is_connection_failure(exc):
            await _close_quietly(conn)  # the connection is gone: nothing to roll back
            raise DatabaseUnavailable() from exc
        try:
            if conn.in_transaction():
                await conn.rollback()
        finally:
            await conn.close()
        if isinstance(exc, DBAPIError):
            translated = _translated(exc)
            if isinstance(translated, ConcurrentUpdateError):
                numbering_contended(conn, self._known)
            if translated is not exc:
                raise translated from exc

    async def commit(self) -> None:
        conn, audit = self.connection, self._known.audit
        # What is still held goes out in the last statement; with nothing written before
        # it, that statement alone is the transaction (no BEGIN, no COMMIT round trip).
        if audit:
            await flush_pending(conn, audit, closing=True)
        else:
            await direct.flush(conn, closing=True)
        await conn.commit()

    async def rollback(self) -> None:
        self._known.audit.clear()
        direct.drop_held(self.connection)
        await self.connection.rollback()
        if self._holding:
            direct.hold_writes(self.connection)


def _open(engine: Engine, autocommit: bool) -> Connection:
    """A pooled connection in a transaction (or in autocommit); on any failure, including a
    cancellation while SQLite's lock is awaited, the connection goes back to the pool."""
    conn = engine.connect()
    try:
        if autocommit:
            conn.execution_options(isolation_level="AUTOCOMMIT")
        else:
            conn.begin()
    except BaseException:
        with contextlib.suppress(Exception):  # the error being raised says what went wrong
            conn.close()
        raise
    return conn


async def _close_quietly(conn: AsyncConnection) -> None:
    """Give a broken connection back; its own errors add nothing to the one being raised."""
    with contextlib.suppress(Exception):  # the connection is already known to be broken
        await conn.close()


# PostgreSQL: unique_violation; serialization_failure, deadlock_detected; lock_not_available
# (the engine's lock_timeout), query_canceled (an administrator's pg_cancel_backend).
_PG_UNIQUE = "23505"
_PG_RETRY = frozenset({"40001", "40P01"})
_PG_BUSY = frozenset({"55P03", "57014"})
# SQLite extended result codes of a unique or primary-key clash.
_SQLITE_UNIQUE = frozenset({1555, 2067})
_SQLITE_BUSY = 5


def _translated(exc: DBAPIError) -> Exception:
    """Contention (the command can run again, or later) becomes the core's exception;
    anything else — a NOT NULL, CHECK or foreign-key violation is a defect — stays."""
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(exc, IntegrityError) and (
        sqlstate == _PG_UNIQUE or sqlite_code in _SQLITE_UNIQUE
    ):
        return ConcurrentUpdateError()
    if sqlstate in _PG_RETRY:
        return ConcurrentUpdateError()
    if sqlstate in _PG_BUSY:
        return DatabaseBusyError()
    if isinstance(sqlite_code, int) and sqlite_code & 0xFF == _SQLITE_BUSY:
        return DatabaseBusyError()
    return exc


class SqlAlchemyUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine, codec: TextCodec | None = None) -> None:
        self.engine = engine
        self.codec = codec or PlainTextCodec()

    def __call__(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine, self.codec)

    def autocommit(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine, self.codec, autocommit=True)
