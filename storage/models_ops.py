"""Typed model of what operations keeps about itself: when each maintenance task last
succeeded (`audit verify`, `audit checkpoint`), so that the running bot's metrics and a
command-line run agree (the metric `psp_audit_last_success_age_seconds`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UtcDateTime


class MaintenanceRunRow(Base):
    __tablename__ = "maintenance_runs"
    task: Mapped[str] = mapped_column(String(32), primary_key=True)
    succeeded_at: Mapped[datetime] = mapped_column(UtcDateTime())
