"""Guaranteed delivery, as the rooms see it: a room whose platform fails gets its messages
later, in order and once; other rooms are not held up; a room that refuses for good has its
rows dropped with a reason and its group's lead is told; a scheduled escalation stays owed
until it is delivered; a restarted bot sends what was left. Fake clock; SQLite and
PostgreSQL; the failing sender is tests/delivery_support.FlakySender."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.domain import Platform
from bot.ports.delivery import Retry
from bot.ports.outbox import OutboxStatus
from tests.conftest import Harness, build_harness
from tests.delivery_support import (
    REFUSED,
    TRANSIENT,
    FlakySender,
    bind_rooms,
    ledger_states,
    outbox,
)
from tests.scheduler_support import Driver

FLAG = "flag acute threatens neighbours"


async def matrix_rooms(harness: Harness, *rooms: str) -> FlakySender:
    await bind_rooms(harness, *rooms)
    sender = FlakySender()
    harness.router.attach(Platform.MATRIX, sender)
    return sender


async def test_a_failing_room_is_retried_with_backoff_in_order_while_others_go_on(
    harness: Harness,
) -> None:
    matrix = await matrix_rooms(harness, "!a:test", "!b:test")
    matrix.fail("!a:test", *TRANSIENT)
    await harness.text("anna", FLAG)
    await harness.text("anna", "flag urgent second case")
    # !b got both alerts at once; !a is waiting for its first one, the second waits behind.
    b_texts = matrix.texts("!b:test")
    assert len(b_texts) == 2 and "PSP-2026-0001" in b_texts[0] and "PSP-2026-0002" in b_texts[1]
    assert matrix.texts("!a:test") == []
    delays = []
    worker = harness.router.delivery
    for _ in TRANSIENT:
        (row,) = [r for r in await outbox(harness, OutboxStatus.PENDING) if r.attempts]
        delays.append((row.next_attempt_at - harness.clock.now()).total_seconds())
        harness.clock.set(row.next_attempt_at)
        await worker.run_once()
    # Backoff doubles (with jitter from the upper half): about 2, 4, 8 seconds.
    assert 1 <= delays[0] <= 2 and 2 <= delays[1] <= 4 and delays[1] > delays[0]
    a_texts = matrix.texts("!a:test")
    assert len(a_texts) == 2 and "PSP-2026-0001" in a_texts[0] and "PSP-2026-0002" in a_texts[1]
    assert await outbox(harness, OutboxStatus.PENDING) == []
    # Each row was offered under one idempotency key, however often it was tried.
    keys = [k for room, k in matrix.attempts if room == "!a:test"]
    assert len(keys) == 5 and len(set(keys)) == 2


async def test_retry_after_is_honoured(harness: Harness) -> None:
    matrix = await matrix_rooms(harness, "!a:test")
    matrix.fail("!a:test", Retry(reason="ratelimited", after=30))
    await harness.text("anna", FLAG)
    worker = harness.router.delivery
    harness.clock.advance(timedelta(seconds=29))
    await worker.run_once()
    assert matrix.texts("!a:test") == []
    harness.clock.advance(timedelta(seconds=1))
    await worker.run_once()
    assert len(matrix.texts("!a:test")) == 1


async def test_a_permanent_refusal_is_dropped_with_its_reason_and_later_rows_go_on(
    harness: Harness,
) -> None:
    matrix = await matrix_rooms(harness, "!gone:test", "!b:test")
    matrix.fail("!gone:test", REFUSED)
    await harness.text("anna", FLAG)
    await harness.text("anna", "flag urgent second case")
    assert len(matrix.texts("!b:test")) == 2
    (gone,) = matrix.texts("!gone:test")
    assert "PSP-2026-0002" in gone  # the first was dropped, the second went on
    (dropped,) = await outbox(harness, OutboxStatus.DROPPED)
    assert (dropped.room_id, dropped.reason, dropped.kind) == ("!gone:test", "M_FORBIDDEN", "alert")
    # Dropped is final until an admin retries it.
    harness.clock.advance(timedelta(hours=1))
    await harness.router.delivery.run_once()
    assert len(matrix.texts("!gone:test")) == 1
    async with harness.uow_factory() as uow:
        assert await uow.outbox.requeue(ids=[dropped.id], now=harness.clock.now()) == 1
        await uow.commit()
    await harness.router.delivery.run_once()
    assert "PSP-2026-0001" in matrix.texts("!gone:test")[1]


async def test_the_lead_is_told_once_per_room_and_outage(harness: Harness) -> None:
    matrix = await matrix_rooms(harness, "!kicked:test", "!b:test")
    matrix.refuse_always("!kicked:test", Retry(reason="http-502"))
    await harness.text("anna", FLAG)
    worker = harness.router.delivery
    harness.clock.advance(timedelta(minutes=4))
    assert await worker.tell_leads() == 0  # not yet five minutes
    harness.clock.advance(timedelta(minutes=2))
    assert await worker.tell_leads() == 1
    await worker.run_once()
    told = [r for r in harness.sent if "could not be delivered" in r.text]
    assert len(told) == 1 and "!kicked:test" in told[0].text
    assert [m.display_name for m in told[0].mentions] == ["erik"]
    assert any("!kicked:test" in t for t in matrix.texts("!b:test"))
    harness.clock.advance(timedelta(minutes=30))
    assert await worker.tell_leads() == 0  # once per outage
    # The room comes back: the outage is over; a new one is told anew.
    matrix.recover("!kicked:test")
    await worker.run_once()
    assert len(matrix.texts("!kicked:test")) == 1
    matrix.refuse_always("!kicked:test", Retry(reason="http-502"))
    harness.clock.advance(timedelta(minutes=1))
    await harness.text("anna", "flag urgent second case")
    harness.clock.advance(timedelta(minutes=6))
    assert await worker.tell_leads() == 1


async def test_a_scheduled_escalation_whose_send_fails_is_retried_not_marked_sent(
    harness: Harness,
) -> None:
    matrix = await matrix_rooms(harness, "!a:test")
    await harness.text("anna", FLAG)
    matrix.refuse_always("!a:test", Retry(reason="network"))
    driver = Driver(harness)
    start = harness.clock.now()
    posted = await driver.run_until(start + timedelta(minutes=16))
    assert len([p for p in posted if "⏰" in p.reply.text]) == 2  # the console got them
    assert not [t for t in matrix.texts("!a:test") if "⏰" in t]
    assert await ledger_states(harness, "escalation") == ["claimed", "claimed"]
    # Ten minutes later the homeserver is back: each escalation arrives once, marked late.
    harness.clock.advance(timedelta(minutes=10))
    await driver.run_until(harness.clock.now())  # a tick neither resends nor takes over
    matrix.recover("!a:test")
    await harness.router.delivery.run_once()
    late = [t for t in matrix.texts("!a:test") if "⏰" in t]
    assert len(late) == 2 and all(t.startswith("⏳ Delayed") for t in late)
    assert await ledger_states(harness, "escalation") == ["sent", "sent"]
    await driver.run_until(harness.clock.now() + timedelta(minutes=5))
    assert len([t for t in matrix.texts("!a:test") if "⏰" in t]) == 2


async def test_a_restarted_bot_sends_what_was_pending_exactly_once(harness: Harness) -> None:
    matrix = await matrix_rooms(harness, "!a:test")
    matrix.refuse_always("!a:test", Retry(reason="network"))
    await harness.text("anna", FLAG)
    await harness.text("bo", "ack PSP-2026-0001")
    # The process dies (nothing of it is used again); a new one starts on the same database.
    restarted = build_harness(harness.engine, harness.clock)
    fresh = FlakySender()
    restarted.router.attach(Platform.MATRIX, fresh)
    await restarted.router.delivery.start()
    await restarted.router.delivery.run_once()
    texts = fresh.texts("!a:test")
    # The alert, the acknowledgement, and the alert's rewrite, in that order.
    assert len(texts) == 3 and "PSP-2026-0001" in texts[0] and "acknowledged" in texts[1]
    assert "Acknowledged by: police, social services" in texts[2]
    await restarted.router.delivery.run_once()
    assert len(fresh.delivered) == 3
    assert await outbox(restarted, OutboxStatus.PENDING) == []


async def test_a_lease_left_by_a_dead_process_is_taken_over(harness: Harness) -> None:
    from bot.messages import Incoming

    await bind_rooms(harness, "!a:test")
    # The command commits its replies leased to itself, and the process dies before it
    # hands them to the platform.
    await harness.core.handle(Incoming(Platform.CONSOLE, "console", "anna", FLAG))
    matrix = FlakySender()
    harness.router.attach(Platform.MATRIX, matrix)
    await harness.router.delivery.run_once()
    assert matrix.delivered == []  # the lease still holds
    harness.clock.advance(timedelta(seconds=60))
    await harness.router.delivery.run_once()
    assert len(matrix.texts("!a:test")) == 1


class HangingSender:
    """A platform that never answers (the send is cut off by the shutdown's deadline)."""

    async def send(self, message: object) -> Retry:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_drain_sends_what_it_can_before_the_deadline_and_leaves_the_rest(
    harness: Harness,
) -> None:
    matrix = await matrix_rooms(harness, "!a:test", "!slow:test")
    matrix.refuse_always("!a:test", Retry(reason="network"))
    matrix.refuse_always("!slow:test", Retry(reason="network"))
    await harness.text("anna", FLAG)
    matrix.recover("!a:test")
    harness.clock.advance(timedelta(minutes=1))
    loop = asyncio.get_running_loop()
    # !a can be delivered now; !slow keeps failing: drain sends one and leaves one pending.
    assert await harness.router.delivery.drain(loop.time() + 5) == 1
    assert len(matrix.texts("!a:test")) == 1
    # A platform that hangs: drain gives up at its deadline; the row stays in the outbox.
    hanging = build_harness(harness.engine, harness.clock)
    hanging.router.attach(Platform.MATRIX, HangingSender())  # type: ignore[arg-type]
    harness.clock.advance(timedelta(minutes=10))
    assert await hanging.router.delivery.drain(loop.time() + 0.2) == 1
    assert [r.room_id for r in await outbox(harness, OutboxStatus.PENDING)] == ["!slow:test"]
