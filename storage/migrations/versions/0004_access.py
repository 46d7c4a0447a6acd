"""need-to-know: the agencies a group lets hold action responsibility

Revision ID: 0004_access
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_access"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_authorities",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_authorities_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("group_id", "agency", name=op.f("pk_group_authorities")),
    )


def downgrade() -> None:
    op.drop_table("group_authorities")
