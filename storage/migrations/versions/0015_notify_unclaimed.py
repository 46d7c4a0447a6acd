"""PostgreSQL: the outbox notifies other bot processes only of rows nobody has claimed

A NOTIFY makes its transaction's commit take one lock for the whole server ("database 0",
PostgreSQL's async.c), held through the commit's WAL flush, so that notifications queue in
commit order. Every command notified for its replies, so every command of every process
waited for that lock: the last lock shared between groups. A command's replies are claimed
by the process that wrote them (leased at insert), which sends them or gives them back;
giving them back, and making rows pending again, notifies (outbox_pending_again, 0012_ops).
A row inserted unclaimed (the CLI's, a room with a backlog, a scheduler's notice) still
notifies. Nobody acted on the notification of a claimed row: its lease kept every other
process from sending it.

Revision ID: 0015_notify_unclaimed
Revises: 0014_roster_version
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0015_notify_unclaimed"
down_revision = "0014_roster_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no notifications (storage/outbox_wake.py)
    op.execute("DROP TRIGGER outbox_inserted ON outbox")
    # Per row, for the WHEN clause; identical notifications of one transaction are one.
    op.execute(
        """
        CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
        FOR EACH ROW WHEN (NEW.leased_until IS NULL)
        EXECUTE FUNCTION psp_outbox_notify()
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER outbox_inserted ON outbox")
    op.execute(
        """
        CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
        FOR EACH STATEMENT EXECUTE FUNCTION psp_outbox_notify()
        """
    )
