"""The scheduler service: APScheduler (3.x, asyncio) wakes the bot every `tick_seconds`, and
the service itself at the next due instant when that comes sooner; the leader of the bot
processes runs one SchedulerTick.

No job store holds state: APScheduler's SQLAlchemy job store pickles its jobs (anyone who
can write that table can run code), and its misfire defaults silently drop a run that is
more than a second late. Here the jobs live in memory, are recreated at every start, run
however late they are (`misfire_grace_time=None`) and coalesce; what is due is always read
from the database.

One tick at a time: APScheduler's one interval job only wakes one runner task, which runs
the ticks one after the other and sleeps until that job, the next due instant or a stop. A
tick is time-boxed (bot/scheduling/tick.py); one that leaves a backlog is followed at once
by the next, which starts again with the reminders. So no run overlaps or is dropped as
"maximum number of running instances reached", however much is due. (The SQLite driver runs
statements on the loop without yielding, so a job of APScheduler's own for each wake-up
could still be counted as running when the next was due.)

Several processes: every process serves commands, but only the holder of the leader lock
(PostgreSQL advisory lock) runs ticks. The others try to take the lock on every tick, so
when the leader dies another takes over within one tick interval (default 5 s; at most 30 s
with the largest allowed `tick_seconds`). With SQLite run one bot process per database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.metrics import Metrics, NoMetrics, database_error_kind
from bot.outage import OutageLog
from bot.ports import Clock, DatabaseUnavailable, LeaderElection, UnitOfWorkFactory
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.tick import Deliver, SchedulerTick, TickReport

log = logging.getLogger(__name__)

_JOB_OPTIONS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}


class SchedulerService:
    def __init__(
        self,
        *,
        tick: SchedulerTick,
        leader: LeaderElection,
        clock: Clock,
        config: SchedulerConfig,
    ) -> None:
        self._tick = tick
        self._leader = leader
        self._clock = clock
        self._config = config
        self._lock = asyncio.Lock()
        self._outage = OutageLog(log, "reminders and escalations wait until it is back")
        self._scheduler: AsyncIOScheduler | None = None
        self._stopped = asyncio.Event()
        self._wake = asyncio.Event()
        self._soon: float | None = None  # loop time of a wake-up before the next regular one
        self.is_leader = False
        # The last tick left work undone; the next one runs at once (housekeeping waits).
        self.behind = False
        self.last_report: TickReport | None = None
        self.metrics: Metrics = NoMetrics()

    @classmethod
    def build(
        cls,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        deliver: Deliver,
        leader: LeaderElection,
        config: SchedulerConfig,
        locale: str,
    ) -> SchedulerService:
        tick = SchedulerTick(
            uow_factory=uow_factory, clock=clock, config=config, deliver=deliver, locale=locale
        )
        return cls(tick=tick, leader=leader, clock=clock, config=config)

    async def run_once(self) -> TickReport | None:
        """One tick if this process leads; None otherwise. Never raises: a failing tick is
        logged and the next one tries again."""
        async with self._lock:
            try:
                self.is_leader = await self._leader.acquire()
            except DatabaseUnavailable:
                self._outage.down()
                self.metrics.database_error("unavailable")
                self.is_leader = False
                return None
            except Exception as exc:
                log.exception("leader election failed; skipping this tick")
                if kind := database_error_kind(exc):
                    self.metrics.database_error(kind)
                self.is_leader = False
                return None
            if not self.is_leader:
                return None
            started = time.perf_counter()
            try:
                report = await self._tick.run()
            except DatabaseUnavailable:
                self._outage.down()  # one line per outage, not a traceback per tick
                self.metrics.database_error("unavailable")
                return None
            except Exception as exc:
                log.exception("a scheduler tick failed; the next tick retries")
                if kind := database_error_kind(exc):
                    self.metrics.database_error(kind)
                return None
            self._outage.up()
            self.last_report = report
            self.behind = report.backlog
            self.metrics.scheduler_tick(
                time.perf_counter() - started, Counter(key.kind for key in report.sent_keys)
            )
            if report.sent or report.skipped:
                log.info(
                    "scheduler tick: %d sent, %d skipped, %d silent",
                    report.sent,
                    report.skipped,
                    report.silent,
                )
            self._wake_at(report.next_wake)
            return report

    def _wake_at(self, instant: datetime | None) -> None:
        """Wake again at the next due instant if that comes before the next regular tick."""
        if self._scheduler is None or instant is None:
            return
        delay = (instant - self._clock.now()).total_seconds()
        if delay >= self._config.tick_seconds:
            return
        # The runner sleeps on the real clock; with a fake clock in tests this simply runs
        # the next tick soon.
        self._soon = asyncio.get_running_loop().time() + max(delay, 0.0)

    async def _sleep(self) -> None:
        """Until APScheduler's job, the wake-up the last tick asked for, or a stop."""
        timeout = None
        if self._soon is not None:
            timeout = max(0.0, self._soon - asyncio.get_running_loop().time())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()
        self._soon = None

    async def _poke(self) -> None:
        """APScheduler's job: wake the runner (which may still be in a tick; it then runs
        the next one when that ends)."""
        self._wake.set()

    def start(self) -> None:
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            self._poke,
            "interval",
            seconds=self._config.tick_seconds,
            id="tick",
            next_run_time=datetime.now(UTC),
            **_JOB_OPTIONS,
        )
        scheduler.start()
        self._scheduler = scheduler

    async def stop(self) -> None:
        """No more ticks; a tick already running finishes first (its sends are recorded)."""
        self._stopped.set()
        self._wake.set()
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            # Let a running tick finish (its sends are recorded) before the executor would
            # cancel it.
            scheduler.pause()
            async with self._lock:
                scheduler.shutdown(wait=False)
        async with self._lock:
            try:
                await self._leader.release()
            except Exception:
                log.warning("releasing the scheduler leader lock failed", exc_info=True)

    async def run(self) -> None:
        """Run until stopped or cancelled (the shape `psp-bot run` expects of a service)."""
        self.start()
        try:
            while not self._stopped.is_set():
                await self._sleep()
                if self._stopped.is_set():
                    break
                report = await self.run_once()
                if report is not None and report.backlog:
                    self._wake.set()  # the rest of the work, after what else is waiting
                    await asyncio.sleep(0)
        finally:
            await self.stop()
