"""Retention in the database: find closed cases past their time and strip them down to the
statistical skeleton; find open cases nobody has touched. Each purge is one transaction that
writes its own audit row (the purge itself must be accountable)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, delete, exists, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain import CaseId, CaseStatus, GroupId, Platform
from bot.ports import RetentionCase
from bot.ports.outbox import RoomRef, retraction
from storage.audit_log import SqlAlchemyAuditRepository
from storage.codec import TextCodec
from storage.models import (
    AcknowledgementRow,
    AuditRow,
    CaseRow,
    DecisionRow,
    NoteRow,
    PostedMessageRow,
    ResponsibilityRow,
)
from storage.models_minutes import MeetingEntryRow
from storage.models_outbox import OutboxRow
from storage.outbox import SqlAlchemyOutboxRepository
from storage.posted_messages import SqlAlchemyPostedMessageLog

CASES = cast(Table, CaseRow.__table__)
NOTES = cast(Table, NoteRow.__table__)
DECISIONS = cast(Table, DecisionRow.__table__)
ACKS = cast(Table, AcknowledgementRow.__table__)
HISTORY = cast(Table, ResponsibilityRow.__table__)
AUDIT = cast(Table, AuditRow.__table__)
OUTBOX = cast(Table, OutboxRow.__table__)
ENTRIES = cast(Table, MeetingEntryRow.__table__)
POSTED = cast(Table, PostedMessageRow.__table__)
STALE_ACTION = "retention.stale"
# A purged case that was reopened and closed again holds new text: it is due once more.
_not_purged_since_closing = or_(CASES.c.purged_at.is_(None), CASES.c.purged_at < CASES.c.closed_at)


class SqlAlchemyRetentionStore:
    """`codec` seals the retraction rows it writes to the outbox, like every outbox row."""

    def __init__(self, engine: AsyncEngine, codec: TextCodec) -> None:
        self._engine = engine
        self._codec = codec

    async def due_for_purge(self, cutoff: datetime, *, limit: int) -> Sequence[RetentionCase]:
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(CASES.c.id, CASES.c.group_id, CASES.c.ref, CASES.c.closed_at)
                .where(
                    CASES.c.status == CaseStatus.CLOSED.value,
                    CASES.c.closed_at < cutoff,
                    _not_purged_since_closing,
                )
                .order_by(CASES.c.closed_at, CASES.c.id)
                .limit(limit)
            )
            return [
                RetentionCase(CaseId(r.id), GroupId(r.group_id), r.ref, r.closed_at) for r in rows
            ]

    async def purge(self, case_id: CaseId, *, cutoff: datetime, at: datetime) -> int | None:
        async with self._engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                # Overwrite freed pages with zeros so removed text does not linger in the file.
                await conn.execute(text("PRAGMA secure_delete = ON"))
            # Re-checked inside the transaction: a case reopened meanwhile keeps its text.
            result = await conn.execute(
                update(CASES)
                .where(
                    CASES.c.id == case_id,
                    CASES.c.status == CaseStatus.CLOSED.value,
                    CASES.c.closed_at < cutoff,
                    _not_purged_since_closing,
                )
                .values(
                    summary="",
                    resolution=None,
                    flagged_by=None,
                    proposed_by=None,
                    proposed_member=None,
                    purged_at=at,
                    version=CASES.c.version + 1,
                )
                .returning(CASES.c.group_id)
            )
            group_id = result.scalar_one_or_none()
            if group_id is None:
                return None
            notes = (await conn.execute(delete(NOTES).where(NOTES.c.case_id == case_id))).rowcount
            decisions = (
                await conn.execute(
                    update(DECISIONS)
                    .where(DECISIONS.c.case_id == case_id)
                    .values(text="", fallback=None, by_member=None)
                )
            ).rowcount
            await conn.execute(update(ACKS).where(ACKS.c.case_id == case_id).values(member_id=None))
            await conn.execute(
                update(HISTORY).where(HISTORY.c.case_id == case_id).values(by_member=None)
            )
            # The minutes keep that the case was discussed and by whom, not what was said.
            await conn.execute(
                update(ENTRIES).where(ENTRIES.c.case_id == case_id).values(facts=None)
            )
            # Messages about the case still owed to a room (or dropped) lose their text too.
            await conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.case_id == case_id, OUTBOX.c.status != "delivered")
                .values(payload="", status="dropped", reason="purged", settled_at=at)
            )
            await SqlAlchemyAuditRepository(conn).record(
                at=at,
                action="case.purge",
                actor_member_id=None,
                group_id=GroupId(group_id),
                case_id=case_id,
                binding_id=None,
                detail=f"notes={notes} decisions={decisions}",
            )
            # The bot's chat messages about the case are taken back through the outbox,
            # written here so that a purge never forgets its messages.
            return await self._queue_retractions(conn, [case_id], at=at)

    async def queue_leftover_retractions(self, *, at: datetime, limit: int) -> int:
        async with self._engine.begin() as conn:
            leftovers = await SqlAlchemyPostedMessageLog(conn).pending_retraction(limit=limit)
            return await self._queue_retractions(conn, leftovers, at=at)

    async def _queue_retractions(
        self, conn: AsyncConnection, case_ids: Sequence[CaseId], *, at: datetime
    ) -> int:
        """One RETRACTION outbox row per remembered message of these cases, in the
        caller's transaction; the messages are then forgotten (the rows remember them)."""
        if not case_ids:
            return 0
        posted = (
            await conn.execute(
                select(POSTED.c.id, POSTED.c.platform, POSTED.c.room_id, POSTED.c.message_id)
                .add_columns(CASES.c.group_id)
                .join(CASES, CASES.c.id == POSTED.c.case_id)
                .where(POSTED.c.case_id.in_(list(case_ids)))
                .order_by(POSTED.c.id)
            )
        ).all()
        if not posted:
            return 0
        outbox = SqlAlchemyOutboxRepository(conn, self._codec)
        for group_id in dict.fromkeys(p.group_id for p in posted):
            await outbox.add(
                [
                    retraction(RoomRef(Platform(p.platform), p.room_id), p.message_id)
                    for p in posted
                    if p.group_id == group_id
                ],
                at=at,
                group_id=GroupId(group_id),
            )
        await conn.execute(delete(POSTED).where(POSTED.c.id.in_([p.id for p in posted])))
        return len(posted)

    async def stale_open(self, cutoff: datetime, *, limit: int) -> Sequence[RetentionCase]:
        reported = exists().where(
            and_(
                AUDIT.c.case_id == CASES.c.id, AUDIT.c.action == STALE_ACTION, AUDIT.c.at >= cutoff
            )
        )
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(CASES.c.id, CASES.c.group_id, CASES.c.ref, CASES.c.updated_at)
                .where(
                    CASES.c.status == CaseStatus.OPEN.value,
                    CASES.c.updated_at < cutoff,
                    ~reported,
                )
                .order_by(CASES.c.group_id, CASES.c.updated_at, CASES.c.id)
                .limit(limit)
            )
            return [
                RetentionCase(CaseId(r.id), GroupId(r.group_id), r.ref, r.updated_at) for r in rows
            ]

    async def mark_stale_reported(self, cases: Sequence[RetentionCase], *, at: datetime) -> None:
        async with self._engine.begin() as conn:
            audit = SqlAlchemyAuditRepository(conn)
            for case in cases:
                await audit.record(
                    at=at,
                    action=STALE_ACTION,
                    actor_member_id=None,
                    group_id=case.group_id,
                    case_id=case.case_id,
                    binding_id=None,
                )

    async def record_dry_run(self, *, count: int, at: datetime) -> None:
        async with self._engine.begin() as conn:
            await SqlAlchemyAuditRepository(conn).record(
                at=at,
                action="retention.dry_run",
                actor_member_id=None,
                group_id=None,
                case_id=None,
                binding_id=None,
                detail=f"due={count}",
            )
