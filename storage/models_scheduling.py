"""Typed models of the scheduling tables: meetings, the notifications already sent (the
exactly-once ledger) and the acute/urgent cases whose acknowledgement is being watched."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UtcDateTime


class MeetingRow(Base):
    """A meeting or a series. `number` is what users type (per group, so a group learns
    nothing about another group's meetings); `next_due_at` is the earliest instant the
    scheduler has work for it, so one tick reads only the meetings that are due."""

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("group_id", "number"),
        Index("ix_meetings_next_due_at", "next_due_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    number: Mapped[int] = mapped_column(Integer)
    # Local wall time "YYYY-MM-DDTHH:MM" in `timezone`: 09:00 stays 09:00 across DST.
    start_local: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120)
    rule: Mapped[str | None] = mapped_column(String(255), nullable=True)
    theme: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Reminder offsets in seconds before the start, comma separated.
    remind: Mapped[str] = mapped_column(String(120))
    # Cancelled occurrences, as their local starts, comma separated.
    exdates: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SentNotificationRow(Base):
    """One row per reminder/escalation/report: the unique key (kind, subject, occurrence,
    step) is what makes it go out once. `state` is claimed -> sent (or skipped)."""

    __tablename__ = "sent_notifications"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "occurrence", "step"),
        Index("ix_sent_notifications_state", "state", "claimed_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(64))
    occurrence: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(16))
    group_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(8))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class EscalationWatchRow(Base):
    """An acute or urgent case the scheduler watches for missing acknowledgements;
    `next_at` NULL once every step is sent or nothing more can be due."""

    __tablename__ = "escalation_watches"
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cases.id"), primary_key=True)
    group_id: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)
