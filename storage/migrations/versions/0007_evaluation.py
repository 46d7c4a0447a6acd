"""evaluation: case outcomes and reopenings, steering groups, answers to escalations,
case transfers between groups

Revision ID: 0007_evaluation
Revises: 0006_case_listing
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_evaluation"
down_revision = "0006_case_listing"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_closures",
        sa.Column("id", _ID, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_closures_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_closures")),
    )
    op.create_index("ix_case_closures_case_id", "case_closures", ["case_id"], unique=False)
    op.create_index("ix_case_closures_group_at", "case_closures", ["group_id", "at"], unique=False)
    op.create_table(
        "steering_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_steering_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_steering_groups_name")),
        sa.UniqueConstraint("platform", "room_id", name=op.f("uq_steering_groups_platform")),
    )
    op.create_table(
        "steering_links",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("steering_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_steering_links_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["steering_id"],
            ["steering_groups.id"],
            name=op.f("fk_steering_links_steering_id_steering_groups"),
        ),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_steering_links")),
    )
    op.create_index(
        "ix_steering_links_steering_id", "steering_links", ["steering_id"], unique=False
    )
    op.create_table(
        "case_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("source_group_id", sa.Integer(), nullable=False),
        sa.Column("target_group_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", _AT, nullable=False),
        sa.Column("accepted_at", _AT, nullable=True),
        sa.Column("new_case_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_transfers_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["target_group_id"],
            ["groups.id"],
            name=op.f("fk_case_transfers_target_group_id_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_transfers")),
    )
    op.create_index("ix_case_transfers_case_id", "case_transfers", ["case_id"], unique=False)
    op.create_index(
        "ix_case_transfers_target_group_id", "case_transfers", ["target_group_id"], unique=False
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("answered_at", _AT, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_column("answered_at")
        batch_op.drop_column("answer")
    op.drop_index("ix_case_transfers_target_group_id", table_name="case_transfers")
    op.drop_index("ix_case_transfers_case_id", table_name="case_transfers")
    op.drop_table("case_transfers")
    op.drop_index("ix_steering_links_steering_id", table_name="steering_links")
    op.drop_table("steering_links")
    op.drop_table("steering_groups")
    op.drop_index("ix_case_closures_group_at", table_name="case_closures")
    op.drop_index("ix_case_closures_case_id", table_name="case_closures")
    op.drop_table("case_closures")
