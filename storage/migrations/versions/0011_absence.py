"""reaching the right person: members' absence (`away until`) and who stands in

The `duty` role needs no schema change (roles are text).

Revision ID: 0011_absence
Revises: 0010_meeting_record
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_absence"
down_revision = "0010_meeting_record"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No foreign key on away_deputy: SQLite adds a plain column in place (no table rebuild of
    # `members`, which every case row references), and a stand-in who has since left the group
    # is simply not found (the agency's deputies stand in then).
    op.add_column("members", sa.Column("away_until", sa.Date(), nullable=True))
    op.add_column("members", sa.Column("away_deputy", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("away_deputy")
        batch.drop_column("away_until")
