"""Typed model of the outbox: every message the bot decided to send, from the transaction that
decided it until it is delivered or dropped (see bot/ports/outbox.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UtcDateTime


class OutboxRow(Base):
    """One message to one room. `payload` is the sealed Reply (AAD bound to the row's
    idempotency key), erased once delivered. A room's rows go out in `id` order; the head
    row is due when `next_attempt_at` has come and no live lease (`leased_until`) holds it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_room", "status", "platform", "room_id", "id"),
        Index("ix_outbox_ledger_key", "ledger_key"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    group_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    case_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    # The scheduler's NotificationKey this row carries (JSON), marked sent when all its rows
    # are settled.
    ledger_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
