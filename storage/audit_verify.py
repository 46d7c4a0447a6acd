"""`audit verify` and `audit checkpoint`: walk every audit chain, name the first broken row of
each, and sign or check each chain's head (Ed25519, key kept outside the database).

The walk is one pass over the table in id order, every chain at once with a little state per
chain, inside one snapshot (REPEATABLE READ on PostgreSQL, a deferred read transaction on
SQLite) so that rows committed while it runs cannot make a chain look broken, and the bot's
commands are not held up by it. Rows stream in batches (a server-side cursor on PostgreSQL)
as plain tuples; the row's canonical content is written out inline and hashed with hashlib,
and canonical() itself decides whenever that quick check fails (storage/audit_walk.py). It
changes nothing and needs no encryption key.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.audit_chain import (
    AUDIT,
    CHECKPOINTS,
    GENESIS,
    HEADS,
    INSTALLATION,
    LEGACY,
    utc_stamp,
)
from storage.audit_walk import ChainState, content_holds, stamper, time_reader, walk
from storage.engine import READ_ONLY_SNAPSHOT

BATCH = 20_000
_PROBLEMS = {
    "altered": "was altered (its content no longer matches its hash)",
    "deleted": "is preceded by a gap: one or more rows before it were deleted",
    "inserted": "was inserted (the chain runs past it)",
    "reordered": "is out of order (its predecessor appears later in the table)",
    "truncated": "is the last one left: rows after it were deleted (the chain's head is longer)",
    "headless": "starts a chain whose head record is missing",
}


def chain_label(chain_id: int) -> str:
    if chain_id == INSTALLATION:
        return "of the installation"
    if chain_id == LEGACY:
        return "kept before per-group chains"
    return f"of group {chain_id}"


@dataclass
class ChainReport:
    chain_id: int
    length: int = 0
    head_id: int | None = None
    head_hash: str = GENESIS
    problem: str | None = None  # a key of _PROBLEMS
    row_id: int | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        label = chain_label(self.chain_id)
        if self.problem is None:
            return f"audit chain {label} intact: {self.length} rows, head {self.head_hash}"
        return f"audit chain {label} broken: row {self.row_id} {_PROBLEMS[self.problem]}"


@dataclass
class AuditReport:
    chains: dict[int, ChainReport]
    # For each watched row id: (its chain, its position in the chain, its hash).
    positions: dict[int, tuple[int, int, str]] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return all(c.intact for c in self.chains.values())

    @property
    def length(self) -> int:
        return sum(c.length for c in self.chains.values())

    def broken(self) -> list[ChainReport]:
        return [c for _, c in sorted(self.chains.items()) if not c.intact]

    def describe(self) -> str:
        broken = self.broken()
        if broken:
            return "\n".join(c.describe() for c in broken)
        return f"audit chains intact: {len(self.chains)} chains, {self.length} rows"


@asynccontextmanager
async def audit_snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection whose reads all see one moment of the database, without holding up the
    bot's writes: REPEATABLE READ on PostgreSQL, a deferred transaction on SQLite (WAL)."""
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execution_options(isolation_level="REPEATABLE READ")
        else:
            await conn.execution_options(**{READ_ONLY_SNAPSHOT: True})
        yield conn


async def count_audit_rows(conn: AsyncConnection) -> int:
    return int((await conn.execute(select(func.count()).select_from(AUDIT))).scalar_one())


def _in_chain(chain_id: int) -> ColumnElement[bool]:
    return AUDIT.c.chain_id.is_(None) if chain_id == LEGACY else AUDIT.c.chain_id == chain_id


