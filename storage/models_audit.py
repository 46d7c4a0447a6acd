"""The head of each audit chain: where the next row of a group's chain links to."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class AuditHeadRow(Base):
    """One row per chain (the group's id, 0 for the installation, -1 for the rows chained
    before there was one chain per group). Appending a row updates its chain's head in the
    same transaction, so the head row's lock orders the appenders of one chain and no one
    else; `length` also lets `audit verify` notice rows deleted from the end of a chain."""

    __tablename__ = "audit_heads"
    chain_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    length: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
