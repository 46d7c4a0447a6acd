"""A database that goes away answers every command with one localized line ("not reachable;
nothing was saved"), writes one log line for the whole outage and one when it is back, and
keeps nothing of what was asked meanwhile. PostgreSQL: a private cluster this test starts and
stops itself (never the shared server). SQLite: a file that can no longer be opened."""

from __future__ import annotations

import glob
import logging
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FakeClock
from bot.demo import ensure_demo_group
from bot.i18n import translate
from bot.messages import ReplyKind
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.service import SchedulerService
from storage.engine import is_sqlite, make_engine
from storage.leader import PostgresAdvisoryLeader, SingleProcessLeader
from storage.migrate import upgrade
from tests.conftest import IN_CI, Harness, build_harness
from tests.snapshot import snapshot

REF = "PSP-2026-0001"


def _postgres_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _as_cluster_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: under root the cluster belongs to `postgres`."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PrivateCluster:
    pg_ctl: str
    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            _as_cluster_owner([self.pg_ctl, "-D", str(self.data), *args]),
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "-l", str(self.directory / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    initdb, pg_ctl = _postgres_tool("initdb"), _postgres_tool("pg_ctl")
    if initdb is None or pg_ctl is None:
        if IN_CI:
            pytest.fail("initdb and pg_ctl are required under CI=true")
        pytest.skip("initdb/pg_ctl are not installed")
    # Not under pytest's tmp_path: its parents are private to root, the cluster's owner
    # must reach the directory.
    directory = Path(tempfile.mkdtemp(prefix="psp-outage-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = PrivateCluster(pg_ctl, directory, _free_port())
    try:
        subprocess.run(
            _as_cluster_owner(
                [initdb, "-D", str(cluster.data), "-A", "trust", "-U", "postgres", "--no-sync"]
            ),
            check=True,
            capture_output=True,
            timeout=300,
        )
        cluster.start()
        yield cluster
    finally:
        subprocess.run(
            _as_cluster_owner([pg_ctl, "-D", str(cluster.data), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(directory, ignore_errors=True)


def _outage_lines(caplog: pytest.LogCaptureFixture) -> tuple[list[str], list[str]]:
    messages = [r.getMessage() for r in caplog.records]
    down = [m for m in messages if "database is not reachable" in m]
    back = [m for m in messages if "database is reachable again" in m]
    return down, back


async def _refused_while_down(h: Harness) -> None:
    for locale, command, event_id in (
        ("en", f"note {REF} Ringede til borgeren", None),
        ("da", f"note {REF} Ringede igen", None),
        ("en", "flag acute Borger truer", "$event-1"),
        ("da", f"show {REF}", "$event-2"),
        ("en", "show 010190-1234", "$event-3"),  # a refusal that remembers its event
    ):
        h.locale = locale
        replies = await h.say("anna", command, event_id=event_id)
        kinds_and_texts = [(r.kind, r.text) for r in replies]
        if "010190" in command:
            assert kinds_and_texts == [(ReplyKind.ERROR, translate(locale, "error.cpr"))]
        else:
            line = translate(locale, "error.database_unavailable")
            assert kinds_and_texts == [(ReplyKind.ERROR, line)], kinds_and_texts
    h.locale = "en"


async def _outage_and_recovery(
    url: str,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    go_down: Callable[[AsyncEngine], Awaitable[None]],
    come_back: Callable[[], None],
) -> None:
    """A case is flagged; the database goes away: every command gets the one line, the log
    one line for the commands and one for the scheduler, and no traceback; it comes back:
    nothing of the outage was kept, commands and ticks work again and the log says so."""
    caplog.set_level(logging.INFO)
    engine = make_engine(url)
    leader = SingleProcessLeader() if is_sqlite(url) else PostgresAdvisoryLeader(engine)
    try:
        await upgrade(engine)
        h = build_harness(engine, clock)
        await ensure_demo_group(h.uow_factory, clock)
        scheduler = SchedulerService.build(
            uow_factory=h.uow_factory,
            clock=clock,
            deliver=h.router.delivery.deliver_rooms,
            leader=leader,
            config=SchedulerConfig(),
            locale="en",
        )
        assert REF in await h.text("anna", "flag acute Borger truer naboer")
        assert await scheduler.run_once() is not None
        before = await snapshot(engine)

        await go_down(engine)
        await _refused_while_down(h)
        assert await scheduler.run_once() is None
        assert await scheduler.run_once() is None
        down, back = _outage_lines(caplog)
        assert len(down) == 2 and back == [], down  # the commands' line and the scheduler's
        assert all(r.exc_info is None for r in caplog.records), "no traceback per command"

        come_back()
        assert await snapshot(engine) == before  # nothing of the outage was kept
        assert "note no. 1 saved" in await h.text("anna", f"note {REF} Ringede til borgeren")
        assert await scheduler.run_once() is not None
        down, back = _outage_lines(caplog)
        assert len(down) == 2 and len(back) == 2
    finally:
        await leader.release()
        await engine.dispose()


async def test_postgres_going_away_answers_one_line_and_logs_once(
    cluster: PrivateCluster, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    async def stop(_engine: AsyncEngine) -> None:
        cluster.stop()  # connections in the pool die with the server

    await _outage_and_recovery(cluster.url, clock, caplog, stop, cluster.start)


async def test_an_sqlite_file_that_cannot_be_opened(
    tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    home, away = tmp_path / "data", tmp_path / "elsewhere"
    home.mkdir()

    async def unmount(engine: AsyncEngine) -> None:
        # The file's directory disappears (an unmounted volume): the open connections are
        # closed, and no new one can open the file.
        await engine.dispose()
        home.rename(away)

    await _outage_and_recovery(
        f"sqlite:///{home / 'psp.sqlite3'}", clock, caplog, unmount, lambda: away.rename(home)
    )


async def test_an_sqlite_file_that_is_no_database(
    tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "psp.sqlite3"
    kept: list[bytes] = []

    async def overwrite(engine: AsyncEngine) -> None:
        await engine.dispose()
        kept.append(path.read_bytes())
        path.write_bytes(b"\xff" * len(kept[0]))  # overwritten by something else

    await _outage_and_recovery(
        f"sqlite:///{path}", clock, caplog, overwrite, lambda: path.write_bytes(kept[0])
    )