async def _judge_link(
    conn: AsyncConnection, chain_id: int, row_id: int, prev_hash: Any
) -> tuple[str, int]:
    """A row whose own hash holds but which does not follow the row before it in its chain:
    its predecessor is earlier (rows were slipped in after it), later (reordered), or gone."""
    holder = (
        await conn.execute(select(AUDIT.c.id).where(_in_chain(chain_id), AUDIT.c.hash == prev_hash))
    ).scalar_one_or_none()
    if holder is None:
        return "deleted", row_id
    if holder > row_id:
        return "reordered", row_id
    first_after = (
        await conn.execute(
            select(func.min(AUDIT.c.id)).where(_in_chain(chain_id), AUDIT.c.id > holder)
        )
    ).scalar_one()
    return "inserted", int(first_after)


async def verify_chain(
    conn: AsyncConnection,
    *,
    progress: Callable[[int], object] | None = None,
    watch: Collection[int] = (),
) -> AuditReport:
    """Walk every chain in one pass over the table in id order; for each, the first broken
    row or its length and head. Watched row ids get their chain position recorded (for
    checking checkpoints)."""
    heads = {
        int(r.chain_id): int(r.length)
        for r in await conn.execute(select(HEADS.c.chain_id, HEADS.c.length))
    }
    report = AuditReport({})
    watched = set(watch)
    stamp, to_datetime = stamper(conn.dialect), time_reader(conn.dialect)
    chains: dict[int | None, ChainState] = {}  # by the stored chain_id (NULL: the legacy chain)
    by_id: dict[int, ChainState] = {}
    unlinked: list[tuple[ChainState, int, Any]] = []  # judged after the walk
    sha256, quote = hashlib.sha256, encode_basestring
    walked = 0
    result = await conn.stream(walk(conn.dialect), execution_options={"yield_per": BATCH})
    async for rows in result.partitions():
        for row in rows:
            row_id, at, action, actor, group, case, binding, detail, stored_chain, prev, digest = (
                row
            )
            chain = chains.get(stored_chain)
            if chain is None:
                chain_id = LEGACY if stored_chain is None else stored_chain
                chain = chains[stored_chain] = by_id.setdefault(
                    chain_id, ChainState(chain_id, heads.get(chain_id, 0))
                )
            if chain.problem is not None:
                continue
            if chain.failed is not None:
                # The successor links past the failed row: that row was slipped in.
                chain.problem = "inserted" if prev == chain.head_hash else "altered"
                chain.row_id = chain.failed
                continue
            # canonical() and chain_hash() written out for speed; _content_holds() has the
            # last word when they disagree with the stored hash.
            try:
                content = (
                    f'{prev}\n{chain.prefix}{stamp(at)}",{quote(action)},'
                    f"{'null' if actor is None else actor},{'null' if group is None else group},"
                    f"{'null' if case is None else case},"
                    f"{'null' if binding is None else binding},{quote(detail)}]"
                )
                holds = digest == sha256(content.encode()).hexdigest()
            except (TypeError, ValueError):
                holds = False
            if not holds and not content_holds(chain, row, to_datetime):
                chain.failed = row_id
            elif prev != chain.head_hash:
                chain.problem = "unlinked"
                unlinked.append((chain, row_id, prev))
            else:
                chain.head_hash, chain.head_id = digest, row_id
                chain.length += 1
                if chain.length == chain.recorded + 1:
                    chain.beyond = row_id
                if watched and row_id in watched:
                    report.positions[row_id] = (chain.chain_id, chain.length, digest)
        walked += len(rows)
        if progress is not None:
            progress(walked)
    for chain, row_id, prev in unlinked:
        chain.problem, chain.row_id = await _judge_link(conn, chain.chain_id, row_id, prev)
    for chain_id, chain in sorted(by_id.items()):
        report.chains[chain_id] = _judged(chain, chain_id in heads)
    return report


def _judged(chain: ChainState, has_head: bool) -> ChainReport:
    """The chain's report, once the walk is over: rows past or short of its head."""
    problem, row_id = chain.problem, chain.row_id
    if problem is None:
        if chain.failed is not None:
            problem, row_id = "altered", chain.failed
        elif not has_head:
            problem, row_id = "headless", chain.beyond
        elif chain.length > chain.recorded:
            problem, row_id = "inserted", chain.beyond
        elif chain.length < chain.recorded:
            problem, row_id = "truncated", chain.head_id
    return ChainReport(
        chain.chain_id, chain.length, chain.head_id, chain.head_hash, problem, row_id
    )


