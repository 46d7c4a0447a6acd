"""SQLite stall benchmark: another process holds the write lock, or the disk is slow; does
the bot freeze?

Run by hand (not part of the tests):  .venv/bin/python benchmarks/sqlite_stall_bench.py

A second process takes SQLite's write lock (`BEGIN IMMEDIATE`) and holds it — 3 s, as an
admin command or a backup might, then 10 s, longer than any command should wait. Meanwhile
the bot gets a `flag`. A watchdog task wakes every millisecond and records the longest gap
(the longest event-loop stall). Printed: the stall, the time until the waiting command
answered, and what it answered. Targets: stall ≤ 50 ms; an answer within 5 s.

Then a slow disk: the bot, in a process of its own, runs 300 and then 600 flags as fast as
it can while every sync of the file takes SLOW_SYNC_MS (tests/native/sync_shim.c, preloaded;
it needs a C compiler). 600 flags write more than the log's safety net of 10,000 pages
(storage/sqlite_checkpoint.py) before the slowed checkpoint thread catches up.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import BotSettings, PspBot
from bot.clock import SystemClock
from bot.demo import ensure_demo_group
from bot.domain import Platform
from bot.messages import Incoming
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlAlchemyUnitOfWorkFactory

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


class Watchdog:
    """The longest time the event loop did not get round to a 1 ms timer."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        last = time.perf_counter()
        while not self._stop.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.worst = max(self.worst, now - last - 0.001)
            last = now

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0.005)  # let it take its first timestamp

    async def stop(self) -> float:
        self._stop.set()
        assert self._task is not None
        await self._task
        return self.worst * 1000


async def say(bot: PspBot, user: str, text: str) -> str:
    replies = await bot.handle(Incoming(Platform.CONSOLE, "console", user, text, locale="en"))
    return " / ".join(r.text.splitlines()[0] for r in replies)


async def held_lock(bot: PspBot, path: Path, hold: float) -> tuple[float, float, str]:
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, str(path), str(hold), stdout=asyncio.subprocess.PIPE
    )
    assert holder.stdout is not None
    assert (await holder.stdout.readline()).strip() == b"locked"
    watchdog = Watchdog()
    await watchdog.start()
    start = time.perf_counter()
    answer = await say(bot, "anna", "flag acute Borger truer naboer #threat")
    answered = time.perf_counter() - start
    stall = await watchdog.stop()
    await holder.wait()
    return stall, answered, answer


SLOW_SYNC_MS = 500
SYNC_SHIM = Path(__file__).resolve().parents[1] / "tests" / "native" / "sync_shim.c"
SLOW_DISK_FLAGS = (300, 600)


async def slow_disk_child(path: Path, flags: int) -> None:
    """In the process whose syncs are slowed: flags, the watchdog on; figures as JSON."""
    engine = make_engine(f"sqlite:///{path}")
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    bot = PspBot(uow_factory=uow_factory, clock=SystemClock(), settings=BotSettings())
    # The process's first write creates the log and syncs its header: once, before the rest.
    await say(bot, "anna", "flag urgent Borger #housing")
    watchdog = Watchdog()
    await watchdog.start()
    samples = []
    for i in range(flags):
        start = time.perf_counter()
        await say(bot, "anna", f"flag urgent Borger {i} #housing")
        samples.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(0)
    stall = await watchdog.stop()
    await engine.dispose()
    samples.sort()
    p99 = samples[round(0.99 * (len(samples) - 1))]
    figures = {"stall": stall, "p50": statistics.median(samples), "p99": p99, "max": samples[-1]}
    print(json.dumps(figures))


async def slow_disk(tmp: Path, flags: int) -> tuple[str, float]:
    path = tmp / f"slow-disk-{flags}.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    await upgrade(engine)
    await ensure_demo_group(SqlAlchemyUnitOfWorkFactory(engine), SystemClock())
    await engine.dispose()
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return "no C compiler: not measured", 0.0
    library = tmp / "sync_shim.so"
    build = [compiler, "-shared", "-fPIC", "-o", str(library), str(SYNC_SHIM), "-ldl"]
    await (await asyncio.create_subprocess_exec(*build)).wait()
    env = {**os.environ, "LD_PRELOAD": str(library), "SYNC_DELAY_MS": str(SLOW_SYNC_MS)}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--slow-disk-child",
        str(path),
        str(flags),
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    figures = json.loads(out.decode().strip().splitlines()[-1])
    shown = " / ".join(f"{figures[k]:.0f}" for k in ("p50", "p99", "max"))
    latency = f"{shown} ms (p50 / p99 / max)"
    return latency, figures["stall"]


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stall.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        await upgrade(engine)
        uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
        clock = SystemClock()
        bot = PspBot(
            uow_factory=uow_factory, clock=clock, settings=BotSettings(default_locale="en")
        )
        await ensure_demo_group(uow_factory, clock)

        # No contention: the stall the statements themselves cause (they run inline).
        watchdog = Watchdog()
        await watchdog.start()
        samples = []
        for i in range(200):
            start = time.perf_counter()
            await say(bot, "anna", f"flag urgent Borger {i} #housing")
            samples.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0)
        quiet_stall = await watchdog.stop()

        quiet_p50 = statistics.median(samples) / 1000
        rows = [("no other process (200 flags)", quiet_stall, quiet_p50, "")]
        for hold in (3.0, 10.0):
            stall, answered, answer = await held_lock(bot, path, hold)
            rows.append((f"another process holds the lock {hold:.0f} s", stall, answered, answer))
        await engine.dispose()
        slow = [(flags, *await slow_disk(Path(tmp), flags)) for flags in SLOW_DISK_FLAGS]

    print("\n| situation | longest event-loop stall | flag answered after | answer |")
    print("|---|---:|---:|---|")
    for label, stall, answered, answer in rows:
        shown = answered * 1000
        unit = "ms (p50)" if not answer else "ms"
        print(f"| {label} | {stall:.1f} ms | {shown:.0f} {unit} | {answer[:60]} |")
    for flags, latency, stall in slow:
        label = f"every disk sync takes {SLOW_SYNC_MS} ms ({flags} flags)"
        print(f"| {label} | {stall:.1f} ms | {latency} |  |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--slow-disk-child"]:
        asyncio.run(slow_disk_child(Path(sys.argv[2]), int(sys.argv[3])))
    else:
        asyncio.run(main())
