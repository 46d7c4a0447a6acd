"""SQLite's write-ahead log is copied back into the database file by a thread of its own,
not by the commit of whichever command happens to take it past its limit."""

from __future__ import annotations

import asyncio
import sqlite3
import struct
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


@pytest.mark.unit
def test_a_database_in_memory_has_no_log_to_copy_back() -> None:
    assert in_memory(":memory:") and in_memory("file:psp?mode=memory&cache=shared")
    assert not in_memory("/var/lib/psp-bot/psp.sqlite3")
