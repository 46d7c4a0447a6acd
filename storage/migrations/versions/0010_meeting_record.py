"""the meeting as the record: meetings held, their agendas, attendance, entries, agenda picks

Revision ID: 0010_meeting_record
Revises: 0009_guests
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_meeting_record"
down_revision = "0009_guests"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def _member_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["members.id"], name=op.f(f"fk_{table}_{column}_members")
    )


def upgrade() -> None:
    op.create_table(
        "held_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("meeting_number", sa.Integer(), nullable=True),
        sa.Column("occurrence", sa.String(length=16), nullable=True),
        sa.Column("theme", sa.Text(), nullable=True),
        sa.Column("started_at", _AT, nullable=False),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("ended_at", _AT, nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.Column("current_case_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_held_meetings_group_id_groups")
        ),
        _member_fk("held_meetings", "started_by"),
        _member_fk("held_meetings", "ended_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_meetings")),
        sa.UniqueConstraint("group_id", "number", name=op.f("uq_held_meetings_group_id")),
    )
    op.create_index(
        "ix_held_meetings_running",
        "held_meetings",
        ["group_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "meeting_items",
        sa.Column("id", _ID, nullable=False),
        sa.Column("held_meeting_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("marked_at", _AT, nullable=True),
        sa.Column("marked_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["held_meeting_id"],
            ["held_meetings.id"],
            name=op.f("fk_meeting_items_held_meeting_id_held_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_meeting_items_case_id_cases")
        ),
        _member_fk("meeting_items", "marked_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_items")),
        sa.UniqueConstraint(
            "held_meeting_id", "case_id", name=op.f("uq_meeting_items_held_meeting_id")
        ),
    )
    op.create_index(op.f("ix_meeting_items_case_id"), "meeting_items", ["case_id"])
    op.create_table(
        "meeting_attendance",
        sa.Column("id", _ID, nullable=False),
        sa.Column("held_meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["held_meeting_id"],
            ["held_meetings.id"],
            name=op.f("fk_meeting_attendance_held_meeting_id_held_meetings"),
        ),
        _member_fk("meeting_attendance", "member_id"),
        _member_fk("meeting_attendance", "recorded_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendance")),
        sa.UniqueConstraint(
            "held_meeting_id", "member_id", name=op.f("uq_meeting_attendance_held_meeting_id")
        ),
    )
    op.create_table(
        "meeting_entries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("held_meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=True),
        sa.Column("discussed_case_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("facts", sa.Text(), nullable=True),
        sa.Column("by_member", sa.Integer(), nullable=True),
        sa.Column("at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["held_meeting_id"],
            ["held_meetings.id"],
            name=op.f("fk_meeting_entries_held_meeting_id_held_meetings"),
        ),
        _member_fk("meeting_entries", "by_member"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_entries")),
        sa.UniqueConstraint(
            "held_meeting_id", "number", name=op.f("uq_meeting_entries_held_meeting_id")
        ),
    )
    op.create_index(op.f("ix_meeting_entries_case_id"), "meeting_entries", ["case_id"])
    op.create_table(
        "agenda_picks",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("pick", sa.String(length=8), nullable=False),
        sa.Column("by_member", sa.Integer(), nullable=True),
        sa.Column("at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_agenda_picks_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_agenda_picks_case_id_cases")
        ),
        _member_fk("agenda_picks", "by_member"),
        sa.PrimaryKeyConstraint("group_id", "case_id", name=op.f("pk_agenda_picks")),
    )


def downgrade() -> None:
    op.drop_table("agenda_picks")
    op.drop_index(op.f("ix_meeting_entries_case_id"), table_name="meeting_entries")
    op.drop_table("meeting_entries")
    op.drop_table("meeting_attendance")
    op.drop_index(op.f("ix_meeting_items_case_id"), table_name="meeting_items")
    op.drop_table("meeting_items")
    op.drop_index("ix_held_meetings_running", table_name="held_meetings")
    op.drop_table("held_meetings")
