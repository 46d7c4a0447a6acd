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

import keyword
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import InvalidRequestError, MultipleResultsFound, NoResultFound
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

_Processor = Callable[[Any], Any] | None
_STATUS_COUNT = re.compile(r"(?:SELECT|UPDATE|DELETE|INSERT \d+|MERGE) (\d+)")
# Plans kept per statement object; statements passed here are built once, so this stays
# small. A caller that built statements per call would grow it: it is emptied past this.
_MAX_PLANS = 2_000
_MANY = "Multiple rows were found when exactly one was required"
_MISSING = object()


class Rows(Protocol):
    """What callers read from a statement's result (SQLAlchemy's result has the same)."""

    @property
    def rowcount(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...

    def first(self) -> Any: ...

    def all(self) -> Sequence[Any]: ...

    def one(self) -> Any: ...

    def scalar(self) -> Any: ...

    def scalar_one(self) -> Any: ...

    def scalar_one_or_none(self) -> Any: ...


class DirectRows:
    """The rows of one statement run on the driver, already processed."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def all(self) -> list[Any]:
        return self._rows

    def one(self) -> Any:
        if not self._rows:
            raise NoResultFound("No row was found when one was required")
        if len(self._rows) > 1:
            raise MultipleResultsFound(_MANY)
        return self._rows[0]

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        if len(self._rows) > 1:
            raise MultipleResultsFound(_MANY)
        return self._rows[0][0] if self._rows else None


def _row_class(keys: Sequence[str]) -> type[tuple[Any, ...]]:
    """A tuple whose columns can also be read by name, as SQLAlchemy's rows can."""
    namespace: dict[str, Any] = {"__slots__": (), "_fields": tuple(keys)}
    for index, key in enumerate(keys):
        if key.isidentifier() and not keyword.iskeyword(key) and key not in namespace:
            namespace[key] = property(operator.itemgetter(index))
    namespace["_mapping"] = property(lambda row: dict(zip(keys, row, strict=True)))
    return type("DirectRow", (tuple,), namespace)


class _Plan:
    """One statement compiled for one dialect and one set of parameter names."""

    __slots__ = ("binds", "defaults", "names", "results", "row", "sql")

    def __init__(self, compiled: SQLCompiler) -> None:
        self.sql: str = compiled.string
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())
        # Values of parameters the caller need not pass: literals and scalar column defaults.
        # A required parameter has none: leaving it out is an error, as with SQLAlchemy.
        self.defaults: dict[str, Any] = {
            name: bind.effective_value
            for name, bind in compiled.binds.items()
            if not bind.required
        }
        for column in compiled.insert_prefetch:
            self.defaults[column.key] = column.default.arg  # type: ignore[union-attr]
        processors = compiled._bind_processors
        self.binds: tuple[_Processor, ...] = tuple(
            cast(_Processor, processors.get(name)) for name in self.names
        )
        columns = compiled._result_columns
        self.row: type[tuple[Any, ...]] | None = (
            _row_class([c.keyname for c in columns]) if columns else None
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
            self.row = _row_class([d[0] for d in description])
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
    return _Plan(compiled)


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


async def execute(
    conn: AsyncConnection,
    statement: Executable,
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> Rows:
    """Run `statement` (built once, not per call) in `conn`'s transaction."""
    if params is not None and not isinstance(params, Mapping):
        return await conn.execute(statement, list(params))
    params = params or {}
    sync = conn.sync_connection
    assert sync is not None, "connection not started"
    dialect = sync.dialect
    plan = _plan(cast(ClauseElement, statement), dialect, tuple(params))
    if plan is None:
        return await conn.execute(statement, dict(params))
    if not sync.in_transaction():
        # As SQLAlchemy's autobegin would: its COMMIT and ROLLBACK then end what runs here.
        await conn.begin()
    values = plan.values(params)
    fairy = sync.connection
    adapted = fairy.dbapi_connection
    try:
        if dialect.name == "sqlite":
            rows, description, count = await _sqlite(fairy.driver_connection, plan.sql, values)
        else:
            # SQLAlchemy's moment of its last schema change: prepared statements older than
            # it are prepared again, as its own cursor does.
            since = getattr(dialect, "_invalidate_schema_cache_asof", 0)
            rows, description, count = await _asyncpg(adapted, plan.sql, values, since)
    except Exception as error:
        await _raise_as_sqlalchemy(conn, adapted, error, plan.sql, values)
        raise  # not reached: the line above always raises
    return DirectRows(plan.rows(rows, description) if description else [], count)


async def _sqlite(driver: Any, sql: str, values: list[Any]) -> tuple[list[Any], Any, int]:
    """On storage/sqlite_driver.py's connection: inline, a wait for the lock on a thread."""
    cursor = driver.cursor()
    try:
        await cursor.execute(sql, values)
        description = cursor.description
        rows = await cursor.fetchall() if description else []
        return rows, description, cursor.rowcount
    finally:
        await cursor.close()


async def _asyncpg(
    adapted: Any, sql: str, values: list[Any], since: float
) -> tuple[list[Any], Any, int]:
    """On SQLAlchemy's asyncpg adaptation: its transaction, its prepared statements."""
    async with adapted._execute_mutex:
        if adapted._transaction is None:
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
