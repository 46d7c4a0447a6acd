"""groups.roster_version: a value that changes, inside the transaction that changes it,
whenever a group's members or room bindings change, so that a command can tell from one
column whether the group's roster it holds is current (storage/room_context.py)

Every new value is one never given before, also after a rollback: a counter could hand the
value of a rolled-back change to a different, committed one. PostgreSQL takes it from a
sequence (outside every transaction); SQLite from random() (64 bits).

Revision ID: 0014_roster_version
Revises: 0013_checked_save
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_roster_version"
down_revision = "0013_checked_save"
branch_labels = None
depends_on = None

_TABLES = ("members", "room_bindings")


def upgrade() -> None:
    op.add_column(
        "groups", sa.Column("roster_version", sa.BigInteger(), nullable=False, server_default="0")
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _postgresql_triggers() -> None:
    op.execute("CREATE SEQUENCE psp_roster_versions")
    op.execute(
        """
        CREATE FUNCTION psp_roster_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                UPDATE groups SET roster_version = nextval('psp_roster_versions')
                WHERE id = OLD.group_id;
            END IF;
            IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.group_id <> OLD.group_id) THEN
                UPDATE groups SET roster_version = nextval('psp_roster_versions')
                WHERE id = NEW.group_id;
            END IF;
            RETURN NULL;
        END $$
        """
    )
    for table in _TABLES:
        op.execute(
            f"""
            CREATE TRIGGER {table}_roster AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION psp_roster_changed()
            """
        )


def _sqlite_triggers() -> None:
    bump = "UPDATE groups SET roster_version = random() WHERE id IN ({})"
    for table in _TABLES:
        for event, ids in (
            ("INSERT", "NEW.group_id"),
            ("UPDATE", "OLD.group_id, NEW.group_id"),
            ("DELETE", "OLD.group_id"),
        ):
            op.execute(
                f"CREATE TRIGGER {table}_roster_{event.lower()} AFTER {event} ON {table}"
                f" BEGIN {bump.format(ids)}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _TABLES:
            op.execute(f"DROP TRIGGER {table}_roster ON {table}")
        op.execute("DROP FUNCTION psp_roster_changed()")
        op.execute("DROP SEQUENCE psp_roster_versions")
    else:
        for table in _TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_roster_{event}")
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("roster_version")
