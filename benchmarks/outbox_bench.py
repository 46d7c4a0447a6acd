"""Outbox benchmark: what guaranteed delivery costs per command.

Run by hand (not part of the tests):  .venv/bin/python benchmarks/outbox_bench.py [--quick]

Each command (`flag`, `show`) is timed end to end through `Router.process` (the command's
transaction writes its replies to the outbox; the delivery worker then claims them, hands
them to the sender and marks them delivered) and, in the same run on the same database,
through the direct path psp-bot had before the outbox (the same transaction without the
outbox rows, the replies handed straight to the sender). Paths alternate command by command,
so both see the same machine load. Prints p50/p99 of both, the p50 delta and the ratio, on
an SQLite file and on PostgreSQL (a database of its own, created and dropped here).
Target: the outbox adds at most 2 ms at p50.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Self

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import BotSettings, PspBot
from bot.clock import SystemClock
from bot.demo import ensure_demo_group
from bot.domain import GroupId, Platform
from bot.messages import Incoming, Reply
from bot.ports.delivery import Outgoing, SendResult, Sent
from bot.runtime import Router
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.uow import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


class CountingSender:
    def __init__(self) -> None:
        self.count = 0

    async def send(self, message: Outgoing) -> SendResult:
        self.count += 1
        return Sent()


class NoOutbox:
    """The direct path: the command's transaction writes no outbox rows."""

    async def add(
        self,
        replies: Sequence[Reply],
        *,
        at: object,
        due_at: object = None,
        group_id: GroupId | None = None,
        ledger_key: str | None = None,
        claim_until: object = None,
    ) -> list[object]:
        return []


class DirectUnitOfWork(SqlAlchemyUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.outbox = NoOutbox()  # type: ignore[assignment]
        return self


class DirectFactory(SqlAlchemyUnitOfWorkFactory):
    def __call__(self) -> DirectUnitOfWork:
        return DirectUnitOfWork(self.engine, self.codec)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


async def measure(engine: AsyncEngine, count: int) -> dict[str, dict[str, list[float]]]:
    clock = SystemClock()
    settings = BotSettings(insecure_rooms_allowed=frozenset({Platform.CONSOLE}))
    factory = SqlAlchemyUnitOfWorkFactory(engine)
    await ensure_demo_group(factory, clock)
    router = Router(
        bot=PspBot(uow_factory=factory, clock=clock, settings=settings),
        uow_factory=factory,
        clock=clock,
    )
    router.attach(Platform.CONSOLE, CountingSender())
    direct_bot = PspBot(uow_factory=DirectFactory(engine), clock=clock, settings=settings)
    direct_sender = CountingSender()

    async def via_outbox(text: str) -> None:
        await router.process(Incoming(Platform.CONSOLE, "console", "anna", text, locale="en"))

    async def direct(text: str) -> None:
        replies = await direct_bot.handle(
            Incoming(Platform.CONSOLE, "console", "anna", text, locale="en")
        )
        for reply in replies:
            await direct_sender.send(Outgoing(reply, idempotency_key="direct"))

    paths = {"outbox": via_outbox, "direct": direct}
    results: dict[str, dict[str, list[float]]] = {
        command: {name: [] for name in paths} for command in ("flag", "show")
    }
    # Warm-up: caches, prepared statements, the first case to show.
    for name, path in paths.items():
        for _ in range(20):
            await path("flag normal warm-up case for the benchmark")
            await path("show PSP-2026-0001")
        del name
    for i in range(count):
        order = list(paths.items()) if i % 2 == 0 else list(reversed(paths.items()))
        for command, text in (
            ("flag", f"flag normal benchmark case number {i}"),
            ("show", "show PSP-2026-0001"),
        ):
            for name, path in order:
                start = time.perf_counter()
                await path(text)
                results[command][name].append((time.perf_counter() - start) * 1000)
    return results


def table(database: str, results: dict[str, dict[str, list[float]]]) -> list[str]:
    rows = []
    for command, paths in results.items():
        outbox, direct = paths["outbox"], paths["direct"]
        p50_o, p50_d = statistics.median(outbox), statistics.median(direct)
        rows.append(
            f"| {database} | {command} | {p50_d:.2f} | {p50_o:.2f} | {p50_o - p50_d:+.2f} | "
            f"{p50_o / p50_d:.2f} | {percentile(direct, 99):.2f} | {percentile(outbox, 99):.2f} |"
        )
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    count = 100 if args.quick else 500
    lines = [
        "| database | command | direct p50 ms | outbox p50 ms | Δ p50 ms | ratio | "
        "direct p99 ms | outbox p99 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        await upgrade(engine)
        try:
            lines += table("SQLite", await measure(engine, count))
        finally:
            await engine.dispose()
    if not args.skip_postgres:
        import asyncpg

        name = f"psp_outbox_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_ADMIN.replace("postgresql://", "postgres://"))
        await admin.execute(f"CREATE DATABASE {name}")
        try:
            engine = make_engine(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
            await upgrade(engine)
            try:
                lines += table("PostgreSQL", await measure(engine, count))
            finally:
                await engine.dispose()
        finally:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin.close()
    print(f"Outbox cost per command ({count} samples per path and command, paths interleaved)")
    print("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(main())
