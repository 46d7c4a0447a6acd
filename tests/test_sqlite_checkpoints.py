"""SQLite's write-ahead log is copied back into the database file by a thread of its own,
not by the commit of whichever command happens to take it past its limit."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.demo import ensure_demo_group
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.sqlite_checkpoint import CHECKPOINTERS, SAFETY_NET_PAGES, in_memory
from tests.conftest import build_harness


def log_frames(path: Path) -> tuple[int, int]:
    """(frames in the log, frames already copied back into the database file), as SQLite's
    shared-memory index of the log records them (its header, then the checkpoint's progress;
    native byte order)."""
    header = Path(f"{path}-shm").read_bytes()[:100]
    (frames,) = struct.unpack_from("=I", header, 16)
    (copied,) = struct.unpack_from("=I", header, 96)
    return frames, copied


async def test_commands_leave_the_copying_back_to_a_thread(tmp_path: Path) -> None:
    path = tmp_path / "psp.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        await upgrade(engine)
        clock = FakeClock()
        h = build_harness(engine, clock)
        await ensure_demo_group(h.uow_factory, clock)
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            # A commit copies back only past the safety net, far beyond SQLite's 1,000 pages.
            limit = await (await raw.execute("PRAGMA wal_autocheckpoint")).fetchone()
        assert limit == (SAFETY_NET_PAGES,)
        for number in range(1, 151):
            assert f"PSP-{clock.now().year}-{number:04d}" in await h.text(
                "anna", f"flag urgent Borger {number} har brug for hjælp #housing"
            )
        # Every frame the commands wrote is copied back, though none of their commits could.
        for _ in range(100):
            frames, copied = log_frames(path)
            if frames and copied == frames:
                break
            await asyncio.sleep(0.05)
        assert frames < SAFETY_NET_PAGES and copied == frames > 0
        # What was copied back is what the bot committed.
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            assert conn.execute("SELECT count(*) FROM cases").fetchone() == (150,)
        finally:
            conn.close()
    finally:
        await engine.dispose()


async def test_the_thread_ends_with_the_last_connection(tmp_path: Path) -> None:
    path = tmp_path / "psp.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    await upgrade(engine)  # leaves a connection in the engine's pool
    checkpointer = CHECKPOINTERS.running(str(path))
    assert checkpointer is not None
    thread = checkpointer._thread
    assert thread is not None and thread.is_alive()
    await engine.dispose()
    thread.join(5)
    assert not thread.is_alive() and CHECKPOINTERS.running(str(path)) is None


# Records which thread of which process asks the disk to sync (SQLite syncs with fdatasync or
# fsync), then does it: loaded ahead of the C library, so SQLite's calls come here first.
SYNC_RECORDER = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static void note(void) {
    const char *path = getenv("SYNC_LOG");
    if (!path) return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd < 0) return;
    char line[48];
    int n = snprintf(line, sizeof line, "sync %ld %d\n", (long)syscall(SYS_gettid), (int)getpid());
    if (n > 0 && write(fd, line, (size_t)n) < 0) {}
    close(fd);
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    note();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    note();
    return real(fd);
}
"""

# The bot on an SQLite file, 300 flags; the log marks where the commands begin and end.
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

async def main(path: str, log: str) -> None:
    engine = make_engine(f"sqlite:///{path}")
    await upgrade(engine)
    factory = SqlAlchemyUnitOfWorkFactory(engine)
    await ensure_demo_group(factory, SystemClock())
    bot = PspBot(uow_factory=factory, clock=SystemClock(), settings=BotSettings())
    with open(log, "a") as out:
        out.write("commands\n")
    for number in range(300):
        text = f"flag urgent Borger {number} har brug for hjælp #housing"
        replies = await bot.handle(Incoming(Platform.CONSOLE, "console", "anna", text))
        assert replies and replies[0].kind != "error", replies
    with open(log, "a") as out:
        out.write("done\n")
    await engine.dispose()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def test_no_command_waits_for_the_disk(tmp_path: Path) -> None:
    """A slow disk must not freeze the bot: while commands run, the event loop's thread never
    syncs the file (in WAL mode with synchronous=NORMAL only a checkpoint syncs); the
    checkpoint thread does."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    assert compiler, "a C compiler is needed to record the syncs"
    source = tmp_path / "sync_recorder.c"
    source.write_text(textwrap.dedent(SYNC_RECORDER))
    library = tmp_path / "sync_recorder.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", library, source, "-ldl"], check=True)
    log = tmp_path / "syncs.log"
    script = tmp_path / "flags.py"
    script.write_text(FLAGS)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "LD_PRELOAD": str(library), "SYNC_LOG": str(log), "PYTHONPATH": str(root)}
    subprocess.run(
        [sys.executable, script, tmp_path / "psp.sqlite3", log], env=env, check=True, timeout=120
    )
    lines = log.read_text().splitlines()
    during = lines[lines.index("commands") + 1 : lines.index("done")]
    syncs = [line.split() for line in during]
    on_the_loop = [s for s in syncs if s[1] == s[2]]  # the main thread: its id is the process's
    assert syncs and not on_the_loop, f"{len(on_the_loop)} of {len(syncs)} syncs on the loop"


@pytest.mark.unit
def test_a_database_in_memory_has_no_log_to_copy_back() -> None:
    assert in_memory(":memory:") and in_memory("file:psp?mode=memory&cache=shared")
    assert not in_memory("/var/lib/psp-bot/psp.sqlite3")
