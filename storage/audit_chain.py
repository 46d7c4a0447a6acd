"""The audit log as hash chains, one per group and one for the installation's own events:
each row's `hash` is SHA-256 over the previous row's hash in its chain and the row's canonical
content, so altering, deleting, inserting or reordering a row breaks its chain at that row.
Signed checkpoints of each chain's head (storage/audit_verify.py) catch the one thing a chain
alone cannot: a rewrite of the whole chain.

Appending updates the chain's head row (`audit_heads`) in the command's transaction. The head
row's lock, held to COMMIT, orders the appenders of one group; commands of other groups never
wait on it. The application appends only; nothing here updates or deletes audit rows.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import LargeBinary

from storage import direct
from storage.models import AuditCheckpointRow, AuditRow
from storage.models_audit import AuditHeadRow

AUDIT = cast(Table, AuditRow.__table__)
HEADS = cast(Table, AuditHeadRow.__table__)
CHECKPOINTS = cast(Table, AuditCheckpointRow.__table__)
GENESIS = "0" * 64
# The chain of the installation's own events (rows without a group).
INSTALLATION = 0
# The single chain every row belonged to before each group had its own (rows: chain_id NULL).
LEGACY = -1


def chain_of(group_id: int | None) -> int:
    return INSTALLATION if group_id is None else int(group_id)


def utc_stamp(at: datetime) -> str:
    """`%Y-%m-%dT%H:%M:%S.%fZ`, which every row's hash covers. isoformat() writes the same,
    in a third of strftime's time, except for years before 1000 (strftime: "999", not "0999")."""
    utc = at.astimezone(UTC)
    if utc.year < 1000:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.isoformat("T", "microseconds")[:26] + "Z"


def canonical(
    *,
    at: datetime,
    action: str,
    actor_member_id: int | None,
    group_id: int | None,
    case_id: int | None,
    binding_id: int | None,
    detail: str,
    chain_id: int | None = None,
) -> bytes:
    """Version-tagged, unambiguous serialisation of what a row says (ids, never text). Rows
    of a group's or the installation's chain name their chain ("a2"), so a row moved to
    another chain does not verify there; rows of the legacy chain keep their format ("a1")."""
    head: list[Any] = ["a1"] if chain_id is None or chain_id == LEGACY else ["a2", chain_id]
    return json.dumps(
        [*head, utc_stamp(at), action, actor_member_id, group_id, case_id, binding_id, detail],
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def chain_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + content).hexdigest()


# PostgreSQL appends in one statement: the upsert of the chain's head waits for the head
# row's lock (held by an earlier appender of the same chain until it commits), then computes
# the new hash from the latest committed head exactly as chain_hash() does; the audit row
# takes the head's old and new hashes. ON CONFLICT DO UPDATE always works on the newest row
# version, so this is correct under READ COMMITTED without an advisory lock.
_PG_HASH = "encode(sha256(convert_to({prev}, 'UTF8') || '\\x0a'::bytea || :content), 'hex')"
_PG_HEAD = f"""
    head AS (
        INSERT INTO audit_heads AS h (chain_id, length, prev_hash, hash)
        VALUES (:chain_id, 1, :genesis, :first_hash)
        ON CONFLICT (chain_id) DO UPDATE
            SET length = h.length + 1, prev_hash = h.hash, hash = {_PG_HASH.format(prev="h.hash")}
        RETURNING prev_hash, hash
    )"""
_PG_ROW = """
    INSERT INTO audit_log
        (at, action, actor_member_id, group_id, case_id, binding_id, detail, chain_id,
         prev_hash, hash)
    SELECT :at, :action, :actor_member_id, :group_id, :case_id, :binding_id, :detail,
           :chain_id, head.prev_hash, head.hash
    FROM head"""
_PG_APPEND = text(f"WITH {_PG_HEAD} {_PG_ROW}").bindparams(bindparam("content", type_=LargeBinary))
# The same append as two WITH clauses of another statement (a command's outbox INSERT,
# storage/outbox.py): PostgreSQL runs a data-modifying WITH whether or not the statement
# reads it. Its parameters are those of appended_row().
PG_APPEND_CLAUSES = f"{_PG_HEAD}, audited AS ({_PG_ROW})"

# SQLite does the same in two statements (it has no INSERT in a WITH): the head row is moved
# and its old and new hashes returned, the hash computed by chain_hash() itself, registered
# on every connection as the SQL function psp_chain_hash (storage/engine.py); then the row.
# BEGIN IMMEDIATE (storage/engine.py) already holds the database's write lock.
SQLITE_HASH_FUNCTION = "psp_chain_hash"
_SQLITE_MOVE_HEAD = text(
    f"""
    INSERT INTO audit_heads (chain_id, length, prev_hash, hash)
    VALUES (:chain_id, 1, :genesis, :first_hash)
    ON CONFLICT (chain_id) DO UPDATE
        SET length = length + 1, prev_hash = hash, hash = {SQLITE_HASH_FUNCTION}(hash, :content)
    RETURNING prev_hash, hash
    """
).bindparams(bindparam("content", type_=LargeBinary))
_SQLITE_APPEND = insert(AUDIT)


def appended_row(
    *,
    at: datetime,
    action: str,
    actor_member_id: int | None,
    group_id: int | None,
    case_id: int | None,
    binding_id: int | None,
    detail: str,
) -> dict[str, Any]:
    """The parameters that append one row to its group's chain (append_row)."""
    chain_id = chain_of(group_id)
    content = canonical(
        at=at,
        action=action,
        actor_member_id=actor_member_id,
        group_id=group_id,
        case_id=case_id,
        binding_id=binding_id,
        detail=detail,
        chain_id=chain_id,
    )
    return {
        "at": at,
        "action": action,
        "actor_member_id": actor_member_id,
        "group_id": group_id,
        "case_id": case_id,
        "binding_id": binding_id,
        "detail": detail,
        "chain_id": chain_id,
        "content": content,
        "genesis": GENESIS,
        "first_hash": chain_hash(GENESIS, content),  # if this is the chain's first row
    }


async def append_row(conn: AsyncConnection, row: dict[str, Any], *, closing: bool = False) -> None:
    """Append one row to its group's chain (the only way the application writes audit rows).
    The head is read under the transaction's write lock: BEGIN IMMEDIATE on SQLite, the head
    row's lock on PostgreSQL. Do not run units of work at REPEATABLE READ or above: the head
    must be the newest committed one. On PostgreSQL the append takes the unit of work's held
    writes along (storage/direct.py; `closing` as there)."""
    if conn.dialect.name == "postgresql":
        await direct.execute(conn, _PG_APPEND, row, absorb=True, closing=closing)
        return
    head = (await direct.execute(conn, _SQLITE_MOVE_HEAD, row)).one()
    values = {k: v for k, v in row.items() if k not in _HEAD_ONLY}
    await direct.execute(
        conn, _SQLITE_APPEND, {**values, "prev_hash": head.prev_hash, "hash": head.hash}
    )


_HEAD_ONLY = frozenset({"content", "genesis", "first_hash"})


async def append(conn: AsyncConnection, **fields: Any) -> None:
    """Append one row at once; `fields` as for appended_row()."""
    await append_row(conn, appended_row(**fields))
