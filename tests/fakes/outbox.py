"""In-memory outbox: the same port as storage/outbox.py (rows in order per room, the head's
lease is the room's, delivered rows lose their text)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.domain import GroupId, Platform
from bot.messages import Reply, RoomRef
from bot.ports.outbox import (
    OutboxBacklog,
    OutboxEntry,
    OutboxListing,
    OutboxStatus,
    StuckRoom,
)
from tests.fakes.store import OutboxRow, Transaction

PENDING, DELIVERED, DROPPED = OutboxStatus.PENDING, OutboxStatus.DELIVERED, OutboxStatus.DROPPED


class FakeOutboxRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def _rows(self) -> list[OutboxRow]:
        return [row for _, row in sorted(self._tx.tables.outbox.items())]

    def _pending(self, room: RoomRef) -> list[OutboxRow]:
        return [r for r in self._rows() if r.status is PENDING and r.room == room]

    def _put(self, row: OutboxRow) -> None:
        self._tx.write().outbox[row.entry.id] = row

    async def add(
        self,
        replies: Sequence[Reply],
        *,
        at: datetime,
        due_at: datetime | None = None,
        group_id: GroupId | None = None,
        ledger_key: str | None = None,
        claim_until: datetime | None = None,
    ) -> Sequence[OutboxEntry]:
        busy = set()
        if claim_until is not None:  # only a claim asks which rooms are busy
            busy = {r.room for r in self._tx.tables.outbox.values() if r.status is PENDING}
        claimed = []
        for reply in replies:
            entry = OutboxEntry(
                id=self._tx.write().new_id("outbox"),
                reply=reply,
                idempotency_key=uuid.uuid4().hex,
                created_at=at,
                due_at=due_at or at,
                attempts=0,
                ledger_key=ledger_key,
                group_id=group_id,
            )
            lease = claim_until if reply.room not in busy else None
            self._put(OutboxRow(entry, PENDING, at, leased_until=lease))
            if lease is not None:
                claimed.append(entry)
        return claimed

    async def claim_room(
        self,
        platform: Platform,
        room_id: str,
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
    ) -> Sequence[OutboxEntry]:
        rows = self._pending(RoomRef(platform, room_id))[:limit]
        if not rows or rows[0].due(now) > now:
            return []
        for row in rows:
            self._put(replace(row, leased_until=lease_until))
        return [r.entry for r in rows]

    async def due_rooms(
        self, platforms: Sequence[Platform], *, now: datetime, limit: int
    ) -> Sequence[tuple[Platform, str]]:
        heads: dict[RoomRef, OutboxRow] = {}
        for row in self._rows():
            if row.status is PENDING and row.room.platform in platforms:
                heads.setdefault(row.room, row)
        due = [(r.platform, r.room_id) for r, head in heads.items() if head.due(now) <= now]
        return due[:limit]

    async def next_attempt(self, platforms: Sequence[Platform]) -> datetime | None:
        pending = [r for r in self._rows() if r.status is PENDING and r.room.platform in platforms]
        return min((r.due(r.next_attempt_at) for r in pending), default=None)

    async def release(self, ids: Sequence[int]) -> None:
        for entry_id in ids:
            self._put(replace(self._tx.tables.outbox[entry_id], leased_until=None))

    def _settle(
        self, entry_id: int, status: OutboxStatus, at: datetime, reason: str | None
    ) -> None:
        row = self._tx.tables.outbox[entry_id]
        entry = replace(row.entry, attempts=row.entry.attempts + 1)
        if status is DELIVERED:
            entry = replace(entry, reply=replace(entry.reply, text=""))
        self._put(
            replace(
                row, entry=entry, status=status, leased_until=None, settled_at=at, reason=reason
            )
        )

    async def mark_delivered(
        self, entry_ids: Sequence[int], *, at: datetime, last: bool = False
    ) -> None:
        for entry_id in entry_ids:
            self._settle(entry_id, DELIVERED, at, None)

    async def mark_retry(self, entry_id: int, *, next_attempt_at: datetime, reason: str) -> None:
        row = self._tx.tables.outbox[entry_id]
        entry = replace(row.entry, attempts=row.entry.attempts + 1)
        self._put(
            replace(
                row, entry=entry, next_attempt_at=next_attempt_at, leased_until=None, reason=reason
            )
        )

    async def mark_dropped(self, entry_id: int, *, reason: str, at: datetime) -> None:
        self._settle(entry_id, DROPPED, at, reason)

    async def ledger_settled(self, ledger_key: str) -> bool:
        return not any(
            r.status is PENDING and r.entry.ledger_key == ledger_key for r in self._rows()
        )

    async def pending_count(self) -> int:
        return sum(r.status is PENDING for r in self._rows())

    async def backlog(self) -> Sequence[OutboxBacklog]:
        oldest: dict[Platform, list[datetime]] = {}
        for row in self._rows():
            if row.status is PENDING:
                oldest.setdefault(row.room.platform, []).append(row.entry.created_at)
        return [OutboxBacklog(p, len(times), min(times)) for p, times in oldest.items()]

    async def hurry(self, platforms: Sequence[Platform], *, now: datetime) -> None:
        for row in self._rows():
            waiting = row.status is PENDING and row.next_attempt_at > now
            if waiting and row.room.platform in platforms:
                self._put(replace(row, next_attempt_at=now))

    async def listing(
        self, *, statuses: Sequence[OutboxStatus], limit: int
    ) -> Sequence[OutboxListing]:
        rows = sorted(
            (r for r in self._rows() if r.status in statuses),
            key=lambda r: (r.room.platform.value, r.room.room_id, r.entry.id),
        )
        return [
            OutboxListing(
                id=r.entry.id,
                platform=r.room.platform,
                room_id=r.room.room_id,
                kind=r.entry.reply.kind.value,
                status=r.status,
                created_at=r.entry.created_at,
                attempts=r.entry.attempts,
                next_attempt_at=r.next_attempt_at,
                reason=r.reason,
                group_id=r.entry.group_id,
            )
            for r in rows[:limit]
        ]

    async def requeue(self, *, ids: Sequence[int] | None, now: datetime) -> int:
        count = 0
        for row in self._rows():
            chosen = ids is None or row.entry.id in ids
            # A purged case's rows have lost their text: nothing is left to send.
            if row.status is DROPPED and chosen and row.reason != "purged":
                self._put(replace(row, status=PENDING, next_attempt_at=now, settled_at=None))
                count += 1
        return count

    async def stuck_rooms(self, *, older_than: datetime) -> Sequence[StuckRoom]:
        stuck = []
        rooms = {
            (r.room, r.entry.group_id)
            for r in self._rows()
            if r.status is not DELIVERED
            and r.entry.group_id is not None
            and r.entry.created_at < older_than
        }
        for room, group_id in rooms:
            assert group_id is not None
            delivered = [
                r.settled_at
                for r in self._rows()
                if r.room == room and r.status is DELIVERED and r.settled_at is not None
            ]
            last = max(delivered, default=None)
            since = min(
                (
                    r.entry.created_at
                    for r in self._rows()
                    if r.room == room
                    and r.status is not DELIVERED
                    and (last is None or r.entry.created_at >= last)
                ),
                default=None,
            )
            if since is not None and since < older_than:
                stuck.append(StuckRoom(room.platform, room.room_id, group_id, since))
        return stuck
