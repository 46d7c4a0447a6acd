"""`psp-bot`: the composition root. The only module of bot/ that wires concrete storage and
adapters to the core; it imports them inside the functions that need them."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.domain import Platform
    from bot.runtime import Router
    from bot.scheduling.service import SchedulerService
    from storage.codec import TextCodec

log = logging.getLogger("psp_bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="psp-bot", description="Chat-ops bot for PSP groups")
    parser.add_argument("--config", type=Path, default=None, help="TOML config file")
    sub = parser.add_subparsers(dest="command", required=True)

    console = sub.add_parser("console", help="talk to the bot in this terminal")
    console.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    console.add_argument("--demo", action="store_true", help="create the demo group (once)")
    console.add_argument("--locale", choices=("da", "en"), default=None)
    console.add_argument("--user", default=None, help="acting member at start")

    run = sub.add_parser("run", help="run the bot on the configured chat platforms")
    run.add_argument("--config", type=Path, default=argparse.SUPPRESS)

    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply the schema migrations")

    from bot import cli_admin

    cli_admin.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"psp-bot: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        if args.command == "console":
            return asyncio.run(_console(settings, args))
        if args.command == "db":
            return asyncio.run(_db_upgrade(settings))
        if args.command == "run":
            return asyncio.run(_run(settings))
        from bot import cli_admin

        return asyncio.run(cli_admin.run(args, settings))
    except ConfigError as exc:
        print(f"psp-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


# Libraries that log SQL parameters, event bodies or request payloads at DEBUG/INFO: case text
# would reach the log. They speak at WARNING whatever level the operator asks for.
CHATTY_LIBRARIES = (
    "alembic",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "nio",
    "slack_bolt",
    "slack_sdk",
    "aiohttp",
    "apscheduler",
)


class WithheldMessageFormatter(logging.Formatter):
    """Tracebacks keep their frames but not the exception's message: the message of a
    database or chat-library error can quote the data it was handling (case text)."""

    def formatException(self, ei: Any) -> str:
        exc_type, _exc, tb = ei
        frames = "".join(traceback.format_tb(tb))
        name = exc_type.__name__ if exc_type else "exception"
        return f"Traceback (most recent call last):\n{frames}{name} (message withheld)"


def configure_logging(level: str) -> None:
    """The configured level applies to psp-bot's own modules only (which never log case
    text); third-party libraries stay at WARNING. No log line carries an exception message."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        WithheldMessageFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    for own in ("bot", "adapters", "storage", "psp_bot"):
        logging.getLogger(own).setLevel(level)
    for library in CHATTY_LIBRARIES:
        logging.getLogger(library).setLevel(logging.WARNING)


