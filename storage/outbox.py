"""The outbox repository (bot/ports/outbox.py) on SQLAlchemy Core."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import (
    and_,
    case,
    func,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.domain import GroupId, Platform
from bot.ports.outbox import (
    OutboxEntry,
    OutboxStatus,
    Reply,
    RoomRef,
    decode_reply,
    encode_reply,
)
from storage import direct
from storage.audit_log import flush_pending
from storage.base import UtcDateTime
from storage.codec import TextCodec
from storage.delivery_statements import MAX_SETTLED_AT_ONCE, settled
from storage.models_outbox import OutboxRow
from storage.outbox_overview import OUTBOX, PENDING, OutboxOverview
from storage.outbox_statements import (
    COLUMNS,
    INSERT,
    INSERT_CLAIMING,
    INSERT_RETURNING_KEYS,
    ROOM_BUSY,
    claiming_with_audit,
)
from storage.repositories import UnitCache


def payload_aad(idempotency_key: str) -> str:
    return f"outbox/{idempotency_key}/payload"


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        OUTBOX.c.next_attempt_at <= now,
        or_(OUTBOX.c.leased_until.is_(None), OUTBOX.c.leased_until <= now),
    )


def _one_or_many(rows: list[dict[str, object]]) -> dict[str, object] | list[dict[str, object]]:
    """A lone row as a single execution (the common case: one answer), cheaper than a batch
    of one. The rows' ids come back with their idempotency keys, in whatever order."""
    return rows[0] if len(rows) == 1 else rows


