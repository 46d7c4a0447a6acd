"""Typed models of need-to-know access: the agencies a group lets hold action
responsibility when its lead chose another set than the kind's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BigId, UtcDateTime


class GroupAuthorityRow(Base):
    """One row per agency of a configured set; no rows: the set of the group's kind."""

    __tablename__ = "group_authorities"
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    agency: Mapped[str] = mapped_column(String(16), primary_key=True)


class CaseGuestRow(Base):
    """A guest's access to one case. The guest is a `members` row with role `guest` that is
    never active in the group, so that notes, acknowledgements and audit rows name them like
    any member. Access runs while `ended_at` is empty and `expires_at` lies ahead."""

    __tablename__ = "case_guests"
    __table_args__ = (Index("ix_case_guests_member", "member_id", "case_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cases.id"), index=True)
    member_id: Mapped[int] = mapped_column(Integer, ForeignKey("members.id"))
    agency: Mapped[str] = mapped_column(String(16))
    added_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
