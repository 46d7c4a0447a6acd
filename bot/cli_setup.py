"""The composition root's concrete half: the database (schema checked, keys checked), the
SQLAlchemy-backed ports handed to `bot.bootstrap`, and the chat platforms configured for
`psp-bot run`. Used by `bot/cli.py` and `bot/cli_admin.py` alike; storage and adapters are
imported inside the functions (layering rule)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.bootstrap import App, bootstrap
from bot.cli_encryption import check_encryption, make_codec
from bot.config import ConfigError, Settings
from bot.domain import Platform
from bot.platforms import PlatformConfig, PlatformModule

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.ports import LeaderElection

# Advisory lock key of the daily retention job ("PSP" "RT"); the scheduler uses its own.
RETENTION_LOCK_KEY = 0x505350_5254


async def open_database(
    settings: Settings, *, migrate: bool = False, purpose: str | None = None
) -> AsyncEngine:
    """The engine, with the schema checked. The embedded SQLite database upgrades itself on
    every start. PostgreSQL is upgraded only by `psp-bot db upgrade` (`migrate=True`): several
    bot processes starting at once must not race to migrate one shared database, so a bot
    on an older schema stops with a line saying what to run. `purpose`: the admin command
    that opens it, which its PostgreSQL sessions are named after (pg_stat_activity)."""
    from storage.engine import is_sqlite, make_engine
    from storage.migrate import current_revision, head_revision, upgrade

    url = settings.effective_database_url
    if is_sqlite(url) and url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url, **database_options(settings, purpose))
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
            await check_encryption(settings, engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine


def database_options(settings: Settings, purpose: str | None = None) -> dict[str, Any]:
    """The engine's options: the config's pool and lock wait, and a session name that tells
    the database's administrator which of psp-bot's processes a session belongs to."""
    name = "psp-bot" if purpose is None else f"psp-bot {purpose}"
    return {**settings.database_options, "application_name": name}


def scheduler_leader(settings: Settings, engine: AsyncEngine) -> LeaderElection:
    """Every process serves commands; one leads the scheduled work: elected by advisory lock
    on PostgreSQL, while SQLite supports one bot process per database file."""
    from storage.engine import is_sqlite
    from storage.leader import PostgresAdvisoryLeader, SingleProcessLeader

    if is_sqlite(settings.effective_database_url):
        return SingleProcessLeader()
    return PostgresAdvisoryLeader(engine)


def retention_leader(settings: Settings, engine: AsyncEngine) -> LeaderElection:
    """The daily retention job has a lock of its own: its leader need not be the scheduler's."""
    from storage.engine import is_sqlite
    from storage.leader import PostgresAdvisoryLeader, SingleProcessLeader

    if is_sqlite(settings.effective_database_url):
        return SingleProcessLeader()
    return PostgresAdvisoryLeader(engine, key=RETENTION_LOCK_KEY)


def exclusive_leader(settings: Settings, engine: AsyncEngine, name: str) -> LeaderElection:
    """The lease of one exclusive resource among the bot's processes (a Matrix device kept in
    PostgreSQL): an advisory lock keyed by the resource's name."""
    import hashlib

    from storage.engine import is_sqlite
    from storage.leader import PostgresAdvisoryLeader, SingleProcessLeader

    if is_sqlite(settings.effective_database_url):
        return SingleProcessLeader()
    key = int.from_bytes(hashlib.sha256(b"psp-bot lease|" + name.encode()).digest()[:8], "big")
    return PostgresAdvisoryLeader(engine, key=key - (1 << 63))  # a signed bigint


def build_app(
    settings: Settings, engine: AsyncEngine, *, insecure: frozenset[Platform] = frozenset()
) -> App:
    """The whole bot on this database: `bot.bootstrap` with the SQLAlchemy ports."""
    from bot.clock import SystemClock
    from storage.retention import SqlAlchemyRetentionStore
    from storage.uow import SqlAlchemyUnitOfWorkFactory

    codec = make_codec(settings)
    app = bootstrap(
        settings,
        uow_factory=SqlAlchemyUnitOfWorkFactory(engine, codec),
        clock=SystemClock(),
        scheduler_leader=scheduler_leader(settings, engine),
        retention_store=SqlAlchemyRetentionStore(engine, codec),
        retention_leader=retention_leader(settings, engine),
        leader_for=lambda name: exclusive_leader(settings, engine, name),
        insecure=insecure,
    )
    if app.pager is not None:
        from adapters.pager import PagerSender

        # Sent by the delivery worker's background loop only: a gateway that hangs until
        # its timeout never holds up a command or a tick.
        app.router.attach(Platform.PAGER, PagerSender(app.pager), inline=False)
    return app


def _matrix() -> PlatformModule[Any]:
    from adapters.matrix.platform import MATRIX

    return MATRIX


def _slack() -> PlatformModule[Any]:
    from adapters.slack.platform import SLACK

    return SLACK


# Config section -> the platform serving it; imported only when its section is present.
PLATFORMS: dict[str, Callable[[], PlatformModule[Any]]] = {"matrix": _matrix, "slack": _slack}


def configured_platforms(
    settings: Settings,
) -> list[tuple[PlatformModule[Any], PlatformConfig]]:
    """The platforms with a section in the config, each with its section read (a bad key
    stops the start here, before the database is opened)."""
    loaded = []
    for section, load in PLATFORMS.items():
        if section in settings.sections:
            module = load()
            loaded.append((module, module.load_config(settings)))
    if not loaded:
        raise ConfigError(
            "config: no chat platform is configured; add a [matrix] or [slack] section"
        )
    return loaded
