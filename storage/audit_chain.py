"""The audit log as a hash chain: each row's `hash` is SHA-256 over the previous row's hash and
the row's canonical content, so altering, deleting, inserting or reordering a row breaks the
chain at that row. A signed checkpoint of the head (Ed25519, key kept outside the database)
catches the one thing a chain alone cannot: a rewrite of the whole table.

The application appends only; nothing here updates or deletes audit rows.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import AuditCheckpointRow, AuditRow

AUDIT = cast(Table, AuditRow.__table__)
CHECKPOINTS = cast(Table, AuditCheckpointRow.__table__)
GENESIS = "0" * 64
# pg_advisory_xact_lock key for "append to the audit chain" (ASCII "PSPaudit").
PG_AUDIT_LOCK = 0x505350_61756469
BATCH = 20_000
# How many recent hashes verify remembers to recognise rows inserted into the chain.
RECENT = 1024


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(
    *,
    at: datetime,
    action: str,
    actor_member_id: int | None,
    group_id: int | None,
    case_id: int | None,
    binding_id: int | None,
    detail: str,
) -> bytes:
    """Version-tagged, unambiguous serialisation of what a row says (ids, never text)."""
    return json.dumps(
        ["a1", _stamp(at), action, actor_member_id, group_id, case_id, binding_id, detail],
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def chain_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + content).hexdigest()


def _row_content(row: Any) -> bytes:
    return canonical(
        at=row.at,
        action=row.action,
        actor_member_id=row.actor_member_id,
        group_id=row.group_id,
        case_id=row.case_id,
        binding_id=row.binding_id,
        detail=row.detail,
    )


async def lock_and_head(conn: AsyncConnection) -> str:
    """Serialise appenders, then read the head hash. SQLite is already serialised by BEGIN
    IMMEDIATE; PostgreSQL holds a transaction-scoped advisory lock until commit/rollback.
    The head is read after the lock is taken, which sees the previous holder's commit only
    under READ COMMITTED (the engine's default): do not run units of work at REPEATABLE
    READ or above, or appenders would chain onto a stale head."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_AUDIT_LOCK})
    head = (
        await conn.execute(select(AUDIT.c.hash).order_by(AUDIT.c.id.desc()).limit(1))
    ).scalar_one_or_none()
    return str(head) if head else GENESIS


# PostgreSQL appends in one statement after taking the lock: the head is read, hashed with
# the new row's content exactly as chain_hash() does, and inserted, saving a round trip on
# every command. The statement starts after the lock statement, so under READ COMMITTED its
# snapshot includes the previous holder's commit.
_PG_APPEND = text(
    """
    INSERT INTO audit_log
        (at, action, actor_member_id, group_id, case_id, binding_id, detail, prev_hash, hash)
    SELECT :at, :action, :actor_member_id, :group_id, :case_id, :binding_id, :detail,
           head.prev,
           encode(sha256(convert_to(head.prev, 'UTF8') || '\\x0a'::bytea || :content), 'hex')
    FROM (SELECT coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), :genesis)
          AS prev) AS head
    """
)


async def append(
    conn: AsyncConnection,
    *,
    at: datetime,
    action: str,
    actor_member_id: int | None,
    group_id: int | None,
    case_id: int | None,
    binding_id: int | None,
    detail: str,
) -> None:
    """Append one row to the chain (the only way the application writes audit rows)."""
    row = {
        "at": at,
        "action": action,
        "actor_member_id": actor_member_id,
        "group_id": group_id,
        "case_id": case_id,
        "binding_id": binding_id,
        "detail": detail,
    }
    content = canonical(**row)  # type: ignore[arg-type]
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_AUDIT_LOCK})
        await conn.execute(_PG_APPEND, {**row, "content": content, "genesis": GENESIS})
        return
    prev_hash = await lock_and_head(conn)
    await conn.execute(
        insert(AUDIT).values(**row, prev_hash=prev_hash, hash=chain_hash(prev_hash, content))
    )


@dataclass(frozen=True)
class ChainReport:
    length: int
    head_id: int | None
    head_hash: str
    problem: str | None = None  # "altered", "deleted", "inserted", "reordered"
    row_id: int | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        if self.problem is None:
            return f"audit chain intact: {self.length} rows, head {self.head_hash}"
        what = {
            "altered": "was altered (its content no longer matches its hash)",
            "deleted": "is preceded by a gap: one or more rows before it were deleted",
            "inserted": "was inserted (the chain runs past it)",
            "reordered": "is out of order (its predecessor appears later in the table)",
        }[self.problem]
        return f"audit chain broken: row {self.row_id} {what}"


async def count_audit_rows(conn: AsyncConnection) -> int:
    return int((await conn.execute(select(func.count()).select_from(AUDIT))).scalar_one())


