"""What operators and the health checks read of the outbox: its backlog per platform, a
listing of pending and dropped rows (never their text), rooms stuck in an outage, and the
operator's `retry`. Part of the outbox repository (storage/outbox.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, func, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import GroupId, Platform
from bot.ports.outbox import OutboxBacklog, OutboxListing, OutboxStatus, StuckRoom
from storage.base import UtcDateTime
from storage.models_outbox import OutboxRow

OUTBOX = cast(Table, OutboxRow.__table__)
PENDING = OutboxStatus.PENDING.value


class OutboxOverview:
    _conn: AsyncConnection

    async def pending_count(self) -> int:
        count = (
            await self._conn.execute(
                select(func.count()).select_from(OUTBOX).where(OUTBOX.c.status == PENDING)
            )
        ).scalar_one()
        return int(count)

    async def backlog(self) -> Sequence[OutboxBacklog]:
        rows = await self._conn.execute(
            select(
                OUTBOX.c.platform,
                func.count().label("pending"),
                func.min(type_coerce(OUTBOX.c.created_at, UtcDateTime())).label("oldest"),
            )
            .where(OUTBOX.c.status == PENDING)
            .group_by(OUTBOX.c.platform)
        )
        return [OutboxBacklog(Platform(r.platform), int(r.pending), r.oldest) for r in rows]

    async def hurry(self, platforms: Sequence[Platform], *, now: datetime) -> None:
        await self._conn.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.status == PENDING,
                OUTBOX.c.platform.in_([p.value for p in platforms]),
                OUTBOX.c.next_attempt_at > now,
            )
            .values(next_attempt_at=now)
        )

    async def listing(
        self, *, statuses: Sequence[OutboxStatus], limit: int
    ) -> Sequence[OutboxListing]:
        rows = await self._conn.execute(
            select(OUTBOX)
            .where(OUTBOX.c.status.in_([s.value for s in statuses]))
            .order_by(OUTBOX.c.platform, OUTBOX.c.room_id, OUTBOX.c.id)
            .limit(limit)
        )
        return [
            OutboxListing(
                id=r.id,
                platform=Platform(r.platform),
                room_id=r.room_id,
                kind=r.kind,
                status=OutboxStatus(r.status),
                created_at=r.created_at,
                attempts=r.attempts,
                next_attempt_at=r.next_attempt_at,
                reason=r.reason,
                group_id=GroupId(r.group_id) if r.group_id is not None else None,
            )
            for r in rows
        ]

    async def requeue(self, *, ids: Sequence[int] | None, now: datetime) -> int:
        # A purged case's rows have lost their text: nothing is left to send.
        where = [OUTBOX.c.status == OutboxStatus.DROPPED.value, OUTBOX.c.payload != ""]
        if ids is not None:
            where.append(OUTBOX.c.id.in_(list(ids)))
        result = await self._conn.execute(
            update(OUTBOX)
            .where(*where)
            .values(status=PENDING, next_attempt_at=now, leased_until=None, settled_at=None)
        )
        return int(result.rowcount)

    async def stuck_rooms(self, *, older_than: datetime) -> Sequence[StuckRoom]:
        undelivered = [PENDING, OutboxStatus.DROPPED.value]
        rows = (
            await self._conn.execute(
                select(OUTBOX.c.platform, OUTBOX.c.room_id, OUTBOX.c.group_id)
                .where(
                    OUTBOX.c.status.in_(undelivered),
                    OUTBOX.c.group_id.is_not(None),
                    OUTBOX.c.created_at < older_than,
                )
                .distinct()
            )
        ).all()
        stuck = []
        for row in rows:
            room = and_(OUTBOX.c.platform == row.platform, OUTBOX.c.room_id == row.room_id)
            last = (
                await self._conn.execute(
                    select(func.max(OUTBOX.c.settled_at)).where(
                        room, OUTBOX.c.status == OutboxStatus.DELIVERED.value
                    )
                )
            ).scalar_one_or_none()
            # The outage began with the first message that did not get through after the
            # room's last delivery; a delivery since then ends it.
            since_query = select(func.min(OUTBOX.c.created_at)).where(
                room, OUTBOX.c.status.in_(undelivered)
            )
            if last is not None:
                since_query = since_query.where(OUTBOX.c.created_at >= last)
            since = (await self._conn.execute(since_query)).scalar_one_or_none()
            if since is None:
                continue
            if since < older_than:
                stuck.append(
                    StuckRoom(Platform(row.platform), row.room_id, GroupId(row.group_id), since)
                )
        return stuck
