"""Housekeeping: rows that have served their purpose are pruned in small batches, so the
database does not grow with traffic alone. Runs on the process that leads the scheduler.

`[housekeeping]` (days; 0 keeps the rows for ever):

    processed_event_days = 30    event ids that answer a platform's re-delivery once
    notification_days = 90       the scheduler's ledger of reminders and escalations sent
    alert_state_days = 365       which chat message shows a case's alert (edited in place)
    outbox_days = 7              messages delivered
    outbox_dropped_days = 30     messages dropped (`psp-bot outbox` lists them; `retry`)
    batch = 1000                 rows per transaction
    every_minutes = 60
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.config import SectionReader
from bot.metrics import Metrics, NoMetrics
from bot.ports import Clock
from bot.ports import housekeeping as h
from bot.ports.housekeeping import Housekeeper

log = logging.getLogger(__name__)

# A run stops after this many batches of one kind and goes on at the next run: it never
# holds the database for long.
MAX_BATCHES = 50


@dataclass(frozen=True)
class HousekeepingPolicy:
    keep_days: Mapping[str, int]
    batch: int = 1000
    every_minutes: int = 60


def housekeeping_policy(table: Mapping[str, Any] | None) -> HousekeepingPolicy:
    reader = SectionReader("housekeeping", table)
    days = {
        h.PROCESSED_EVENTS: reader.integer("processed_event_days", 30, maximum=36_500),
        h.NOTIFICATIONS: reader.integer("notification_days", 90, maximum=36_500),
        h.ALERT_STATE: reader.integer("alert_state_days", 365, maximum=36_500),
        h.OUTBOX: reader.integer("outbox_days", 7, maximum=36_500),
        h.OUTBOX_DROPPED: reader.integer("outbox_dropped_days", 30, maximum=36_500),
    }
    batch = reader.integer("batch", 1000, minimum=10, maximum=100_000)
    every = reader.integer("every_minutes", 60, minimum=1, maximum=10_080)
    reader.done()
    return HousekeepingPolicy(keep_days=days, batch=batch, every_minutes=every)


async def run_housekeeping(
    housekeeper: Housekeeper,
    clock: Clock,
    policy: HousekeepingPolicy,
    metrics: Metrics | None = None,
) -> dict[str, int]:
    """One pass: each kind in batches until nothing old is left (or MAX_BATCHES)."""
    metrics = metrics or NoMetrics()
    now = clock.now()
    pruned: dict[str, int] = {}
    for what, days in policy.keep_days.items():
        if days <= 0:
            continue
        before = now - timedelta(days=days)
        total = 0
        for _ in range(MAX_BATCHES):
            count = await housekeeper.prune(what, before=before, limit=policy.batch)
            total += count
            if count < policy.batch:
                break
            await asyncio.sleep(0)  # let commands in between batches
        pruned[what] = total
        if total:
            metrics.housekeeping(what, total)
    if any(pruned.values()):
        log.info("housekeeping pruned %s", ", ".join(f"{k} {v}" for k, v in pruned.items()))
    return pruned


class HousekeepingService:
    """A service of `psp-bot run`: a pass every `every_minutes`, on the scheduler's leader."""

    def __init__(
        self,
        housekeeper: Housekeeper,
        clock: Clock,
        policy: HousekeepingPolicy,
        *,
        leads: Callable[[], bool],
        metrics: Metrics | None = None,
    ) -> None:
        self._housekeeper = housekeeper
        self._clock = clock
        self._policy = policy
        self._leads = leads
        self.metrics: Metrics = metrics or NoMetrics()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._policy.every_minutes * 60)
            if not self._leads():
                continue
            try:
                await run_housekeeping(self._housekeeper, self._clock, self._policy, self.metrics)
            except Exception:
                log.exception("housekeeping failed; the next pass tries again")