async def open_database(settings: Settings, *, migrate: bool = False) -> AsyncEngine:
    """The engine, with the schema checked. The embedded SQLite database upgrades itself on
    every start. PostgreSQL is upgraded only by `psp-bot db upgrade` (`migrate=True`): several
    bot processes starting at once must not race to migrate one shared database, so a bot
    on an older schema stops with a line saying what to run."""
    from storage.engine import is_sqlite, make_engine
    from storage.migrate import current_revision, head_revision, upgrade

    url = settings.effective_database_url
    if is_sqlite(url) and url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        if migrate or is_sqlite(url):
            await upgrade(engine)
        elif (current := await current_revision(engine)) != head_revision():
            raise ConfigError(
                f"database schema is at revision {current or 'none'}, this psp-bot needs "
                f"{head_revision()}: run `psp-bot db upgrade` first"
            )
        if not migrate:
            # A wrong or missing key stops the start with one clear line, never garbage
            # text. Migrating needs no key, so a deploy step can run it without one.
            from bot.cli_admin import check_encryption

            await check_encryption(settings, engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine


def make_codec(settings: Settings) -> TextCodec:
    """How free text is stored at rest: AES-256-GCM (storage/crypto.py), keys from the
    environment or a key file; see bot/cli_admin.encryption_setup for the rules."""
    from bot.cli_admin import make_codec as encryption_codec

    return encryption_codec(settings)


def build_router(
    settings: Settings, engine: AsyncEngine, *, insecure: frozenset[Platform] = frozenset()
) -> Router:
    from bot.app import BotSettings, PspBot
    from bot.clock import SystemClock
    from bot.domain import Platform
    from bot.runtime import Router
    from storage.uow import SqlAlchemyUnitOfWorkFactory

    uow_factory = SqlAlchemyUnitOfWorkFactory(engine, make_codec(settings))
    clock = SystemClock()
    insecure = insecure | {Platform.CONSOLE}
    bot = PspBot(
        uow_factory=uow_factory,
        clock=clock,
        settings=BotSettings(
            admins=settings.admins,
            default_locale=settings.locale,
            insecure_rooms_allowed=frozenset(insecure),
        ),
    )
    return Router(bot=bot, uow_factory=uow_factory, clock=clock)


def scheduler_service(settings: Settings, engine: AsyncEngine, router: Router) -> SchedulerService:
    """Meetings, reminders and escalation (bot/scheduling). Every process serves commands;
    the leader runs the scheduled work: elected by advisory lock on PostgreSQL, while SQLite
    supports one bot process per database file."""
    from bot.scheduling.service import scheduler_for_router
    from storage.engine import is_sqlite
    from storage.leader import PostgresAdvisoryLeader, SingleProcessLeader

    leader = (
        SingleProcessLeader()
        if is_sqlite(settings.effective_database_url)
        else PostgresAdvisoryLeader(engine)
    )
    return scheduler_for_router(router, settings.sections, leader=leader, locale=settings.locale)


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.console import ConsoleAdapter
    from bot.demo import DEMO_MEMBERS, ensure_demo_group
    from bot.domain import Platform

    if args.demo:
        settings = _with_admin(settings, (Platform.CONSOLE, "admin"))
    engine = await open_database(settings)
    try:
        router = build_router(settings, engine)
        user = args.user or settings.console_user
        if args.demo:
            await ensure_demo_group(router.uow_factory, router.clock)
            user = args.user or DEMO_MEMBERS[0][0]
        console = ConsoleAdapter(router.process, user=user, locale=args.locale or settings.locale)
        router.attach(Platform.CONSOLE, console.sender())
        # Reminders and escalations appear live in the console too (README: a meeting a
        # few minutes ahead with `--remind 2m,1m` shows them).
        scheduler = asyncio.create_task(scheduler_service(settings, engine, router).run())
        try:
            await console.run()
        finally:
            scheduler.cancel()
            await asyncio.gather(scheduler, return_exceptions=True)
    finally:
        await engine.dispose()
    return 0


def _with_admin(settings: Settings, admin: tuple[object, str]) -> Settings:
    from dataclasses import replace

    from bot.domain import Platform

    platform, user = admin
    assert isinstance(platform, Platform)
    return replace(settings, admins=settings.admins | {(platform, user)})


async def _db_upgrade(settings: Settings) -> int:
    engine = await open_database(settings, migrate=True)
    await engine.dispose()
    print("psp-bot: database schema is up to date")
    return 0


# Each chat platform is an adapter package exposing `load_config(settings)` (its section, read
# with SectionReader; the result has `allow_insecure_rooms: bool`) and
# `build_service(config, router, settings)` returning an object with `async run()`.
PLATFORM_ADAPTERS = {"matrix": "adapters.matrix", "slack": "adapters.slack"}


async def _run(settings: Settings) -> int:
    import importlib

    from bot.domain import Platform

    loaded = []
    for section, module_name in PLATFORM_ADAPTERS.items():
        if section in settings.sections:
            module = importlib.import_module(module_name)
            loaded.append((section, module, module.load_config(settings)))
    if not loaded:
        raise ConfigError(
            "config: no chat platform is configured; add a [matrix] or [slack] section"
        )
    insecure = frozenset(
        Platform(section) for section, _m, config in loaded if config.allow_insecure_rooms
    )
    engine = await open_database(settings)
    try:
        router = build_router(settings, engine, insecure=insecure)
        services = [module.build_service(config, router, settings) for _s, module, config in loaded]
        from bot.cli_admin import retention_service

        services.append(retention_service(settings, engine, router))
        services.append(scheduler_service(settings, engine, router))
        await asyncio.gather(*(service.run() for service in services))
    finally:
        await engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
