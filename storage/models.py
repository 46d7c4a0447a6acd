"""SQLAlchemy 2.x typed models of the core's tables. The Alembic migrations in
storage/migrations create the same schema (every models module, gathered in storage/schema.py);
a test checks that the two never drift apart."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UtcDateTime


class GroupRow(Base):
    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    prefix: Mapped[str] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Copenhagen")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Changed by triggers whenever the group's members or room bindings change, to a value
    # never used before (migration 0014): the room's context reads the roster again only
    # then (storage/room_context.py).
    roster_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class RoomBindingRow(Base):
    __tablename__ = "room_bindings"
    __table_args__ = (UniqueConstraint("platform", "room_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(255))
    detail: Mapped[str] = mapped_column(String(10), default="full")
    purpose: Mapped[str] = mapped_column(String(12), default="operative")


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("group_id", "platform", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(255))
    agency: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Absence (`away until`, migration 0011): away through this local day; who stands in.
    away_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    away_deputy: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CaseSequenceRow(Base):
    """The last case number handed out per group and year (refs restart each year)."""

    __tablename__ = "case_sequences"
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("group_id", "ref"),
        # `list open`: the group's cases by status, most urgent then oldest first.
        Index("ix_cases_listing", "group_id", "status", "urgency_rank", "created_at", "id"),
        # `list mine`, `list --agency`: one agency's cases, in the same order.
        Index(
            "ix_cases_responsible",
            "group_id",
            "status",
            "responsible",
            "urgency_rank",
            "created_at",
            "id",
        ),
        # The scheduler discovers newly flagged cases across all groups by their age: the
        # listing index starts with the group, so it gets one of its own.
        Index("ix_cases_created_at", "created_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    ref: Mapped[str] = mapped_column(String(32))
    urgency: Mapped[str] = mapped_column(String(8))
    urgency_rank: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(8))
    flagged_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    flagging_agency: Mapped[str] = mapped_column(String(16))
    responsible: Mapped[str | None] = mapped_column(String(16), nullable=True)
    proposed: Mapped[str | None] = mapped_column(String(16), nullable=True)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    proposed_member: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Set when retention removed the free text and member links (migration 0003).
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class AcknowledgementRow(Base):
    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("case_id", "agency"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agency: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class ResponsibilityRow(Base):
    __tablename__ = "responsibility_history"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agency: Mapped[str | None] = mapped_column(String(16), nullable=True)
    previous: Mapped[str | None] = mapped_column(String(16), nullable=True)
    by_member: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    how: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class DecisionRow(Base):
    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("case_id", "number"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(16))
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    fallback: Mapped[str | None] = mapped_column(Text, nullable=True)
    fallback_owner: Mapped[str | None] = mapped_column(String(16), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    by_member: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NoteRow(Base):
    __tablename__ = "notes"
    __table_args__ = (UniqueConstraint("case_id", "number"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    by_member: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class EscalationRow(Base):
    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("group_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    by_member: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The steering group's answer (sealed like `text`), shown to the group until handled.
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class AuditRow(Base):
    """Who did what, when, where. Ids only, never free text (data protection rule 3).
    `chain_id` names the hash chain the row belongs to (storage/audit_chain.py): the group's
    id, 0 for the installation's own events, NULL for rows of the single chain kept before
    there was one chain per group."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_chain", "chain_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(40))
    actor_member_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    group_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    case_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    binding_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str] = mapped_column(String(255), default="")
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    chain_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ProcessedEventRow(Base):
    __tablename__ = "processed_events"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class PostedMessageRow(Base):
    """Chat messages the bot posted, so they can be updated in place and removed at purge."""

    __tablename__ = "posted_messages"
    __table_args__ = (Index("ix_posted_messages_key", "platform", "room_id", "message_key"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(255))
    message_id: Mapped[str] = mapped_column(String(255))
    case_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    message_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class AdapterStateRow(Base):
    """Small named values an adapter keeps across restarts (e.g. Matrix's sync checkpoint)."""

    __tablename__ = "adapter_state"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


# --- data protection (migration 0003) ---


class EncryptionKeyRow(Base):
    """Each key that ever sealed text here, with a value sealed under it: at start the bot
    proves that the configured keyring opens this database before it serves anyone."""

    __tablename__ = "encryption_keys"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    check_value: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AuditCheckpointRow(Base):
    """A signed audit head (Ed25519); a copy is also kept outside the database."""

    __tablename__ = "audit_checkpoints"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chain_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    length: Mapped[int] = mapped_column(BigInteger)
    head_id: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
