"""Wires the operations listener (`[ops] listen`) into `psp-bot run`: the Prometheus
metrics the core and the scheduler report into, and the readiness checks of `/readyz`.

Part of the composition root: storage and adapters are imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.domain import Platform
from bot.health import CheckResult, Probe, outbox_probe, run_checks, verdict
from bot.ops import parse_ops_config
from bot.ports import Clock, UnitOfWorkFactory

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from adapters.ops.metrics import PrometheusMetrics
    from bot.bootstrap import App
    from bot.scheduling.service import SchedulerService


def ops_services(
    settings: Settings, engine: AsyncEngine, app: App, services: Sequence[Any]
) -> list[Any]:
    """Housekeeping (on the scheduler's leader), and the listener when `[ops] listen` is
    set, as more services of `psp-bot run`."""
    from bot.housekeeping import HousekeepingService, housekeeping_policy
    from storage.housekeeping import SqlAlchemyHousekeeper

    scheduler = app.scheduler
    housekeeping = HousekeepingService(
        SqlAlchemyHousekeeper(engine),
        app.router.clock,
        housekeeping_policy(settings.sections.get("housekeeping")),
        # On the leader, and not while reminders and escalations are catching up.
        leads=lambda: scheduler.is_leader and not scheduler.behind,
    )
    config = parse_ops_config(settings.sections.get("ops"))
    if config.listen is None:
        return [housekeeping]
    from adapters.ops.http import OpsListener, make_ops_app
    from adapters.ops.metrics import PrometheusMetrics

    metrics = PrometheusMetrics()
    app.router.observe(metrics)
    app.scheduler.metrics = metrics
    housekeeping.metrics = metrics
    router = app.router
    probes = readiness_probes(engine, services, app.scheduler)
    probes["outbox"] = outbox_probe(router.uow_factory, router.clock, config.outbox_max_age_seconds)

    async def readiness() -> dict[str, object]:
        return verdict(await run_checks(probes))

    async def refresh() -> None:
        await refresh_gauges(metrics, engine, router.uow_factory, router.clock)

    host, port = config.listen
    app_ = make_ops_app(metrics, readiness, refresh)
    return [housekeeping, OpsListener(app_, host, port)]


async def refresh_gauges(
    metrics: PrometheusMetrics, engine: AsyncEngine, uow_factory: UnitOfWorkFactory, clock: Clock
) -> None:
    """What a scrape reads from the database: the outbox backlog per platform (0 where
    nothing waits) and the age of the last successful audit verify and checkpoint, which
    the CLI records as it runs them; and this process's connections, of its pool."""
    from storage.engine import pool_usage
    from storage.maintenance import last_successes

    metrics.database_connections(*pool_usage(engine))
    now = clock.now()
    async with uow_factory() as uow:
        backlog = {b.platform: b for b in await uow.outbox.backlog()}
    metrics.outbox_backlog(
        {
            p.value: (
                (backlog[p].pending, (now - backlog[p].oldest_created_at).total_seconds())
                if p in backlog
                else (0, 0.0)
            )
            for p in Platform
        }
    )
    metrics.audit_last_success(
        {
            task: None if at is None else (now - at).total_seconds()
            for task, at in (await last_successes(engine)).items()
        }
    )


def readiness_probes(
    engine: AsyncEngine, services: Sequence[Any], scheduler: SchedulerService | None
) -> dict[str, Probe]:
    from storage.health import advisory_lock_held, database_status
    from storage.leader import LEADER_LOCK_KEY

    async def database() -> CheckResult:
        ok, detail = await database_status(engine)
        return CheckResult("database", ok, detail)

    async def leader() -> CheckResult:
        if scheduler is None:
            return CheckResult("scheduler", True, "not run by this process")
        if scheduler.is_leader:
            return CheckResult("scheduler", True, "this process leads")
        if engine.dialect.name == "postgresql" and await advisory_lock_held(
            engine, LEADER_LOCK_KEY
        ):
            return CheckResult("scheduler", True, "another process leads")
        return CheckResult("scheduler", False, "no process leads the scheduler")

    probes: dict[str, Probe] = {"database": database, "scheduler": leader}
    for service in services:
        health = getattr(service, "health", None)
        name = getattr(service, "platform_name", None)
        if callable(health) and isinstance(name, str):

            async def platform(health: Any = health, name: str = name) -> CheckResult:
                ok, detail = health()
                return CheckResult(name, bool(ok), str(detail))

            probes[name] = platform
    return probes
