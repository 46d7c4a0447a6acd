"""Typed models of the steering level: how each case ended (closures and reopenings, codes
only) and the steering groups with the operative groups they oversee."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UtcDateTime


class CaseClosureRow(Base):
    """One row per close (with its outcome code) and per reopen: the evaluation counts them
    per period. Codes only, never text. Cases closed before outcomes existed have none."""

    __tablename__ = "case_closures"
    __table_args__ = (Index("ix_case_closures_group_at", "group_id", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cases.id"), index=True)
    group_id: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class SteeringGroupRow(Base):
    """A local steering group (lokal styregruppe) and the one room it works in."""

    __tablename__ = "steering_groups"
    __table_args__ = (UniqueConstraint("platform", "room_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    platform: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SteeringLinkRow(Base):
    """An operative group overseen by a steering group: at most one each (primary key)."""

    __tablename__ = "steering_links"
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    steering_id: Mapped[int] = mapped_column(ForeignKey("steering_groups.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CaseTransferRow(Base):
    """A case one group asked another to take over (SSP to SSP+ at 18, PSP to KSP and back).
    Nothing moves until the target's lead accepts; then `new_case_id` is the case there."""

    __tablename__ = "case_transfers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cases.id"), index=True)
    source_group_id: Mapped[int] = mapped_column(Integer)
    target_group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    requested_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    new_case_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
