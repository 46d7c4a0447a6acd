"""operations: when maintenance tasks last succeeded; on PostgreSQL, a notification on the
outbox so that every bot process hears of rows another process wrote

Revision ID: 0012_ops
Revises: 0011_absence
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_ops"
down_revision = "0011_absence"
branch_labels = None
depends_on = None

# Frozen copy of storage.outbox_wake.CHANNEL (a migration never imports live code).
_CHANNEL = "psp_outbox"


def upgrade() -> None:
    op.create_table(
        "maintenance_runs",
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("task", name=op.f("pk_maintenance_runs")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: the delivery worker polls a cheap fingerprint instead
    # New rows, and rows made pending again (`psp-bot outbox retry`) or given back untried by
    # a process without that platform's adapter. Sent at commit, once per transaction.
    op.execute(
        f"""
        CREATE FUNCTION psp_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{_CHANNEL}', '');
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
        FOR EACH STATEMENT EXECUTE FUNCTION psp_outbox_notify()
        """
    )
    op.execute(
        """
        CREATE TRIGGER outbox_pending_again AFTER UPDATE OF status, leased_until ON outbox
        FOR EACH ROW WHEN (
            NEW.status = 'pending' AND (
                OLD.status <> 'pending'
                OR (OLD.leased_until IS NOT NULL AND NEW.leased_until IS NULL
                    AND NEW.attempts = OLD.attempts)
            )
        ) EXECUTE FUNCTION psp_outbox_notify()
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER outbox_pending_again ON outbox")
        op.execute("DROP TRIGGER outbox_inserted ON outbox")
        op.execute("DROP FUNCTION psp_outbox_notify()")
    op.drop_table("maintenance_runs")
