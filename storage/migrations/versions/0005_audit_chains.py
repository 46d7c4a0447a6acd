"""one audit chain per group: chain id on audit rows and checkpoints, a head row per chain

Revision ID: 0005_audit_chains
Revises: 0004_access
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_audit_chains"
down_revision = "0004_access"
branch_labels = None
depends_on = None

LEGACY = -1  # storage.audit_chain.LEGACY, frozen here as this migration wrote it


def upgrade() -> None:
    """The rows already written stay exactly as they are (chain_id NULL: the legacy chain),
    so they and the checkpoints signed over them still verify; new rows start one chain per
    group. The legacy chain's head is recorded so that `audit verify` notices rows deleted
    from its end."""
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_audit_log_chain", ["chain_id", "id"], unique=False)
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_id", sa.Integer(), nullable=True))
    heads = op.create_table(
        "audit_heads",
        sa.Column("chain_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", name=op.f("pk_audit_heads")),
    )
    bind = op.get_bind()
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.BigInteger()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    length = bind.execute(sa.select(sa.func.count()).select_from(audit)).scalar_one()
    last = bind.execute(sa.select(audit).order_by(audit.c.id.desc()).limit(1)).first()
    if length and last is not None and last.hash is not None:
        bind.execute(
            sa.insert(heads).values(
                chain_id=LEGACY, length=length, prev_hash=last.prev_hash, hash=last.hash
            )
        )


def downgrade() -> None:
    op.drop_table("audit_heads")
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.drop_column("chain_id")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_chain")
        batch_op.drop_column("chain_id")
