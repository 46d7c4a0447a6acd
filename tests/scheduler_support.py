"""Helpers for the scheduler tests: a tick on the harness's database and fake clock, and a
loop that jumps the clock from one due instant to the next (never sleeping)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.messages import Reply
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.tick import SchedulerTick
from tests.conftest import Harness


@dataclass
class Posted:
    at: datetime
    reply: Reply


@dataclass
class Driver:
    harness: Harness
    config: SchedulerConfig = field(default_factory=SchedulerConfig)
    posted: list[Posted] = field(default_factory=list)

    def new_tick(self) -> SchedulerTick:
        """A fresh tick: what a restarted bot process starts with. Its time box never runs
        out (what one tick does must not depend on how busy the machine is); the time box is
        tested on a clock of its own in tests/test_scheduler_backlog.py."""
        return SchedulerTick(
            uow_factory=self.harness.uow_factory,
            clock=self.harness.clock,
            config=self.config,
            deliver=self.harness.router.delivery.deliver_rooms,
            locale="en",
            monotonic=lambda: 0.0,
        )

    async def run_until(self, end: datetime, tick: SchedulerTick | None = None) -> list[Posted]:
        """Tick at every due instant up to `end`, as the service would, and collect what was
        posted, stamped with the fake clock's time."""
        tick = tick or self.new_tick()
        start = len(self.posted)
        clock = self.harness.clock
        while True:
            before = len(self.harness.sent)
            report = await tick.run()
            self.posted.extend(Posted(clock.now(), r) for r in self.harness.sent[before:])
            wake = report.next_wake
            if wake is None or wake > end:
                break
            # Work left at this very instant (a batch limit) is picked up a second later.
            clock.set(max(wake, clock.now() + timedelta(seconds=1)))
        if clock.now() < end:
            clock.set(end)
        return self.posted[start:]


def texts(posted: list[Posted]) -> list[str]:
    return [p.reply.text for p in posted]
