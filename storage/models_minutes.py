"""Typed models of the meeting as the record: meetings held, their agendas, attendance, what
was recorded while they ran, and the members' choices for the next agenda (migration
0010)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UtcDateTime


class HeldMeetingRow(Base):
    """A meeting as held. `number` is the minutes' number in the group; at most one
    meeting of a group runs (ended_at NULL) at a time, which a partial unique index keeps
    even against two leads starting at once."""

    __tablename__ = "held_meetings"
    __table_args__ = (
        UniqueConstraint("group_id", "number"),
        Index(
            "ix_held_meetings_running",
            "group_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    number: Mapped[int] = mapped_column(Integer)
    meeting_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    occurrence: Mapped[str | None] = mapped_column(String(16), nullable=True)
    theme: Mapped[str | None] = mapped_column(Text, nullable=True)  # sealed
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    current_case_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class MeetingItemRow(Base):
    """A case on a held meeting's agenda, in order, and how far the meeting got with it."""

    __tablename__ = "meeting_items"
    __table_args__ = (UniqueConstraint("held_meeting_id", "case_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    held_meeting_id: Mapped[int] = mapped_column(ForeignKey("held_meetings.id"))
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cases.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(8))
    marked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)


class MeetingAttendanceRow(Base):
    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("held_meeting_id", "member_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    held_meeting_id: Mapped[int] = mapped_column(ForeignKey("held_meetings.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    agency: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class MeetingEntryRow(Base):
    """Something recorded while a meeting ran, linked to the meeting, to the case it is on
    and to the case under discussion. `facts` (sealed JSON) is what the minutes show of
    it; retention sets it to NULL when the case is purged."""

    __tablename__ = "meeting_entries"
    __table_args__ = (UniqueConstraint("held_meeting_id", "number"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    held_meeting_id: Mapped[int] = mapped_column(ForeignKey("held_meetings.id"))
    number: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    discussed_case_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    facts: Mapped[str | None] = mapped_column(Text, nullable=True)
    by_member: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class AgendaPickRow(Base):
    """A case a member put on (or took off) the next agenda, or one the last meeting did
    not reach; consumed when the next meeting starts."""

    __tablename__ = "agenda_picks"
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cases.id"), primary_key=True)
    pick: Mapped[str] = mapped_column(String(8))
    by_member: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