# --- signed checkpoints -----------------------------------------------------------------


def _checkpoint_message(
    chain_id: int | None, length: int, head_id: int | None, head_hash: str, at: str
) -> bytes:
    if chain_id is None:  # signed when the log was one chain
        return f"psp-bot audit checkpoint v1\n{length}\n{head_id}\n{head_hash}\n{at}".encode()
    return (
        f"psp-bot audit checkpoint v2\n{chain_id}\n{length}\n{head_id}\n{head_hash}\n{at}"
    ).encode()


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(public.public_bytes_raw()).decode("ascii")


def load_signing_key(raw: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw.strip(), validate=True))


def signing_key_text(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.private_bytes_raw()).decode("ascii")


def load_public_key(raw: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(raw.strip(), validate=True))


def sign_checkpoint(chain: ChainReport, key: Ed25519PrivateKey, at: datetime) -> dict[str, Any]:
    stamp = utc_stamp(at)
    message = _checkpoint_message(
        chain.chain_id, chain.length, chain.head_id, chain.head_hash, stamp
    )
    return {
        "chain": chain.chain_id,
        "length": chain.length,
        "head_id": chain.head_id,
        "head_hash": chain.head_hash,
        "at": stamp,
        "public_key": public_key_text(key),
        "signature": base64.b64encode(key.sign(message)).decode("ascii"),
    }


async def store_checkpoint(conn: AsyncConnection, signed: dict[str, Any]) -> None:
    """Keep a copy in the database too (the copy that counts is the one kept elsewhere)."""
    await conn.execute(
        insert(CHECKPOINTS).values(
            chain_id=signed["chain"],
            at=datetime.fromisoformat(signed["at"]),
            length=signed["length"],
            head_id=signed["head_id"] or 0,
            head_hash=signed["head_hash"],
            public_key=signed["public_key"],
            signature=signed["signature"],
        )
    )


def checkpoint_heads(checkpoints: Collection[dict[str, Any]]) -> set[int]:
    """The row ids the walk must watch to check these checkpoints."""
    heads: set[int] = set()
    for checkpoint in checkpoints:
        try:
            heads.add(int(checkpoint["head_id"]))
        except (KeyError, TypeError, ValueError):
            continue
    return heads


def check_checkpoint(
    report: AuditReport, checkpoint: dict[str, Any], public_key: Ed25519PublicKey
) -> str | None:
    """None if the walked log still holds the signed head at the signed place in the signed
    chain; else why not. The report must come from verify_chain watching this head: an intact
    chain that still holds the signed head cannot have been rewritten before it."""
    try:
        chain_id = None if checkpoint.get("chain") is None else int(checkpoint["chain"])
        length = int(checkpoint["length"])
        head_id = checkpoint["head_id"]
        message = _checkpoint_message(
            chain_id, length, head_id, str(checkpoint["head_hash"]), str(checkpoint["at"])
        )
        public_key.verify(base64.b64decode(checkpoint["signature"]), message)
    except (KeyError, TypeError, ValueError, InvalidSignature):
        return "the checkpoint's signature does not verify with the given public key"
    if head_id is None:
        return None
    expected_chain = LEGACY if chain_id is None else chain_id
    position = report.positions.get(int(head_id))
    if position is None or position[0] != expected_chain or position[2] != checkpoint["head_hash"]:
        return f"row {head_id} no longer carries the signed head hash: the log was rewritten"
    if position[1] != length:
        return (
            f"the chain {chain_label(expected_chain)} up to row {head_id} has {position[1]} "
            f"rows, the checkpoint signed {length}"
        )
    return None
