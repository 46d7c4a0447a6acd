"""outbox: every message the bot decided to send, until delivered or dropped

Revision ID: 0008_outbox
Revises: 0007_evaluation
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_outbox"
down_revision = "0007_evaluation"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", _ID, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.BigInteger(), nullable=True),
        sa.Column("ledger_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("due_at", _AT, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _AT, nullable=False),
        sa.Column("leased_until", _AT, nullable=True),
        sa.Column("settled_at", _AT, nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_idempotency_key")),
    )
    op.create_index("ix_outbox_room", "outbox", ["status", "platform", "room_id", "id"])
    op.create_index("ix_outbox_ledger_key", "outbox", ["ledger_key"])
    op.create_index(op.f("ix_outbox_case_id"), "outbox", ["case_id"])


def downgrade() -> None:
    op.drop_table("outbox")
