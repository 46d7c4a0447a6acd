"""scheduling: meetings, the sent-notification ledger and escalation watches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("start_local", sa.String(length=16), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=255), nullable=True),
        sa.Column("theme", sa.Text(), nullable=True),
        sa.Column("remind", sa.String(length=120), nullable=False),
        sa.Column("exdates", sa.Text(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("next_due_at", _AT, nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_meetings_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_meetings_created_by_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("group_id", "number", name=op.f("uq_meetings_group_id")),
    )
    op.create_index("ix_meetings_next_due_at", "meetings", ["next_due_at"], unique=False)

    op.create_table(
        "sent_notifications",
        sa.Column("id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("occurrence", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("due_at", _AT, nullable=False),
        sa.Column("claimed_at", _AT, nullable=False),
        sa.Column("sent_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_notifications")),
        sa.UniqueConstraint(
            "kind", "subject", "occurrence", "step", name=op.f("uq_sent_notifications_kind")
        ),
    )
    op.create_index(
        "ix_sent_notifications_state", "sent_notifications", ["state", "claimed_at"], unique=False
    )

    op.create_table(
        "escalation_watches",
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("next_at", _AT, nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_escalation_watches_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_escalation_watches")),
    )
    op.create_index(
        op.f("ix_escalation_watches_next_at"), "escalation_watches", ["next_at"], unique=False
    )
    op.create_index("ix_cases_created_at", "cases", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_created_at", table_name="cases")
    op.drop_table("escalation_watches")
    op.drop_table("sent_notifications")
    op.drop_table("meetings")
