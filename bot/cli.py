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
from typing import Any

from bot import cli_admin, cli_check, cli_ops, cli_report
from bot.bootstrap import App
from bot.cli_setup import build_app, configured_platforms, open_database
from bot.config import ConfigError, Settings, load_settings
from bot.shutdown import RunOnly, Service, StopSignals, serve
from bot.version import installed_version

log = logging.getLogger("psp_bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="psp-bot", description="Chat-ops bot for PSP groups")
    parser.add_argument("--version", action="version", version=f"psp-bot {installed_version()}")
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

    cli_admin.add_commands(sub)
    cli_ops.add_commands(sub)
    cli_check.add_commands(sub)
    cli_report.add_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if refused := _screen_arguments(arguments):
        print(f"psp-bot: {refused}", file=sys.stderr)
        return 2
    args = _parser().parse_args(arguments)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"psp-bot: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    try:
        if args.command == "console":
            return asyncio.run(_console(settings, args))
        if args.command == "db":
            return asyncio.run(_db_upgrade(settings))
        if args.command == "run":
            return asyncio.run(_run(settings))
        if args.command in cli_ops.COMMANDS:
            return asyncio.run(cli_ops.run(args, settings))
        if args.command in cli_check.COMMANDS:
            return asyncio.run(cli_check.run(args, settings))
        if args.command == "report":
            return asyncio.run(cli_report.run(args, settings))
        return asyncio.run(cli_admin.run(args, settings))
    except ConfigError as exc:
        print(f"psp-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


def _screen_arguments(arguments: list[str]) -> str | None:
    """A CPR number or unreadable characters in an argument (a group name, an export's
    reference) are refused like in chat, before anything (argparse too) can repeat them:
    nothing is stored, the number is not repeated."""
    from bot.i18n import translate
    from bot.screening import screen_arguments

    screened = screen_arguments(arguments)
    if screened is None:
        return None
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("--config", type=Path, default=None)
    try:
        locale = load_settings(config.parse_known_args(arguments)[0].config).locale
    except (ConfigError, SystemExit):
        locale = "da"
    return translate(locale, screened.key)


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


def configure_logging(level: str, log_format: str = "text") -> None:
    """The configured level applies to psp-bot's own modules only (which never log case
    text); third-party libraries stay at WARNING. No log line carries an exception message."""
    from bot.logformat import JsonFormatter

    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if log_format == "json"
        else WithheldMessageFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    for own in ("bot", "adapters", "storage", "psp_bot"):
        logging.getLogger(own).setLevel(level)
    for library in CHATTY_LIBRARIES:
        logging.getLogger(library).setLevel(logging.WARNING)


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain import Platform

    if args.demo:
        settings = _with_admin(settings, (Platform.CONSOLE, "admin"))
    with StopSignals() as signals:
        return await _console_on(settings, args, signals)


async def _console_on(settings: Settings, args: argparse.Namespace, signals: StopSignals) -> int:
    from adapters.console import ConsoleAdapter
    from bot.demo import DEMO_MEMBERS, ensure_demo_group
    from bot.domain import Platform

    engine = await open_database(settings)
    try:
        app = build_app(settings, engine)
        router = app.router
        user = args.user or settings.console_user
        if args.demo:
            await ensure_demo_group(router.uow_factory, router.clock)
            user = args.user or DEMO_MEMBERS[0][0]
        console = ConsoleAdapter(
            router.process,
            user=user,
            locale=args.locale or settings.locale,
            files_dir=settings.data_dir / "console-files",
        )
        router.attach(Platform.CONSOLE, console.sender())
        # Reminders and escalations appear live in the console too (README: a meeting a
        # few minutes ahead with `--remind 2m,1m` shows them). End of input, SIGTERM or
        # Ctrl-C end the console the same graceful way as `psp-bot run`.
        await _serve(settings, app, [console, app.scheduler, app.router.delivery], signals)
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
    engine = await open_database(settings, migrate=True, purpose="db upgrade")
    await engine.dispose()
    print("psp-bot: database schema is up to date")
    return 0


async def _serve(
    settings: Settings, app: App, services: list[Service], signals: StopSignals
) -> None:
    """Run until a service ends or SIGTERM/SIGINT, then shut down gracefully (bot/shutdown.py);
    a second signal exits at once."""

    async def drain(deadline: float) -> None:
        left = await app.router.delivery.drain(deadline)
        if left:
            log.info("shutdown: %d messages stay in the outbox for the next start", left)

    await serve(
        services,
        stop=signals.requested,
        in_flight=app.router.in_flight,
        grace_seconds=settings.shutdown_grace_seconds,
        drain=drain,
    )


async def _run(settings: Settings) -> int:
    platforms = configured_platforms(settings)
    insecure = frozenset(
        module.platform for module, config in platforms if config.allow_insecure_rooms
    )
    from bot.cli_ops import hold_run_lock
    from bot.cli_ops_listener import ops_services
    from storage.outbox_wake import OutboxWake

    hold_run_lock(settings)  # `restore` refuses to write under a running bot
    # Installed first: a SIGTERM while the bot starts stops it as soon as it serves.
    with StopSignals() as signals:
        engine = await open_database(settings)
        try:
            app = build_app(settings, engine, insecure=insecure)
            chat = [
                module.build_service(config, app.router, settings) for module, config in platforms
            ]
            # Housekeeping and the ops listener have nothing to finish: they end last.
            ops = [RunOnly(s) for s in ops_services(settings, engine, app, chat)]
            # Rows another process wrote (the CLI, a second bot) are sent at once.
            ops.append(RunOnly(OutboxWake(engine, app.router.delivery.wake)))
            # The delivery worker sends the outbox: retries, and what an earlier process left.
            services = [*chat, app.retention, app.scheduler, app.router.delivery, *ops]
            await _serve(settings, app, services, signals)
        finally:
            await engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
