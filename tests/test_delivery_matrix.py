"""Guaranteed delivery against a real Synapse: the homeserver is stopped while an acute case
passes its first escalation step, and started again; each escalation then arrives exactly
once, marked late, and the ledger says sent only after that."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nio import RoomKickResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FakeClock
from bot.ports.outbox import OutboxStatus
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.tick import SchedulerTick
from tests.matrix_support import (
    MatrixUser,
    Running,
    bot_engine,
    group_room,
    start_bot,
    users,
)
from tests.synapse import Synapse, synapse

__all__ = ["bot_engine", "synapse", "users"]

pytestmark = pytest.mark.synapse


async def ledger(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT state FROM sent_notifications WHERE kind = 'escalation' ORDER BY id")
        )
        return [r[0] for r in rows]


async def test_escalations_due_while_the_homeserver_is_down_arrive_once_when_it_returns(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    clock = FakeClock(datetime.now(UTC))
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot", clock=clock)
    try:
        room = await group_room(users, bot)
        admin, anna, bo, carl = (users[n] for n in ("admin", "anna", "bo", "carl"))
        await admin.ask(bot.user_id, room, "!psp group setup Nordby")
        for person, agency, role in (
            (anna, "police", "rep"),
            (bo, "social", "lead"),
            (carl, "psychiatry", "rep"),
        ):
            await admin.ask(bot.user_id, room, f"!psp member add {person.user_id} {agency} {role}")
        mark = len(bo.notices)
        await anna.say(room, "!psp flag acute Neighbour threatened with a knife")
        await bo.wait_notice(lambda n: "PSP-" in n.body and "knife" in n.body, after=mark)

        router = bot.service.router
        tick = SchedulerTick(
            uow_factory=router.uow_factory,
            clock=clock,
            config=SchedulerConfig(),
            deliver=router.delivery.deliver_rooms,
            locale="en",
        )
        await tick.run()  # the case is being watched
        synapse.stop()
        # Fifteen minutes on, nobody has acknowledged: the deputies are due, Synapse is away.
        clock.advance(timedelta(minutes=16))
        report = await tick.run()
        assert report.sent == 2  # social services and psychiatry
        assert await ledger(bot_engine) == ["claimed", "claimed"]
        clock.advance(timedelta(minutes=5))
        await tick.run()  # a later tick neither rebuilds nor takes the claims over
        assert await ledger(bot_engine) == ["claimed", "claimed"]

        synapse.start()
        clock.advance(timedelta(minutes=6))  # past any backoff
        router.delivery.wake()
        for person in (bo, carl):
            await person.wait_notice(
                lambda n: n.sender == bot.user_id and "⏰" in n.body and "psychiatry" in n.body,
                wait_s=120,
            )
            await person.wait_notice(
                lambda n: n.sender == bot.user_id and "⏰" in n.body and "social" in n.body,
                wait_s=60,
            )
        await admin.ask(bot.user_id, room, "!psp help", wait_s=60)  # a barrier
        escalations = [n.body for n in bo.notices if n.sender == bot.user_id and "⏰" in n.body]
        assert len(escalations) == 2
        assert all(body.startswith("⏳ Delayed") for body in escalations)
        # The room's rows go in order, each marked before the next is sent: by the barrier's
        # answer, both escalation rows are delivered and their ledger keys sent.
        assert await ledger(bot_engine) == ["sent", "sent"]
    finally:
        await bot.stop()


async def nordby(users: dict[str, MatrixUser], bot: Running) -> str:
    """A group room with Nordby set up in it: anna (police rep) and bo (social lead)."""
    room = await group_room(users, bot)
    admin, anna, bo = users["admin"], users["anna"], users["bo"]
    await admin.ask(bot.user_id, room, "!psp group setup Nordby")
    await admin.ask(bot.user_id, room, f"!psp member add {anna.user_id} police rep")
    await admin.ask(bot.user_id, room, f"!psp member add {bo.user_id} social lead")
    return room


async def test_a_room_that_removed_the_bot_drops_its_alert_and_the_lead_hears_of_it(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    clock = FakeClock(datetime.now(UTC))
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot", clock=clock)
    try:
        room = await nordby(users, bot)
        admin, anna, bo = users["admin"], users["anna"], users["bo"]
        second = await admin.create_room(encrypted=True, invite=[bot.user_id])
        await admin.wait_joined(second, bot.user_id)
        assert "Nordby" in (await admin.ask(bot.user_id, second, "!psp group setup Nordby")).body
        assert isinstance(await admin.client.room_kick(second, bot.user_id), RoomKickResponse)

        mark = len(bo.notices)
        await anna.say(room, "!psp flag acute Neighbour threatened with a knife")
        await bo.wait_notice(lambda n: "PSP-" in n.body and "knife" in n.body, after=mark)
        router = bot.service.router
        async with asyncio.timeout(30):  # the kicked room's send ends after bo's alert
            while True:
                async with router.uow_factory() as uow:
                    dropped = await uow.outbox.listing(statuses=[OutboxStatus.DROPPED], limit=5)
                if dropped:
                    break
                await asyncio.sleep(0.1)
        assert [(r.room_id, r.kind, r.reason) for r in dropped] == [
            (second, "alert", "M_FORBIDDEN")
        ]
        # Five minutes on: the group's lead is told in the room that still works, once.
        clock.advance(timedelta(minutes=6))
        mark = len(bo.notices)
        assert await router.delivery.tell_leads() == 1
        await router.delivery.run_once()
        told = await bo.wait_notice(
            lambda n: n.sender == bot.user_id and "could not be delivered" in n.body, after=mark
        )
        assert (
            second in told.body and bo.user_id in told.source["content"]["m.mentions"]["user_ids"]
        )
        assert await router.delivery.tell_leads() == 0
    finally:
        await bot.stop()


async def test_a_room_the_bot_is_not_in_is_dropped_after_its_retries_and_the_lead_told(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    """A room bound to the group that the bot never joined (the client does not know it, so
    nio cannot encrypt for it): retried a few times, then dropped with a reason instead of
    retried for ever; the other room gets its alert and the lead is told."""
    from adapters.matrix.sender import NOT_IN_ROOM, NOT_IN_ROOM_ATTEMPTS
    from bot.domain import DetailLevel, Platform, RoomPurpose

    clock = FakeClock(datetime.now(UTC))
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot", clock=clock)
    try:
        room = await nordby(users, bot)
        admin, anna, bo = users["admin"], users["anna"], users["bo"]
        elsewhere = await admin.create_room(encrypted=True, invite=[])  # the bot is not in it
        router = bot.service.router
        async with router.uow_factory() as uow:
            group = await uow.groups.get_by_name("Nordby")
            assert group is not None
            await uow.groups.bind(
                group_id=group.id,
                platform=Platform.MATRIX,
                room_id=elsewhere,
                detail=DetailLevel.FULL,
                purpose=RoomPurpose.OPERATIVE,
            )
            await uow.commit()

        mark = len(bo.notices)
        await anna.say(room, "!psp flag acute Neighbour threatened with a knife")
        await bo.wait_notice(lambda n: "PSP-" in n.body and "knife" in n.body, after=mark)

        async def undelivered() -> list[tuple[str, str, int, str | None]]:
            async with router.uow_factory() as uow:
                rows = await uow.outbox.listing(
                    statuses=[OutboxStatus.PENDING, OutboxStatus.DROPPED], limit=10
                )
            return [(r.status.value, r.room_id, r.attempts, r.reason) for r in rows]

        mark = len(bo.notices)
        for _ in range(NOT_IN_ROOM_ATTEMPTS + 2):  # every backoff passes on the bot's clock
            clock.advance(timedelta(minutes=10))
            await router.delivery.run_once()
        assert await undelivered() == [("dropped", elsewhere, NOT_IN_ROOM_ATTEMPTS, NOT_IN_ROOM)]
        # The group's lead is told in the room that works (by the worker's own check, or
        # this one), once.
        await router.delivery.tell_leads()
        await router.delivery.run_once()
        told = await bo.wait_notice(
            lambda n: n.sender == bot.user_id and "could not be delivered" in n.body, after=mark
        )
        assert elsewhere in told.body
        assert await router.delivery.tell_leads() == 0
    finally:
        await bot.stop()


async def test_a_purged_cases_messages_are_redacted_through_the_outbox(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    """Retention on a real homeserver: the purge queues one retraction per message of the
    case in its transaction; the delivery worker redacts them, and the room shows them
    gone."""
    from bot.retention import RetentionPolicy, run_retention
    from storage.retention import SqlAlchemyRetentionStore

    clock = FakeClock(datetime.now(UTC))
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot", clock=clock)
    try:
        room = await nordby(users, bot)
        admin, anna = users["admin"], users["anna"]
        mark = len(admin.notices)
        await anna.say(room, "!psp flag normal Borger har brug for en bolig")
        alert = await admin.wait_notice(lambda n: "bolig" in n.body, after=mark)
        ref = alert.body.split("PSP-")[1][:9]
        await anna.ask(bot.user_id, room, f"!psp take PSP-{ref}")
        closed = await anna.ask(
            bot.user_id, room, f"!psp close PSP-{ref} Borgeren har fået en bolig --outcome other"
        )
        assert "closed" in closed.body.lower()
        router = bot.service.router
        clock.advance(timedelta(days=400))
        factory = router.uow_factory
        report = await run_retention(
            router=router,
            store=SqlAlchemyRetentionStore(bot_engine, factory.codec),  # type: ignore[attr-defined]
            uow_factory=factory,
            clock=clock,
            policy=RetentionPolicy(closed_case_days=365),
            report_stale=False,
        )
        assert report.purged == [f"PSP-{ref}"] and report.retractions >= 3
        async with asyncio.timeout(30):  # the worker (woken by the purge) redacts them
            while True:
                async with factory() as uow:
                    pending = await uow.outbox.listing(statuses=[OutboxStatus.PENDING], limit=50)
                if not pending:
                    break
                await asyncio.sleep(0.1)
        async with factory() as uow:
            rows = await uow.outbox.listing(statuses=list(OutboxStatus), limit=200)
        retractions = [r for r in rows if r.kind == "retraction"]
        assert len(retractions) == report.retractions
        assert {r.status for r in retractions} == {OutboxStatus.DELIVERED}
        _status, event = await admin.api(
            "GET", f"/_matrix/client/v3/rooms/{room}/event/{alert.event_id}"
        )
        assert event["content"] == {}  # the alert, with the citizen's summary, is gone
    finally:
        await bot.stop()
