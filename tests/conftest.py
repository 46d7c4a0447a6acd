"""Shared fixtures: real SQLite files and real PostgreSQL databases, the in-memory fakes of the
ports, a fake clock, and a harness that talks to the core the way an adapter does."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import BotSettings, PspBot
from bot.clock import FakeClock
from bot.demo import ensure_demo_group
from bot.domain import Platform
from bot.messages import Incoming, Reply
from bot.ports import UnitOfWorkFactory
from bot.ports.delivery import Outgoing, SendResult, Sent
from bot.runtime import Router
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.fakes import FakeUnitOfWorkFactory

PG_HOST = os.environ.get("PSP_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN_URL = f"postgresql://postgres@{PG_HOST}:5432/test"
IN_CI = os.environ.get("CI", "").lower() == "true"
TEMPLATE_DB = f"psp_template_{os.getpid()}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "people(*names): the Matrix users a test needs, of admin, anna, bo and carl (all by "
        "default; tests/matrix_support.py)",
    )


async def _pg_execute(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgresql://", "postgres://"), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_reachable() -> bool:
    try:
        asyncio.run(_pg_execute("SELECT 1"))
    except Exception:
        return False
    return True


def require_postgres() -> None:
    """PostgreSQL tests run wherever the server is; under CI=true they never skip."""
    if not _pg_reachable():
        if IN_CI:
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is required under CI=true")
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """One migrated database per test session; each test gets a copy of it."""
    require_postgres()

    async def create() -> None:
        await _pg_execute(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}")
        await _pg_execute(f"CREATE DATABASE {TEMPLATE_DB}")
        engine = make_engine(pg_url(TEMPLATE_DB))
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(create())
    yield TEMPLATE_DB
    asyncio.run(_pg_execute(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}"))


def pg_url(database: str) -> str:
    return f"postgresql://postgres@{PG_HOST}:5432/{database}"


async def _pg_reset(name: str) -> bool:
    """Bring a used test database back to what a fresh copy of the template holds: no
    other connection, the schema at the template's migration, every table empty and every
    id sequence at its start. False if it cannot be reused (then it is dropped)."""
    import asyncpg

    url = pg_url(name).replace("postgresql://", "postgres://")
    conn = await asyncpg.connect(url, timeout=5)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        # A Matrix device kept in the database (crypto_state = "database") is one test's.
        await conn.execute("DROP SCHEMA IF EXISTS psp_matrix CASCADE")
        version = await conn.fetchval("SELECT version_num FROM alembic_version")
        if version != await _template_version():
            return False
        tables = [
            row["tablename"]
            for row in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        # DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE makes and syncs new
        # files for every table (ten times slower). Triggers and foreign keys are off for
        # this transaction only (`replica`), so the order does not matter and the audit
        # trail's guard against deletes does not fire; the sequences start over.
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            if tables:
                await conn.execute("; ".join(f'DELETE FROM "{t}"' for t in tables))
            await conn.execute(
                "SELECT setval(s.seqrelid::regclass, s.seqstart, false) FROM pg_sequence s "
                "JOIN pg_class c ON c.oid = s.seqrelid "
                "WHERE c.relnamespace = 'public'::regnamespace"
            )
        return True
    except Exception:
        return False
    finally:
        await conn.close()


_TEMPLATE_VERSION: list[str] = []


async def _template_version() -> str:
    if not _TEMPLATE_VERSION:
        import asyncpg

        url = pg_url(TEMPLATE_DB).replace("postgresql://", "postgres://")
        conn = await asyncpg.connect(url, timeout=5)
        try:
            _TEMPLATE_VERSION.append(
                str(await conn.fetchval("SELECT version_num FROM alembic_version"))
            )
        finally:
            await conn.close()
    return _TEMPLATE_VERSION[0]


async def create_test_database(name: str, template: str) -> None:
    """A copy of the migrated template whose commits do not wait for the disk
    (`synchronous_commit = off`): what a transaction commits is as visible and as isolated
    as ever; only a crash of the PostgreSQL server itself could lose the last commits, and
    no test crashes it."""
    await _pg_execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    await _pg_execute(f"ALTER DATABASE {name} SET synchronous_commit = off")


async def _drop_databases(names: list[str]) -> None:
    """Together: the server's checkpoints serve all the drops at once."""
    await asyncio.gather(
        *(_pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)") for name in names)
    )


@pytest.fixture(scope="session")
def pg_dropped_at_end() -> Iterator[list[str]]:
    """PostgreSQL databases a test is done with, dropped when the run ends: each DROP
    DATABASE waits for a checkpoint (seconds on a busy machine), and a test should not."""
    names: list[str] = []
    yield names
    asyncio.run(_drop_databases(names))


@pytest.fixture(scope="session")
def pg_spare_databases(pg_template: str, pg_dropped_at_end: list[str]) -> Iterator[list[str]]:
    """Test databases handed back clean, for the next test: creating a database is quick,
    dropping one waits for a checkpoint (seconds on a busy machine)."""
    spare: list[str] = []
    yield spare
    pg_dropped_at_end.extend(spare)


