"""SQLite stall benchmark: another process holds the write lock; does the bot freeze?

Run by hand (not part of the tests):  .venv/bin/python benchmarks/sqlite_stall_bench.py

A second process takes SQLite's write lock (`BEGIN IMMEDIATE`) and holds it — 3 s, as an
admin command or a backup might, then 10 s, longer than any command should wait. Meanwhile
the bot gets a `flag`. A watchdog task wakes every millisecond and records the longest gap
(the longest event-loop stall). Printed: the stall, the time until the waiting command
answered, and what it answered. Targets: stall ≤ 50 ms; an answer within 5 s.
"""

from __future__ import annotations

import asyncio
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

    print("\n| situation | longest event-loop stall | flag answered after | answer |")
    print("|---|---:|---:|---|")
    for label, stall, answered, answer in rows:
        shown = answered * 1000
        unit = "ms (p50)" if not answer else "ms"
        print(f"| {label} | {stall:.1f} ms | {shown:.0f} {unit} | {answer[:60]} |")


if __name__ == "__main__":
    asyncio.run(main())
