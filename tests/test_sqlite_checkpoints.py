"""SQLite's write-ahead log is copied back into the database file by a thread of its own,
not by the commit of whichever command happens to take it past its limit: on a slow disk the
bot does not wait for the syncs of a checkpoint."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storage.engine import make_engine
from storage.migrate import upgrade
from storage.sqlite_checkpoint import CHECKPOINTERS, SAFETY_NET_PAGES, in_memory

# The bot on an SQLite file: 300 flags in bursts of 30, then a quiet stretch of 10 flags a
# fifth of a second apart; the log of syncs marks where each part begins and ends.
FLAGS = r"""
import asyncio, sys
from bot.app import BotSettings, PspBot
from bot.clock import SystemClock
from bot.demo import ensure_demo_group
from bot.domain import Platform
from bot.messages import Incoming
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlAlchemyUnitOfWorkFactory

def mark(log: str, line: str) -> None:
    with open(log, "a") as out:
        out.write(line + "\n")

async def main(path: str, log: str) -> None:
    engine = make_engine(f"sqlite:///{path}")
    await upgrade(engine)
    factory = SqlAlchemyUnitOfWorkFactory(engine)
    await ensure_demo_group(factory, SystemClock())
    bot = PspBot(uow_factory=factory, clock=SystemClock(), settings=BotSettings())
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        limit = (await (await raw.execute("PRAGMA wal_autocheckpoint")).fetchone())[0]
    mark(log, f"limit {limit}")

    async def flag(number: int) -> None:
        text = f"flag urgent Borger {number} har brug for hjælp #housing"
        replies = await bot.handle(Incoming(Platform.CONSOLE, "console", "anna", text))
        assert replies and replies[0].kind != "error", replies

    mark(log, "burst")
    for number in range(300):
        await flag(number)
        if number % 30 == 29:
            await asyncio.sleep(0.05)
    mark(log, "quiet")
    for number in range(10):
        await asyncio.sleep(0.2)
        await flag(300 + number)
    mark(log, "done")
    await engine.dispose()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def build_sync_shim(directory: Path) -> Path:
    """tests/native/sync_shim.c, built: preloaded, it records (or slows) every disk sync."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    assert compiler, "a C compiler is needed to record the syncs"
    library = directory / "sync_shim.so"
    source = Path(__file__).parent / "native" / "sync_shim.c"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", library, source, "-ldl"], check=True)
    return library


def syncs_between(lines: list[str], start: str, end: str) -> tuple[int, int]:
    """(syncs on the event loop's thread, syncs on other threads) between two marks. The
    main thread's id is the process's."""
    part = [line.split() for line in lines[lines.index(start) + 1 : lines.index(end)]]
    on_the_loop = sum(1 for _, thread, process in part if thread == process)
    return on_the_loop, len(part) - on_the_loop


def test_the_bot_does_not_wait_for_a_checkpoint_s_syncs(tmp_path: Path) -> None:
    """In WAL mode with synchronous=NORMAL a commit does not sync; a checkpoint syncs twice
    (the log, then the database file), and the first write after a complete checkpoint syncs
    the log's new header. Before, all of these were on the event loop's thread (15 in 300
    flags): on a slow disk, the bot froze for each."""
    library = build_sync_shim(tmp_path)
    log = tmp_path / "syncs.log"
    script = tmp_path / "flags.py"
    script.write_text(FLAGS)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "LD_PRELOAD": str(library), "SYNC_LOG": str(log), "PYTHONPATH": str(root)}
    subprocess.run(
        [sys.executable, script, tmp_path / "psp.sqlite3", log], env=env, check=True, timeout=120
    )
    lines = log.read_text().splitlines()
    # A commit copies back only past the safety net, far beyond SQLite's 1,000 pages.
    assert f"limit {SAFETY_NET_PAGES}" in lines
    loop, thread = syncs_between(lines, "burst", "quiet")
    # The thread checkpointed; the loop synced at most a new log's header after each.
    assert thread >= 2 and loop <= thread // 2, (loop, thread)
    # A quiet stretch does not pay a sync per command.
    loop, _ = syncs_between(lines, "quiet", "done")
    assert loop <= 1


def log_exists(path: Path) -> bool:
    return Path(f"{path}-wal").exists()


async def test_the_thread_ends_with_the_last_connection(tmp_path: Path) -> None:
    path = tmp_path / "psp.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    await upgrade(engine)  # leaves a connection in the engine's pool
    checkpointer = CHECKPOINTERS.running(str(path))
    assert checkpointer is not None
    thread = checkpointer._thread
    assert thread is not None and thread.is_alive()
    await engine.dispose()
    # Gone when the engine is: its connection closed, so the log is copied back and deleted
    # before anything else may take the file's place (a restore).
    assert not thread.is_alive() and CHECKPOINTERS.running(str(path)) is None
    assert not log_exists(path)


@pytest.mark.unit
def test_a_database_in_memory_has_no_log_to_copy_back() -> None:
    assert in_memory(":memory:") and in_memory("file:psp?mode=memory&cache=shared")
    assert not in_memory("/var/lib/psp-bot/psp.sqlite3")