class SqlAlchemyOutboxRepository(OutboxOverview):
    def __init__(
        self, conn: AsyncConnection, codec: TextCodec, known: UnitCache | None = None
    ) -> None:
        self._conn = conn
        self._codec = codec
        self._known = known or UnitCache()

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
        if not replies:
            return []
        # 128 random bits as 32 hex digits (uuid4().hex's form; its UUID object cost more).
        keys = [os.urandom(16).hex() for _ in replies]
        rows: list[dict[str, object]] = [
            {
                "platform": reply.room.platform.value,
                "room_id": reply.room.room_id,
                "kind": reply.kind.value,
                "payload": self._codec.seal(encode_reply(reply), aad=payload_aad(key)),
                "idempotency_key": key,
                "group_id": group_id,
                "case_id": reply.case_id,
                "ledger_key": ledger_key,
                "status": PENDING,
                "created_at": at,
                "due_at": due_at or at,
                "attempts": 0,
                "next_attempt_at": at,
                "leased_until": None,
            }
            for reply, key in zip(replies, keys, strict=True)
        ]
        if claim_until is None:
            await direct.execute(self._conn, INSERT, rows)
            return []
        if self._conn.dialect.name == "postgresql" or len(rows) == 1:
            leased = await self._insert_claiming(rows, claim_until)
        else:
            leased = await self._insert_claimed(rows, replies, claim_until)
        return [
            OutboxEntry(
                id=leased[key],
                reply=reply,
                idempotency_key=key,
                created_at=at,
                due_at=due_at or at,
                attempts=0,
                ledger_key=ledger_key,
                group_id=group_id,
            )
            for reply, key in zip(replies, keys, strict=True)
            if key in leased
        ]

    async def _insert_claimed(
        self, rows: list[dict[str, object]], replies: Sequence[Reply], claim_until: datetime
    ) -> dict[str, int]:
        """SQLite, several rows: find the rooms without a backlog, then insert with their
        rows leased. The ids of the leased rows by idempotency key."""
        free = await self._rooms_without_backlog(list(dict.fromkeys(r.room for r in replies)))
        for row, reply in zip(rows, replies, strict=True):
            if reply.room in free:
                row["leased_until"] = claim_until
        leased = {str(r["idempotency_key"]) for r in rows if r["leased_until"] is not None}
        if not leased:
            await direct.execute(self._conn, INSERT, _one_or_many(rows))
            return {}
        answer = await direct.execute(self._conn, INSERT_RETURNING_KEYS, _one_or_many(rows))
        return {r.idempotency_key: r.id for r in answer if r.idempotency_key in leased}

    async def _insert_claiming(
        self, rows: list[dict[str, object]], claim_until: datetime
    ) -> dict[str, int]:
        """One statement (on PostgreSQL one round trip): each row is leased unless its room
        already has a pending row. On PostgreSQL the subquery sees the table as it was before
        the statement, so a command's own rows do not make their room busy; SQLite makes no
        such promise, so there it serves a lone row only."""
        audit = self._known.audit
        if len(audit) > 1:
            await flush_pending(self._conn, audit)
        if audit and self._conn.dialect.name == "postgresql":
            params = {f"o{i}_{c}": row[c] for i, row in enumerate(rows) for c in COLUMNS}
            for i, row in enumerate(rows):
                params[f"o{i}_busy_platform"] = row["platform"]
                params[f"o{i}_busy_room"] = row["room_id"]
            statement = claiming_with_audit(len(rows))
            answer = await direct.execute(
                self._conn,
                statement,
                {**audit.pop(), **params, "lease": claim_until},
                absorb=True,
                closing=True,
            )
        else:
            for row in rows:
                row["leased_until"] = claim_until
                row["busy_platform"], row["busy_room"] = row["platform"], row["room_id"]
            answer = await direct.execute(
                self._conn, INSERT_CLAIMING, _one_or_many(rows), absorb=True, closing=True
            )
        return {r.idempotency_key: r.id for r in answer if r.leased_until is not None}

    async def _rooms_without_backlog(self, rooms: Sequence[RoomRef]) -> set[RoomRef]:
        """The rooms with no pending row yet: new rows there may go out at once. One look
        per room (a command answers in one or a few) that stops at the first pending row,
        however long the room's backlog."""
        free = set()
        for room in rooms:
            params = {"platform": room.platform.value, "room_id": room.room_id}
            if (await direct.execute(self._conn, ROOM_BUSY, params)).first() is None:
                free.add(room)
        return free

    async def claim_room(
        self,
        platform: Platform,
        room_id: str,
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
    ) -> Sequence[OutboxEntry]:
        rows = (
            await self._conn.execute(
                select(OUTBOX)
                .where(
                    OUTBOX.c.status == PENDING,
                    OUTBOX.c.platform == platform.value,
                    OUTBOX.c.room_id == room_id,
                )
                .order_by(OUTBOX.c.id)
                .limit(limit)
            )
        ).all()
        if not rows:
            return []
        head = rows[0]
        # The head's lease is the room's: whoever holds it sends the room's rows in order.
        taken = await self._conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == head.id, OUTBOX.c.status == PENDING, _due(now))
            .values(leased_until=lease_until)
        )
        if taken.rowcount != 1:
            return []
        rest = [r.id for r in rows[1:]]
        if rest:
            await self._conn.execute(
                update(OUTBOX).where(OUTBOX.c.id.in_(rest)).values(leased_until=lease_until)
            )
        return [self._entry(r) for r in rows]

    def _entry(self, row: object) -> OutboxEntry:
        r = cast(OutboxRow, row)
        reply = decode_reply(self._codec.unseal(r.payload, aad=payload_aad(r.idempotency_key)))
        return OutboxEntry(
            id=r.id,
            reply=reply,
            idempotency_key=r.idempotency_key,
            created_at=r.created_at,
            due_at=r.due_at,
            attempts=r.attempts,
            ledger_key=r.ledger_key,
            group_id=GroupId(r.group_id) if r.group_id is not None else None,
        )

    async def due_rooms(
        self, platforms: Sequence[Platform], *, now: datetime, limit: int
    ) -> Sequence[tuple[Platform, str]]:
        heads = (
            select(func.min(OUTBOX.c.id).label("id"))
            .where(
                OUTBOX.c.status == PENDING,
                OUTBOX.c.platform.in_([p.value for p in platforms]),
            )
            .group_by(OUTBOX.c.platform, OUTBOX.c.room_id)
            .subquery()
        )
        rows = await self._conn.execute(
            select(OUTBOX.c.platform, OUTBOX.c.room_id)
            .where(OUTBOX.c.id.in_(select(heads.c.id)), _due(now))
            .order_by(OUTBOX.c.id)
            .limit(limit)
        )
        return [(Platform(r.platform), r.room_id) for r in rows]

    async def next_attempt(self, platforms: Sequence[Platform]) -> datetime | None:
        # A row is due at its next attempt, or when its lease ends if that is later.
        due = case(
            (OUTBOX.c.leased_until > OUTBOX.c.next_attempt_at, OUTBOX.c.leased_until),
            else_=OUTBOX.c.next_attempt_at,
        )
        value = (
            await self._conn.execute(
                select(func.min(type_coerce(due, UtcDateTime()))).where(
                    OUTBOX.c.status == PENDING,
                    OUTBOX.c.platform.in_([p.value for p in platforms]),
                )
            )
        ).scalar_one_or_none()
        return value

    async def release(self, ids: Sequence[int]) -> None:
        if ids:
            await self._conn.execute(
                update(OUTBOX).where(OUTBOX.c.id.in_(list(ids))).values(leased_until=None)
            )

    async def mark_delivered(
        self, entry_ids: Sequence[int], *, at: datetime, last: bool = False
    ) -> None:
        if entry_ids:
            await self._settle(entry_ids, OutboxStatus.DELIVERED, at=at, reason=None, last=last)

    async def mark_retry(self, entry_id: int, *, next_attempt_at: datetime, reason: str) -> None:
        await self._conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == entry_id)
            .values(
                attempts=OUTBOX.c.attempts + 1,
                next_attempt_at=next_attempt_at,
                leased_until=None,
                reason=reason[:64],
            )
        )

    async def mark_dropped(self, entry_id: int, *, reason: str, at: datetime) -> None:
        await self._settle([entry_id], OutboxStatus.DROPPED, at=at, reason=reason)

    async def _settle(
        self,
        entry_ids: Sequence[int],
        status: OutboxStatus,
        *,
        at: datetime,
        reason: str | None,
        last: bool = False,
    ) -> None:
        delivered = status is OutboxStatus.DELIVERED
        reason = reason[:64] if reason else None
        common = {"status": status.value, "settled_at": at, "reason": reason}
        for start in range(0, len(entry_ids), MAX_SETTLED_AT_ONCE):
            chunk = entry_ids[start : start + MAX_SETTLED_AT_ONCE]
            params = {**common, **{f"id{i}": entry_id for i, entry_id in enumerate(chunk)}}
            # It reads only the outbox: what is held (the posted messages' ids) goes with it.
            await direct.execute(
                self._conn,
                settled(len(chunk), delivered=delivered),
                params,
                absorb=True,
                closing=last and start + MAX_SETTLED_AT_ONCE >= len(entry_ids),
            )

    async def ledger_settled(self, ledger_key: str) -> bool:
        pending = (
            await self._conn.execute(
                select(func.count())
                .select_from(OUTBOX)
                .where(OUTBOX.c.ledger_key == ledger_key, OUTBOX.c.status == PENDING)
            )
        ).scalar_one()
        return int(pending) == 0
