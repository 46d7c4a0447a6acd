"""The contract of the outbox port on the in-memory fakes, SQLite and PostgreSQL alike: a
room's rows go out in order under one lease, retries wait, settled rows leave the queue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Platform
from bot.messages import Reply, RoomRef
from bot.ports import UnitOfWorkFactory
from bot.ports.outbox import OutboxStatus
from tests.test_contract_core import T0, a_group

Backend = tuple[UnitOfWorkFactory, AsyncEngine | None]
ROOM = RoomRef(Platform.MATRIX, "!a")
OTHER = RoomRef(Platform.SLACK, "C1")


def reply(room: RoomRef, text: str) -> Reply:
    return Reply(room=room, text=text)


async def test_a_rooms_rows_are_claimed_in_order_under_one_lease(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        await uow.outbox.add(
            [reply(ROOM, "one"), reply(OTHER, "x"), reply(ROOM, "two")], at=T0, group_id=group.id
        )
        await uow.commit()
    lease = T0 + timedelta(minutes=1)
    async with factory() as uow:
        assert await uow.outbox.pending_count() == 3
        assert await uow.outbox.due_rooms([Platform.MATRIX, Platform.SLACK], now=T0, limit=10) == [
            (Platform.MATRIX, "!a"),
            (Platform.SLACK, "C1"),
        ]
        claimed = await uow.outbox.claim_room(
            Platform.MATRIX, "!a", now=T0, lease_until=lease, limit=10
        )
        assert [e.reply.text for e in claimed] == ["one", "two"]
        assert claimed[0].group_id == group.id and claimed[0].attempts == 0
        assert claimed[0].idempotency_key != claimed[1].idempotency_key
        # Leased: nobody else takes the room until the lease ends.
        again = await uow.outbox.claim_room(
            Platform.MATRIX, "!a", now=T0, lease_until=lease, limit=10
        )
        assert again == []
        assert await uow.outbox.due_rooms([Platform.MATRIX], now=T0, limit=10) == []
        assert await uow.outbox.next_attempt([Platform.MATRIX]) == lease
        await uow.outbox.mark_delivered([claimed[0].id], at=T0)
        await uow.outbox.mark_retry(
            claimed[1].id, next_attempt_at=T0 + timedelta(seconds=30), reason="429"
        )
        await uow.commit()
    async with factory() as uow:
        assert await uow.outbox.pending_count() == 2
        assert await uow.outbox.next_attempt([Platform.MATRIX]) == T0 + timedelta(seconds=30)
        assert (
            await uow.outbox.claim_room(Platform.MATRIX, "!a", now=T0, lease_until=lease, limit=10)
            == []
        )
        later = T0 + timedelta(seconds=30)
        retried = await uow.outbox.claim_room(
            Platform.MATRIX, "!a", now=later, lease_until=later + timedelta(minutes=1), limit=10
        )
        assert [(e.reply.text, e.attempts) for e in retried] == [("two", 1)]
        await uow.outbox.mark_dropped(retried[0].id, reason="room gone", at=later)
        await uow.commit()
    async with factory() as uow:
        listed = await uow.outbox.listing(
            statuses=[OutboxStatus.DELIVERED, OutboxStatus.DROPPED], limit=10
        )
        assert [(r.status, r.reason, r.attempts) for r in listed] == [
            (OutboxStatus.DELIVERED, None, 1),
            (OutboxStatus.DROPPED, "room gone", 2),
        ]
        assert await uow.outbox.requeue(ids=None, now=T0) == 1
        assert await uow.outbox.pending_count() == 2
        stuck = await uow.outbox.stuck_rooms(older_than=T0 + timedelta(seconds=1))
        assert {(r.platform, r.room_id, r.group_id, r.since) for r in stuck} == {
            (Platform.MATRIX, "!a", group.id, T0),
            (Platform.SLACK, "C1", group.id, T0),
        }
        assert await uow.outbox.stuck_rooms(older_than=T0) == []


async def test_new_rows_come_back_leased_only_where_nothing_waits(backend: Backend) -> None:
    factory, _ = backend
    lease = T0 + timedelta(minutes=1)
    async with factory() as uow:
        first = await uow.outbox.add([reply(ROOM, "a")], at=T0, claim_until=lease)
        assert [e.reply.text for e in first] == ["a"]
        second = await uow.outbox.add(
            [reply(ROOM, "b"), reply(OTHER, "c")], at=T0, claim_until=lease, ledger_key="k"
        )
        assert [e.reply.text for e in second] == ["c"]
        # A command's own rows do not make their room busy for each other.
        fresh = RoomRef(Platform.MATRIX, "!fresh")
        both = await uow.outbox.add(
            [reply(fresh, "x"), reply(fresh, "y")], at=T0, claim_until=lease
        )
        assert [e.reply.text for e in both] == ["x", "y"]
        await uow.outbox.mark_delivered([e.id for e in both], at=T0)  # in one statement
        assert await uow.outbox.add([reply(OTHER, "d")], at=T0) == []
        await uow.commit()
    async with factory() as uow:
        assert await uow.outbox.ledger_settled("k") is False
        await uow.outbox.release([e.id for e in first])
        claimed = await uow.outbox.claim_room(
            Platform.MATRIX, "!a", now=T0, lease_until=lease, limit=1
        )
        assert [e.reply.text for e in claimed] == ["a"]
        await uow.outbox.mark_retry(
            claimed[0].id, next_attempt_at=T0 + timedelta(hours=1), reason="x"
        )
        await uow.outbox.hurry([Platform.MATRIX], now=T0)
        assert await uow.outbox.next_attempt([Platform.MATRIX]) == T0
        for entry in second:
            await uow.outbox.mark_delivered([entry.id], at=T0)
        await uow.commit()
    async with factory() as uow:
        rows = await uow.outbox.listing(statuses=[OutboxStatus.PENDING], limit=10)
        assert [(r.room_id, r.kind) for r in rows] == [
            ("!a", "answer"),
            ("!a", "answer"),
            ("C1", "answer"),
        ]
        assert await uow.outbox.ledger_settled("k") is False  # "b" still waits
