"""PostgreSQL: psp_next_version(), with which a case is saved only at the version it was
read at, refusing any other with serialization_failure, so that the save can go out with a
command's later statements instead of on its own (storage/direct.py)

Revision ID: 0013_checked_save
Revises: 0012_ops
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0013_checked_save"
down_revision = "0012_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite checks the row count of each save, which runs at once
    op.execute(
        """
        CREATE FUNCTION psp_next_version(current_version integer, expected integer)
        RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            IF current_version IS DISTINCT FROM expected THEN
                RAISE EXCEPTION 'the record changed since it was read'
                    USING ERRCODE = 'serialization_failure';
            END IF;
            RETURN current_version + 1;
        END $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION psp_next_version(integer, integer)")
