"""`list mine` and `list --agency` read a page straight off an index in list order

Revision ID: 0006_case_listing
Revises: 0005_audit_chains
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0006_case_listing"
down_revision = "0005_audit_chains"
branch_labels = None
depends_on = None

_ORDER = ["urgency_rank", "created_at", "id"]


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_responsible")
        batch_op.create_index(
            "ix_cases_responsible", ["group_id", "status", "responsible", *_ORDER], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_responsible")
        batch_op.create_index(
            "ix_cases_responsible", ["group_id", "status", "responsible"], unique=False
        )
