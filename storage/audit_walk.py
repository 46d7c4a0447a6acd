"""What `audit verify` (storage/audit_verify.py) needs to check a row quickly: the rows as the
driver returns them, each stored time turned into its canonical stamp without a datetime
round trip, and one chain's state during the walk. Anything unusual goes the exact way:
through the column's own type and canonical() itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Dialect, Select, func, select, type_coerce
from sqlalchemy.types import NullType

from storage.audit_chain import AUDIT, GENESIS, LEGACY, canonical, chain_hash, utc_stamp

# The walk reads the stored time as the driver hands it over (no per-row type processing) and
# turns it into the canonical stamp itself; stamper() falls back to the column's own
# processing for anything but the usual form. PostgreSQL hands over the UTC wall time (a
# naive datetime formats faster than an aware one).
_COLUMNS = (
    AUDIT.c.action,
    AUDIT.c.actor_member_id,
    AUDIT.c.group_id,
    AUDIT.c.case_id,
    AUDIT.c.binding_id,
    AUDIT.c.detail,
    AUDIT.c.chain_id,
    AUDIT.c.prev_hash,
    AUDIT.c.hash,
)
_AT = {
    "sqlite": type_coerce(AUDIT.c.at, NullType()),
    "postgresql": type_coerce(func.timezone("UTC", AUDIT.c.at), NullType()),
}


def walk(dialect: Dialect) -> Select[Any]:
    """Every audit row in id order: id, time, the canonical content's columns, chain, hashes."""
    return select(AUDIT.c.id, _AT[dialect.name], *_COLUMNS).order_by(AUDIT.c.id)


# How SQLAlchemy stores a time in SQLite: "2026-01-01 12:00:00.000000" (UTC).
_SQLITE_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")


def time_reader(dialect: Dialect) -> Callable[[Any], datetime]:
    """The column's own conversion of a stored time (what a query of the table returns)."""
    process = AUDIT.c.at.type.dialect_impl(dialect).result_processor(dialect, None)

    def to_datetime(raw: Any) -> datetime:
        value = process(raw) if process is not None else raw
        if not isinstance(value, datetime):
            raise ValueError("not a time")
        return value

    return to_datetime


def stamper(dialect: Dialect) -> Callable[[Any], str]:
    """The canonical stamp (utc_stamp) of a stored time as the driver returns it."""
    to_datetime = time_reader(dialect)
    if dialect.name == "sqlite":
        usual = _SQLITE_TIME.fullmatch

        def sqlite_stamp(raw: Any) -> str:
            if type(raw) is str and usual(raw) and raw[0] != "0":  # strftime: year 999, not 0999
                return f"{raw[:10]}T{raw[11:]}Z"
            return utc_stamp(to_datetime(raw))

        return sqlite_stamp

    def utc_wall_stamp(raw: Any) -> str:
        if type(raw) is datetime and raw.tzinfo is None and raw.year >= 1000:
            text = raw.isoformat()  # no fraction when it is zero
            return f"{text}Z" if raw.microsecond else f"{text}.000000Z"
        return utc_stamp(to_datetime(raw))

    return utc_wall_stamp


class ChainState:
    """One chain's state during the walk."""

    __slots__ = (
        "beyond",
        "chain_id",
        "failed",
        "head_hash",
        "head_id",
        "length",
        "prefix",
        "problem",
        "recorded",
        "row_id",
    )

    def __init__(self, chain_id: int, recorded: int) -> None:
        self.chain_id = chain_id
        # canonical()'s opening: the legacy chain's rows do not name their chain.
        self.prefix = '["a1","' if chain_id == LEGACY else f'["a2",{chain_id},"'
        self.length = 0
        self.head_id: int | None = None
        self.head_hash = GENESIS
        self.problem: str | None = None
        self.row_id: int | None = None
        self.failed: int | None = None  # a row whose own hash failed, judged by its successor
        self.recorded = recorded  # the length its head row records
        self.beyond: int | None = None  # the first row past that length


def content_holds(chain: ChainState, row: Any, to_datetime: Callable[[Any], datetime]) -> bool:
    """The row's hash is that of its content after its predecessor's hash, by canonical()
    itself: the walk's quick encoding differed (an unusual stored value) or the row is bad."""
    _row_id, at, action, actor, group, case, binding, detail, _chain_id, prev, digest = row
    try:
        content = canonical(
            at=to_datetime(at),
            action=action,
            actor_member_id=actor,
            group_id=group,
            case_id=case,
            binding_id=binding,
            detail=detail,
            chain_id=chain.chain_id,
        )
        return digest is not None and chain_hash(prev or "", content) == digest
    except (TypeError, ValueError):
        return False
