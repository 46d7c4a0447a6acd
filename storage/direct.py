"""The statements every command runs, straight on the driver connection.

A statement executed through SQLAlchemy's async engine costs about 40 µs of Python on SQLite
(the driver itself: 1.5 µs) and 120 µs on PostgreSQL (asyncpg: 30 µs): greenlet switches,
execution context, cursor wrappers, result metadata. A command runs 5 to 10 statements, so
that overhead was about half of its CPU. Here a statement built once (a module constant, or
one built once per shape) is compiled once per dialect and set of parameter names by
SQLAlchemy itself: its SQL, the order of its parameters, the bind processors of its types
(UtcDateTime, LargeBinary, …) and the result processors of its columns. Running it is then:
bind the values, one driver call, process the rows.

It runs on the unit of work's own connection, inside its transaction: SQLite's BEGIN
IMMEDIATE has been issued when the unit of work began; on PostgreSQL the transaction SQLAlchemy
would start before its first statement is started the same way, so COMMIT and ROLLBACK stay
SQLAlchemy's. A driver error is handed to SQLAlchemy's own handling, so it surfaces as the
same DBAPIError (and a lost connection invalidates the pool) as if SQLAlchemy had run the
statement: storage/uow.py translates it as before.

What cannot be compiled once — expanding IN lists, a callable column default, several rows of
parameters — runs through SQLAlchemy as before, with the same result interface.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.selectable import GenerativeSelect
from sqlalchemy.util import await_

from storage.direct_rows import DirectRows, Rows, row_class
from storage.held_sql import with_held

_Processor = Callable[[Any], Any] | None
_STATUS_COUNT = re.compile(r"(?:SELECT|UPDATE|DELETE|INSERT \d+|MERGE) (\d+)")
# Plans kept per statement object; statements passed here are built once, so this stays
# small. A caller that built statements per call would grow it: it is emptied past this.
_MAX_PLANS = 2_000
_MISSING = object()


class _Plan:
    """One statement compiled for one dialect and one set of parameter names."""

    __slots__ = ("binds", "defaults", "names", "reads", "results", "row", "sql")

    def __init__(self, compiled: SQLCompiler, reads: bool) -> None:
        self.sql: str = compiled.string
        # Only reads, takes no lock: at READ COMMITTED it sees the same outside a transaction
        # as inside one (each statement takes its own snapshot either way).
        self.reads = reads
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())
        # Values of parameters the caller need not pass: literals and scalar column defaults.
        # A required parameter has none: leaving it out is an error, as with SQLAlchemy.
        self.defaults: dict[str, Any] = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }
        for column in compiled.insert_prefetch:
            self.defaults[column.key] = column.default.arg  # type: ignore[union-attr]
        processors = compiled._bind_processors
        self.binds: tuple[_Processor, ...] = tuple(
            cast(_Processor, processors.get(name)) for name in self.names
        )
        columns = compiled._result_columns
        self.row: type[tuple[Any, ...]] | None = (
            row_class([c.keyname for c in columns]) if columns else None
        )
        self.results: tuple[_Processor, ...] = tuple(
            c.type._cached_result_processor(compiled.dialect, None) for c in columns
        )

    def values(self, params: Mapping[str, Any]) -> list[Any]:
        given, defaults = params.get, self.defaults
        out = []
        for name, process in zip(self.names, self.binds, strict=True):
            value = given(name, _MISSING)
            if value is _MISSING:
                value = defaults.get(name, _MISSING)
                if value is _MISSING:
                    raise InvalidRequestError(f"A value is required for bind parameter {name!r}")
            out.append(value if process is None or value is None else process(value))
        return out

    def rows(self, raw: Sequence[Any], description: Any) -> list[Any]:
        if self.row is None:
            if not raw:
                return []
            # A text() statement: names from the driver, no type processing (as SQLAlchemy).
            self.row = row_class([d[0] for d in description])
            self.results = (None,) * len(description)
        make, results = self.row, self.results
        if not any(results):
            return [make(r) for r in raw]
        return [
            make([v if p is None or v is None else p(v) for p, v in zip(results, r, strict=True)])
            for r in raw
        ]


def _compiled_plan(
    statement: ClauseElement, dialect: Dialect, keys: tuple[str, ...]
) -> _Plan | None:
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    assert isinstance(compiled, SQLCompiler)
    if (
        compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.escaped_bind_names
        or compiled.update_prefetch
        or compiled.positiontup is None
        or any(
            not (column.default is not None and column.default.is_scalar)
            for column in compiled.insert_prefetch
        )
    ):
        return None  # runs through SQLAlchemy
    return _Plan(compiled, _only_reads(statement, compiled.string))


# What makes a SELECT more than a read: a row lock, an advisory lock, a sequence set.
_LOCKING = (" FOR UPDATE", " FOR SHARE", " FOR NO KEY", " FOR KEY", "ADVISORY", "SETVAL(")


def _only_reads(statement: ClauseElement, sql: str) -> bool:
    upper = sql.upper()
    if any(word in upper for word in _LOCKING):
        return False
    if isinstance(statement, GenerativeSelect):
        return statement._for_update_arg is None
    return isinstance(statement, TextClause) and upper.lstrip().startswith("SELECT")


_PLANS: dict[tuple[int, str, tuple[str, ...]], tuple[ClauseElement, _Plan | None]] = {}


def _plan(statement: ClauseElement, dialect: Dialect, keys: tuple[str, ...]) -> _Plan | None:
    key = (id(statement), dialect.name, keys)
    found = _PLANS.get(key)
    if found is not None and found[0] is statement:
        return found[1]
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    plan = _compiled_plan(statement, dialect, keys)
    _PLANS[key] = (statement, plan)  # the statement kept alive so that its id stays its own
    return plan


# PostgreSQL, in a unit of work (hold_writes): writes whose results nobody reads wait here,
# in order, as (plan, values). They go out as WITH clauses of the next write that absorbs them
# (the command's outbox rows, an audit row), or together before any other statement: one
# round trip instead of one each. With nothing written before the command's last statement,
# that statement can run without BEGIN and COMMIT (closing=True): alone it is atomic.
_Held = tuple[_Plan, list[Any], str]  # plan, values, table
_HELD: weakref.WeakKeyDictionary[Connection, list[_Held]] = weakref.WeakKeyDictionary()


def hold_writes(conn: AsyncConnection) -> None:
    """From now until drop_held(), writes passed to defer() on `conn` wait (PostgreSQL)."""
    assert conn.sync_connection is not None, "connection not started"
    _HELD[conn.sync_connection] = []


def holds_writes(conn: AsyncConnection) -> bool:
    return conn.sync_connection is not None and conn.sync_connection in _HELD


def drop_held(conn: AsyncConnection) -> None:
    """Forget what is held (a rollback, the end of the unit of work)."""
    if conn.sync_connection is not None:
        _HELD.pop(conn.sync_connection, None)


# Tables written by the statements that absorb held writes (the outbox rows, the audit chain):
# never held. Nor is a second write to a table that has one held: the clauses of one statement
# run in no promised order, and rows must take their ids in the order they were written (and a
# row changed twice in one statement would keep only one change).
_NEVER_HELD = frozenset({"outbox", "audit_log", "audit_heads"})


async def defer(conn: AsyncConnection, statement: Executable, params: Mapping[str, Any]) -> None:
    """Run a write whose result is not read; on a connection that holds writes, later, with
    the next statement. Its errors then surface there: the transaction fails as a whole."""
    sync = conn.sync_connection
    assert sync is not None, "connection not started"
    held = _HELD.get(sync)
    table = getattr(statement, "table", None)
    plan = None
    if held is not None and isinstance(statement, Insert | Update | Delete):
        plan = _plan(statement, sync.dialect, tuple(params))
    if plan is None or held is None or table is None or table.name in _NEVER_HELD:
        await execute(conn, statement, params)
        return
    if any(name == table.name for _, _, name in held):
        await flush(conn)
    held.append((plan, plan.values(params), table.name))


async def flush(conn: AsyncConnection, *, closing: bool = False) -> None:
    """Write what is held now, in one statement; `closing` as for execute()."""
    sync = conn.sync_connection
    held = _HELD.get(sync) if sync is not None else None
    if held:
        plan, values, _ = held.pop()
        await _run(conn, plan, values, closing=closing, absorb=True)


async def execute(
    conn: AsyncConnection,
    statement: Executable,
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    *,
    absorb: bool = False,
    closing: bool = False,
    independent: bool = False,
) -> Rows:
    """Run `statement` (built once, not per call) in `conn`'s transaction. `absorb`: a write
    that reads nothing the held writes change takes them as its WITH clauses. `closing`:
    nothing is written after it in this unit of work, so with nothing written before it
    either, it runs on its own, without BEGIN and COMMIT. `independent`: a read of nothing
    the held writes change, which they need not precede."""
    if params is not None and not isinstance(params, Mapping):
        await flush(conn)
        return await conn.execute(statement, list(params))
    params = params or {}
    sync = conn.sync_connection
    assert sync is not None, "connection not started"
    plan = _plan(cast(ClauseElement, statement), sync.dialect, tuple(params))
    if plan is None:
        await flush(conn)
        return await conn.execute(statement, dict(params))
    values = plan.values(params)
    return await _run(conn, plan, values, closing=closing, absorb=absorb, independent=independent)


async def _run(
    conn: AsyncConnection,
    plan: _Plan,
    values: list[Any],
    *,
    closing: bool,
    absorb: bool,
    independent: bool = False,
) -> Rows:
    sync = conn.sync_connection
    assert sync is not None, "connection not started"
    if not sync.in_transaction():
        # As SQLAlchemy's autobegin would: its COMMIT and ROLLBACK then end what runs here.
        await conn.begin()
    fairy = sync.connection
    adapted = fairy.dbapi_connection
    held = _HELD.get(sync)
    sql = plan.sql
    if held and not (independent and plan.reads):
        if absorb and not plan.reads:
            sql, values = _absorbed(plan, values, held)
        else:
            await flush(conn)
    try:
        if sync.dialect.name == "sqlite":
            rows, description, count = await _sqlite(fairy.driver_connection, sql, values)
        else:
            # Outside a unit of work, or at an isolation other than READ COMMITTED, every
            # statement runs in the transaction, begun before the first one.
            begin = held is None or not (plan.reads or closing) or not _reads_committed(adapted)
            # SQLAlchemy's moment of its last schema change: prepared statements older than
            # it are prepared again, as its own cursor does.
            since = getattr(sync.dialect, "_invalidate_schema_cache_asof", 0)
            rows, description, count = await _asyncpg(adapted, sql, values, since, begin)
    except Exception as error:
        await _raise_as_sqlalchemy(conn, adapted, error, sql, values)
        raise  # not reached: the line above always raises
    return DirectRows(plan.rows(rows, description) if description else [], count)


def _absorbed(plan: _Plan, values: list[Any], held: list[_Held]) -> tuple[str, list[Any]]:
    parts = tuple((part.sql, len(part.names)) for part, _, _ in held)
    sql = with_held(plan.sql, len(plan.names), parts)
    values = [*values, *(value for _, part_values, _ in held for value in part_values)]
    held.clear()
    return sql, values


def _reads_committed(adapted: Any) -> bool:
    return adapted.isolation_level in (None, "read_committed") and not (
        adapted.readonly or adapted.deferrable
    )


def flush_before_sqlalchemy(sync: Connection) -> None:
    """SQLAlchemy is about to run a statement (storage/engine.py's hook): what is held goes
    first, so that it reads what the unit of work wrote. Errors are the driver's, which
    SQLAlchemy's execution then handles as its own."""
    held = _HELD.get(sync)
    if not held:
        return
    plan, values, _ = held.pop()
    sql, values = _absorbed(plan, values, held) if held else (plan.sql, values)
    adapted: Any = sync.connection.dbapi_connection
    since = getattr(sync.dialect, "_invalidate_schema_cache_asof", 0)
    try:
        await_(_asyncpg(adapted, sql, values, since, True))
    except Exception as error:
        adapted._handle_exception(error)  # raises the DBAPI error SQLAlchemy wraps
        raise


async def _sqlite(driver: Any, sql: str, values: list[Any]) -> tuple[list[Any], Any, int]:
    """On storage/sqlite_driver.py's connection: inline, a wait for the lock on a thread."""
    done = driver.fetch_now(sql, values)
    if done is not None:
        return cast(tuple[list[Any], Any, int], done)
    cursor = driver.cursor()
    try:
        await cursor.execute(sql, values)
        description = cursor.description
        rows = await cursor.fetchall() if description else []
        return rows, description, cursor.rowcount
    finally:
        await cursor.close()


async def _asyncpg(
    adapted: Any, sql: str, values: list[Any], since: float, begin: bool
) -> tuple[list[Any], Any, int]:
    """On SQLAlchemy's asyncpg adaptation: its transaction, its prepared statements."""
    async with adapted._execute_mutex:
        if begin and adapted._transaction is None:
            await adapted._start_transaction()  # a no-op in autocommit
        prepared, attributes = await adapted._prepare(sql, since)
        rows = await prepared.fetch(*values)
        found = _STATUS_COUNT.match(prepared.get_statusmsg() or "")
        return rows, attributes or None, int(found.group(1)) if found else -1


async def _raise_as_sqlalchemy(
    conn: AsyncConnection, adapted: Any, error: Exception, sql: str, values: list[Any]
) -> None:
    """Raise `error` as SQLAlchemy would have: the driver's exception translated to the DBAPI
    one, wrapped in sqlalchemy.exc.DBAPIError, the connection invalidated if it is lost."""
    translated: BaseException = error
    if conn.dialect.name != "sqlite":
        try:
            adapted._handle_exception(error)
        except Exception as dbapi_error:
            translated = dbapi_error
    dbapi = conn.dialect.loaded_dbapi
    if not isinstance(translated, dbapi.Error):
        raise error
    stale = tuple(
        getattr(dbapi, name)
        for name in ("InvalidCachedStatementError", "InternalServerError")
        if hasattr(dbapi, name)
    )
    if stale and isinstance(translated, stale):
        # The schema changed under a prepared statement (a migration by another process):
        # the next statements are prepared again, as after SQLAlchemy's own execution.
        conn.dialect._invalidate_schema_cache()  # type: ignore[attr-defined]

    def handle(sync_conn: Any) -> None:
        sync_conn._handle_dbapi_exception(translated, sql, tuple(values), None, None)

    await conn.run_sync(handle)
