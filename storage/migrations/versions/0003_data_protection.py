"""data protection: key registry, signed audit checkpoints, purge marker on cases

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

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


def _chain_existing_audit_rows() -> None:
    """Audit rows written before the chain existed get their hashes now, so `audit verify`
    covers them too (it proves nothing about their past, only from today on)."""
    from storage.audit_chain import GENESIS, canonical, chain_hash
    from storage.models import UtcDateTime

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
    prev = GENESIS
    for row in bind.execute(sa.select(audit).order_by(audit.c.id)).all():
        content = canonical(
            at=row.at,
            action=row.action,
            actor_member_id=row.actor_member_id,
            group_id=row.group_id,
            case_id=row.case_id,
            binding_id=row.binding_id,
            detail=row.detail,
        )
        digest = chain_hash(prev, content)
        bind.execute(
            sa.update(audit).where(audit.c.id == row.id).values(prev_hash=prev, hash=digest)
        )
        prev = digest


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
    op.drop_table("audit_checkpoints")
    op.drop_table("encryption_keys")
