"""One function builds the running bot from its ports: the core with its whole command table
(the meeting commands bound to `[scheduler]` at build time), the router the adapters enter
through, the scheduler and the daily retention job.

It knows no database and no chat platform: the composition root (`bot/cli_setup.py`) hands
it SQLAlchemy-backed ports, tests may hand it others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.app import BotSettings, PspBot, command_handlers
from bot.config import Settings
from bot.domain import Platform
from bot.paging_config import PagerConfig, parse_pager_config
from bot.ports import Clock, LeaderElection, UnitOfWorkFactory
from bot.retention import RetentionService, RetentionStore, retention_policy
from bot.runtime import Router
from bot.scheduling.config import SchedulerConfig, parse_scheduler_config
from bot.scheduling.service import SchedulerService


@dataclass(frozen=True)
class App:
    """What `psp-bot` runs: adapters enter through `router`; `scheduler` and `retention`
    are background services with `async run()`."""

    router: Router
    scheduler: SchedulerService
    retention: RetentionService
    scheduler_config: SchedulerConfig
    # The `[pager]` gateway, if configured: the composition root attaches its sender.
    pager: PagerConfig | None = None


def bootstrap(
    settings: Settings,
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    scheduler_leader: LeaderElection,
    retention_store: RetentionStore,
    retention_leader: LeaderElection | None = None,
    leader_for: Callable[[str], LeaderElection] | None = None,
    insecure: frozenset[Platform] = frozenset(),
) -> App:
    """`insecure`: platforms whose unencrypted (Matrix) or public (Slack) rooms may be bound,
    as their config allows; the console is always one."""
    scheduler_config = parse_scheduler_config(settings.sections.get("scheduler"))
    pager = parse_pager_config(settings.sections.get("pager"))
    if pager is not None:
        scheduler_config = replace(scheduler_config, page_after=pager.after_seconds)
    bot = PspBot(
        uow_factory=uow_factory,
        clock=clock,
        settings=BotSettings(
            admins=settings.admins,
            default_locale=settings.locale,
            insecure_rooms_allowed=frozenset(insecure | {Platform.CONSOLE}),
            hours=scheduler_config.hours,
            pager=pager is not None,
        ),
        handlers=command_handlers(scheduler_config),
    )
    router = Router(bot=bot, uow_factory=uow_factory, clock=clock, leader_for=leader_for)
    scheduler = SchedulerService.build(
        uow_factory=uow_factory,
        clock=clock,
        deliver=router.delivery.deliver_rooms,
        leader=scheduler_leader,
        config=scheduler_config,
        locale=settings.locale,
    )
    retention = RetentionService(
        router=router,
        store=retention_store,
        uow_factory=uow_factory,
        clock=clock,
        policy=retention_policy(settings.sections),
        locale=settings.locale,
        leader=retention_leader,
    )
    return App(
        router=router,
        scheduler=scheduler,
        retention=retention,
        scheduler_config=scheduler_config,
        pager=pager,
    )