@pytest.fixture
def pg_database(
    pg_template: str, pg_spare_databases: list[str], pg_dropped_at_end: list[str]
) -> Iterator[str]:
    """A migrated PostgreSQL database with nothing in it, for one test: a fresh copy of the
    template, or one an earlier test used and that was emptied since (`_pg_reset`)."""
    if pg_spare_databases:
        name = pg_spare_databases.pop()
    else:
        name = f"psp_t_{uuid.uuid4().hex[:12]}"
        asyncio.run(create_test_database(name, pg_template))
    yield pg_url(name)
    if asyncio.run(_pg_reset(name)):
        pg_spare_databases.append(name)
    else:
        pg_dropped_at_end.append(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test session; each test gets a copy of it (copying a
    file is quicker than running the migrations again)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "psp.sqlite3"

    async def create() -> None:
        engine = make_engine(f"sqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()  # the last connection folds the WAL into the file

    asyncio.run(create())
    return path


def sqlite_copy(request: pytest.FixtureRequest, directory: Path) -> str:
    """A migrated SQLite file of the test's own, as a URL."""
    template: Path = request.getfixturevalue("sqlite_template")
    target = directory / "psp.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on an SQLite file and on a PostgreSQL database, both migrated."""
    if request.param == "sqlite":
        return sqlite_copy(request, tmp_path)
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    # A copy of a migrated template: running the migrations again would only read every
    # migration script to find nothing to do (30 ms a test).
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


async def count_cases(database_url: str) -> int:
    """How many cases a bot (often in another process) has committed to this database."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT count(*) FROM cases"))).scalar_one())
    finally:
        await engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@dataclass
class Harness:
    """Talks to the core like an adapter: `await h.say("anna", "flag acute …")`."""

    router: Router
    clock: FakeClock
    engine: AsyncEngine | None  # None on the in-memory fakes
    uow_factory: UnitOfWorkFactory
    locale: str = "en"
    sent: list[Reply] = field(default_factory=list)
    # The core behind the router, for tests that build a router of their own around it.
    bot: PspBot | None = None

    @property
    def core(self) -> PspBot:
        assert self.bot is not None
        return self.bot

    async def say(
        self,
        user: str,
        text: str,
        *,
        room: str = "console",
        platform: Platform = Platform.CONSOLE,
        event_id: str | None = None,
        room_secure: bool | None = None,
    ) -> list[Reply]:
        return await self.router.process(
            Incoming(
                platform=platform,
                room=room,
                sender=user,
                text=text,
                event_id=event_id,
                room_secure=room_secure,
                locale=self.locale,
            )
        )

    async def text(self, user: str, text: str, **kwargs: object) -> str:
        """All replies to one command, joined: what the user reads."""
        replies = await self.say(user, text, **kwargs)  # type: ignore[arg-type]
        return "\n".join(r.text for r in replies)


class RecordingSender:
    def __init__(self, sink: list[Reply]) -> None:
        self._sink = sink

    async def send(self, message: Outgoing) -> SendResult:
        self._sink.append(message.reply)
        return Sent()


def build_harness(
    engine: AsyncEngine | None,
    clock: FakeClock,
    locale: str = "en",
    *,
    uow_factory: UnitOfWorkFactory | None = None,
) -> Harness:
    if uow_factory is None:
        assert engine is not None
        uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    bot = PspBot(
        uow_factory=uow_factory,
        clock=clock,
        settings=BotSettings(
            admins=frozenset(
                {
                    (Platform.CONSOLE, "admin"),
                    (Platform.MATRIX, "@admin:test"),
                    (Platform.SLACK, "UADMIN"),
                }
            ),
            default_locale=locale,
            insecure_rooms_allowed=frozenset({Platform.CONSOLE}),
        ),
    )
    router = Router(bot=bot, uow_factory=uow_factory, clock=clock)
    harness = Harness(router, clock, engine, uow_factory, locale, bot=bot)
    for platform in Platform:
        router.attach(platform, RecordingSender(harness.sent))
    return harness


@pytest.fixture
async def harness(engine: AsyncEngine, clock: FakeClock) -> Harness:
    """The core on a real database with the demo group (anna, dina: police; bo: social;
    carl: psychiatry; erik: social lead) bound to the console room."""
    h = build_harness(engine, clock)
    await ensure_demo_group(h.uow_factory, clock)
    return h


@pytest.fixture
async def pg_harness(pg_database: str, clock: FakeClock) -> AsyncIterator[Harness]:
    """The same on a fresh PostgreSQL database, whatever the test module's backend."""
    engine = make_engine(pg_database)
    h = build_harness(engine, clock)
    await ensure_demo_group(h.uow_factory, clock)
    yield h
    await engine.dispose()


# The unit tier: the same behaviour on the in-memory fakes, no database, no network.
BACKENDS = [pytest.param("memory", marks=pytest.mark.unit), "sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """ "memory", an SQLite file or a fresh PostgreSQL database (set up outside the event loop,
    as `database_url` is)."""
    if request.param == "memory":
        return "memory"
    if request.param == "sqlite":
        return sqlite_copy(request, tmp_path)
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.fixture
async def backend(backend_url: str) -> AsyncIterator[tuple[UnitOfWorkFactory, AsyncEngine | None]]:
    """A unit-of-work factory on every backend: the in-memory fakes of the ports (marked
    `unit`), a migrated SQLite file and a migrated PostgreSQL database."""
    if backend_url == "memory":
        yield FakeUnitOfWorkFactory(), None
        return
    engine = make_engine(backend_url)  # a copy of a migrated template, as for `engine`
    yield SqlAlchemyUnitOfWorkFactory(engine), engine
    await engine.dispose()


@pytest.fixture
async def core(backend: tuple[UnitOfWorkFactory, AsyncEngine | None], clock: FakeClock) -> Harness:
    """The harness with the demo group on every backend (see `backend`). For tests that
    assert what users see, not what the rows look like."""
    uow_factory, engine = backend
    h = build_harness(engine, clock, uow_factory=uow_factory)
    await ensure_demo_group(h.uow_factory, clock)
    return h
