"""data protection: key registry, signed audit checkpoints, purge marker on cases

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "encryption_keys",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("check_value", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_encryption_keys")),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("head_id", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
    _chain_existing_audit_rows()


# Frozen here as they were when this migration was written (storage/audit_chain.py and
# storage/base.py): a later change to the application's code must not change what an old
# migration does to an old database.
_GENESIS = "0" * 64


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite would otherwise hand back naive ones)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(
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


def _chain_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + content).hexdigest()


def _chain_existing_audit_rows() -> None:
    """Audit rows written before the chain existed get their hashes now, so `audit verify`
    covers them too (it proves nothing about their past, only from today on)."""
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.BigInteger()),
        sa.column("at", UtcDateTime()),
        sa.column("action", sa.String()),
        sa.column("actor_member_id", sa.Integer()),
        sa.column("group_id", sa.Integer()),
        sa.column("case_id", sa.BigInteger()),
        sa.column("binding_id", sa.Integer()),
        sa.column("detail", sa.String()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    bind = op.get_bind()
    prev = _GENESIS
    for row in bind.execute(sa.select(audit).order_by(audit.c.id)).all():
        content = _canonical(
            at=row.at,
            action=row.action,
            actor_member_id=row.actor_member_id,
            group_id=row.group_id,
            case_id=row.case_id,
            binding_id=row.binding_id,
            detail=row.detail,
        )
        digest = _chain_hash(prev, content)
        bind.execute(
            sa.update(audit).where(audit.c.id == row.id).values(prev_hash=prev, hash=digest)
        )
        prev = digest


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
    op.drop_table("audit_checkpoints")
    op.drop_table("encryption_keys")
