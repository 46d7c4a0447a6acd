"""need-to-know: case-scoped guests

Revision ID: 0009_guests
Revises: 0008_outbox
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_guests"
down_revision = "0008_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_guests",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_guests_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_case_guests_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["added_by"], ["members.id"], name=op.f("fk_case_guests_added_by_members")
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["members.id"], name=op.f("fk_case_guests_ended_by_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_guests")),
    )
    op.create_index(op.f("ix_case_guests_case_id"), "case_guests", ["case_id"])
    op.create_index("ix_case_guests_member", "case_guests", ["member_id", "case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_guests_member", table_name="case_guests")
    op.drop_index(op.f("ix_case_guests_case_id"), table_name="case_guests")
    op.drop_table("case_guests")
