"""Typed models of need-to-know access: the agencies a group lets hold action
responsibility when its lead chose another set than the kind's."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class GroupAuthorityRow(Base):
    """One row per agency of a configured set; no rows: the set of the group's kind."""

    __tablename__ = "group_authorities"
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    agency: Mapped[str] = mapped_column(String(16), primary_key=True)
