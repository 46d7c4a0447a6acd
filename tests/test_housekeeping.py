"""Housekeeping prunes, in batches, what has served its purpose — old event ids, the
scheduler's ledger of past notices, per-alert adapter state — and nothing still needed: a
recent event (a re-delivery is still answered once), a claim in flight, a fallback notice,
the Matrix sync checkpoint."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FakeClock
from bot.config import ConfigError
from bot.housekeeping import HousekeepingPolicy, housekeeping_policy, run_housekeeping
from bot.ports import housekeeping as h
from storage.housekeeping import SqlAlchemyHousekeeper
from storage.models import AdapterStateRow, ProcessedEventRow
from storage.models_scheduling import SentNotificationRow
from storage.uow import SqlAlchemyUnitOfWork
from tests.conftest import Harness


class CountingHousekeeper(SqlAlchemyHousekeeper):
    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self.batches = 0

    async def prune(self, what: str, *, before: datetime, limit: int) -> int:
        self.batches += 1
        return await super().prune(what, before=before, limit=limit)


async def count(engine: AsyncEngine, table: Any) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


def ledger_row(
    number: int, at: datetime, *, state: str = "sent", kind: str = "reminder"
) -> dict[str, Any]:
    return {
        "kind": kind,
        "subject": str(number),
        "occurrence": "2026-01-01T09:00",
        "step": "1d",
        "group_id": 1,
        "state": state,
        "late": False,
        "due_at": at,
        "claimed_at": at,
        "sent_at": at if state == "sent" else None,
    }


async def test_old_rows_go_in_batches_and_what_is_needed_stays(
    harness: Harness, engine: AsyncEngine, clock: FakeClock
) -> None:
    old = clock.now()
    # 25 event ids answered long ago, one recent one.
    for i in range(25):
        await harness.say("anna", "help", event_id=f"$old{i}")
    ledger = [ledger_row(i, old) for i in range(12)]
    ledger.append(ledger_row(100, old, state="claimed"))  # a claim in flight
    ledger.append(ledger_row(101, old, kind="fallback"))  # once-only, subject may be open
    async with SqlAlchemyUnitOfWork(engine) as uow:
        await uow.connection.execute(insert(SentNotificationRow), ledger)
        await uow.state.put("matrix:alert:$ev1", "PSP-2026-0001", at=old)
        await uow.state.put("slack.alert:C1:PSP-2026-0001", "{}", at=old)
        await uow.state.put("matrix:since:@bot:test", "s123", at=old)
        await uow.commit()

    clock.advance(timedelta(days=400))
    await harness.say("anna", "help", event_id="$recent")
    housekeeper = CountingHousekeeper(engine)
    policy = HousekeepingPolicy(
        keep_days={
            h.PROCESSED_EVENTS: 30,
            h.NOTIFICATIONS: 90,
            h.ALERT_STATE: 365,
            h.OUTBOX: 7,
        },
        batch=10,
    )
    pruned = await run_housekeeping(housekeeper, clock, policy)

    assert pruned[h.PROCESSED_EVENTS] == 25
    assert pruned[h.NOTIFICATIONS] == 12
    assert pruned[h.ALERT_STATE] == 2
    assert housekeeper.batches >= 3 + 2 + 1  # 25 event ids took three batches of 10
    assert await count(engine, ProcessedEventRow) == 1
    # A re-delivery of the recent event is still recognised: no second answer.
    assert await harness.say("anna", "help", event_id="$recent") == []
    async with engine.connect() as conn:
        kept = (await conn.execute(select(SentNotificationRow.subject))).scalars().all()
        state = (await conn.execute(select(AdapterStateRow.key))).scalars().all()
    assert sorted(kept) == ["100", "101"]
    assert state == ["matrix:since:@bot:test"]

    # A second pass finds nothing more.
    again = await run_housekeeping(housekeeper, clock, policy)
    assert not any(again.values())


async def test_nothing_goes_before_its_time(
    harness: Harness, engine: AsyncEngine, clock: FakeClock
) -> None:
    await harness.say("anna", "help", event_id="$e1")
    clock.advance(timedelta(days=29))
    pruned = await run_housekeeping(SqlAlchemyHousekeeper(engine), clock, housekeeping_policy(None))
    assert pruned[h.PROCESSED_EVENTS] == 0
    assert await harness.say("anna", "help", event_id="$e1") == []


def test_policy_defaults_and_bad_values() -> None:
    policy = housekeeping_policy(None)
    assert policy.keep_days == {
        h.PROCESSED_EVENTS: 30,
        h.NOTIFICATIONS: 90,
        h.ALERT_STATE: 365,
        h.OUTBOX: 7,
        h.OUTBOX_DROPPED: 30,
    }
    assert housekeeping_policy({"outbox_dropped_days": 0}).keep_days[h.OUTBOX_DROPPED] == 0
    assert (policy.batch, policy.every_minutes) == (1000, 60)
    with pytest.raises(ConfigError, match=r"\[housekeeping\] batch: must be between"):
        housekeeping_policy({"batch": 1})
    with pytest.raises(ConfigError, match=r"\[housekeeping\] keep_days: unknown key"):
        housekeeping_policy({"keep_days": 3})


async def test_delivered_and_dropped_outbox_rows_go_after_their_own_periods(
    harness: Harness, engine: AsyncEngine, clock: FakeClock
) -> None:
    """Delivered rows after `outbox_days`, dropped ones after `outbox_dropped_days`: an
    operator has a month to see and retry what could not be delivered. Pending rows stay
    however old; the pruning is counted in `psp_housekeeping_pruned_total`."""
    from adapters.ops.metrics import PrometheusMetrics
    from bot.domain import Platform
    from bot.ports.delivery import Dropped, Retry
    from bot.ports.outbox import OutboxStatus
    from tests.delivery_support import FlakySender, bind_rooms, outbox

    sender = FlakySender()
    harness.router.attach(Platform.MATRIX, sender)
    await bind_rooms(harness, "!gone:test", "!down:test")
    sender.refuse_always("!gone:test", Dropped(reason="M_FORBIDDEN"))
    sender.refuse_always("!down:test", Retry(reason="http-503"))
    await harness.say("anna", "flag normal Borger har brug for hjælp")  # console, !gone, !down
    statuses = sorted(r.status.value for r in await outbox(harness))
    assert statuses == ["delivered", "dropped", "pending"]

    metrics = PrometheusMetrics()
    policy = housekeeping_policy(None)
    clock.advance(timedelta(days=8))
    pruned = await run_housekeeping(SqlAlchemyHousekeeper(engine), clock, policy, metrics)
    assert (pruned[h.OUTBOX], pruned[h.OUTBOX_DROPPED]) == (1, 0)
    clock.advance(timedelta(days=30))
    pruned = await run_housekeeping(SqlAlchemyHousekeeper(engine), clock, policy, metrics)
    assert (pruned[h.OUTBOX], pruned[h.OUTBOX_DROPPED]) == (0, 1)
    assert [r.status for r in await outbox(harness)] == [OutboxStatus.PENDING]
    samples = {
        s.labels["what"]: s.value
        for s in metrics.pruned.collect()[0].samples
        if s.name == "psp_housekeeping_pruned_total"
    }
    assert (samples["outbox"], samples["outbox_dropped"]) == (1, 1)