async def verify_chain(conn: AsyncConnection, *, progress: Any = None) -> ChainReport:
    """Walk the chain in id order; report the first broken row, or the length and head."""
    expected = GENESIS
    recent: OrderedDict[str, int] = OrderedDict()
    length = 0
    head_id: int | None = None
    last_id = -1
    pending: Any = None  # a row whose own hash failed: judged once its successor is read
    while True:
        rows = (
            await conn.execute(
                select(AUDIT).where(AUDIT.c.id > last_id).order_by(AUDIT.c.id).limit(BATCH)
            )
        ).all()
        if not rows:
            break
        for row in rows:
            if pending is not None:
                # The successor links past the failed row: that row was slipped in.
                kind = "inserted" if row.prev_hash == expected else "altered"
                return ChainReport(length, head_id, expected, kind, pending.id)
            content_ok = (
                row.hash is not None
                and chain_hash(row.prev_hash or "", _row_content(row)) == row.hash
            )
            if row.prev_hash == expected and content_ok:
                expected = row.hash
                recent[expected] = row.id
                if len(recent) > RECENT:
                    recent.popitem(last=False)
                length += 1
                head_id = row.id
                continue
            if not content_ok:
                pending = row
                continue
            # Its own hash holds but it does not follow the row before it.
            if row.prev_hash in recent:
                inserted_after = recent[row.prev_hash]
                first = (
                    await conn.execute(
                        select(func.min(AUDIT.c.id)).where(AUDIT.c.id > inserted_after)
                    )
                ).scalar_one()
                return ChainReport(length, head_id, expected, "inserted", int(first))
            later = (
                await conn.execute(
                    select(AUDIT.c.id)
                    .where(AUDIT.c.id > row.id, AUDIT.c.hash == row.prev_hash)
                    .limit(1)
                )
            ).scalar_one_or_none()
            kind = "reordered" if later is not None else "deleted"
            return ChainReport(length, head_id, expected, kind, row.id)
        last_id = rows[-1].id
        if progress is not None:
            progress(length)
    if pending is not None:
        return ChainReport(length, head_id, expected, "altered", pending.id)
    return ChainReport(length, head_id, expected)


# --- signed checkpoints -----------------------------------------------------------------


def _checkpoint_message(length: int, head_id: int | None, head_hash: str, at: str) -> bytes:
    return f"psp-bot audit checkpoint v1\n{length}\n{head_id}\n{head_hash}\n{at}".encode()


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(public.public_bytes_raw()).decode("ascii")


def load_signing_key(raw: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw.strip(), validate=True))


def signing_key_text(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.private_bytes_raw()).decode("ascii")


def load_public_key(raw: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(raw.strip(), validate=True))


def sign_checkpoint(report: ChainReport, key: Ed25519PrivateKey, at: datetime) -> dict[str, Any]:
    stamp = _stamp(at)
    signature = key.sign(
        _checkpoint_message(report.length, report.head_id, report.head_hash, stamp)
    )
    return {
        "length": report.length,
        "head_id": report.head_id,
        "head_hash": report.head_hash,
        "at": stamp,
        "public_key": public_key_text(key),
        "signature": base64.b64encode(signature).decode("ascii"),
    }


async def store_checkpoint(conn: AsyncConnection, signed: dict[str, Any]) -> None:
    """Keep a copy in the database too (the copy that counts is the one kept elsewhere)."""
    await conn.execute(
        insert(CHECKPOINTS).values(
            at=datetime.now(UTC),
            length=signed["length"],
            head_id=signed["head_id"] or 0,
            head_hash=signed["head_hash"],
            public_key=signed["public_key"],
            signature=signed["signature"],
        )
    )


async def check_checkpoint(
    conn: AsyncConnection, checkpoint: dict[str, Any], public_key: Ed25519PublicKey
) -> str | None:
    """None if the database still holds the signed head at the signed length; else why not.
    Run after verify_chain: an intact chain that still contains the signed head cannot have
    been rewritten before that head."""
    try:
        message = _checkpoint_message(
            int(checkpoint["length"]),
            checkpoint["head_id"],
            str(checkpoint["head_hash"]),
            str(checkpoint["at"]),
        )
        public_key.verify(base64.b64decode(checkpoint["signature"]), message)
    except (KeyError, TypeError, ValueError, InvalidSignature):
        return "the checkpoint's signature does not verify with the given public key"
    head_id = checkpoint["head_id"]
    if head_id is None:
        return None
    stored = (
        await conn.execute(select(AUDIT.c.hash).where(AUDIT.c.id == int(head_id)))
    ).scalar_one_or_none()
    if stored != checkpoint["head_hash"]:
        return f"row {head_id} no longer carries the signed head hash: the log was rewritten"
    count = (
        await conn.execute(select(func.count()).select_from(AUDIT).where(AUDIT.c.id <= head_id))
    ).scalar_one()
    if int(count) != int(checkpoint["length"]):
        return f"the log up to row {head_id} has {count} rows, the checkpoint signed " + str(
            checkpoint["length"]
        )
    return None
