"""Core benchmark: the bot in-process on an SQLite file and on PostgreSQL.

Run by hand (not part of the tests):  .venv/bin/python benchmarks/core_bench.py [--quick]

Prints per-command p50/p99 latency (flag, ack, assign, decide, show, list), mixed throughput
in one process, `list open` with 100,000 cases in the database, and peak RSS, as a Markdown
table for the README. Targets (2 cores): flag p50 ≤ 3 ms and p99 ≤ 15 ms; ≥ 300 mixed
commands/s on SQLite; `list open` p99 ≤ 20 ms with 100k cases; RSS ≤ 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select

from bot.app import BotSettings, PspBot
from bot.clock import SystemClock
from bot.demo import ensure_demo_group
from bot.domain import Platform, Urgency, format_case_ref
from bot.messages import Incoming
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.models import CaseRow, CaseSequenceRow, GroupRow
from storage.uow import SqlAlchemyUnitOfWorkFactory

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_DB = "psp_core_bench"


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


class Driver:
    def __init__(self, bot: PspBot) -> None:
        self.bot = bot
        self.year = datetime.now(UTC).year

    async def say(self, user: str, text: str) -> None:
        replies = await self.bot.handle(
            Incoming(Platform.CONSOLE, "console", user, text, locale="en")
        )
        if not replies:
            raise RuntimeError("no reply")

    def ref(self, number: int) -> str:
        return format_case_ref("PSP", self.year, number)


async def timed(count: int, step: Callable[[int], Awaitable[None]]) -> list[float]:
    samples = []
    for i in range(count):
        start = time.perf_counter()
        await step(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def bulk_cases(engine: object, count: int, start_number: int) -> None:
    """Load `count` open cases straight into the tables (as years of use would)."""
    from sqlalchemy.ext.asyncio import AsyncEngine

    assert isinstance(engine, AsyncEngine)
    now = datetime.now(UTC)
    year = now.year
    async with engine.begin() as conn:
        group_id = (
            await conn.execute(select(GroupRow.id).where(GroupRow.name == "Demo"))
        ).scalar_one()
        rows = []
        urgencies = list(Urgency)
        for i in range(count):
            urgency = urgencies[i % 3]
            ref = format_case_ref("PSP", year, start_number + i)
            rows.append(
                {
                    "group_id": group_id,
                    "ref": ref,
                    "urgency": urgency.value,
                    "urgency_rank": urgency.rank,
                    "summary": f"Sag nummer {i} om en borger i risiko",
                    "tags": "housing",
                    "status": "open" if i % 4 else "closed",
                    "flagging_agency": "police",
                    "created_at": now - timedelta(minutes=count - i),
                    "updated_at": now,
                    "version": 1,
                }
            )
            if len(rows) == 5000:
                await conn.execute(insert(CaseRow), rows)
                rows = []
        if rows:
            await conn.execute(insert(CaseRow), rows)
        await conn.execute(
            CaseSequenceRow.__table__.update()
            .where(CaseSequenceRow.group_id == group_id)
            .values(last=start_number + count)
        )


async def run_database(
    label: str, url: str, n: int, big: int, mixed_seconds: float
) -> dict[str, str]:
    engine = make_engine(url)
    await upgrade(engine)
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    clock = SystemClock()
    bot = PspBot(uow_factory=uow_factory, clock=clock, settings=BotSettings(default_locale="en"))
    await ensure_demo_group(uow_factory, clock)
    d = Driver(bot)
    results: dict[str, list[float]] = {}
    # Warm-up: connection pool, statement caches.
    for _ in range(20):
        await d.say("anna", "list")
    results["flag"] = await timed(
        n, lambda i: d.say("anna", f"flag acute Borger {i} truer #threat")
    )
    results["ack"] = await timed(n, lambda i: d.say("bo", f"ack {d.ref(i + 1)}"))
    results["assign"] = await timed(n, lambda i: d.say("anna", f"assign {d.ref(i + 1)} psychiatry"))
    results["decide"] = await timed(
        n, lambda i: d.say("carl", f"decide {d.ref(i + 1)} 'Besøg i morgen' --fallback 'Politi'")
    )
    results["show"] = await timed(n, lambda i: d.say("bo", f"show {d.ref(i + 1)}"))
    results[f"list open ({n} cases)"] = await timed(n, lambda i: d.say("bo", "list"))

    # Mixed traffic in one process: what a busy group does between meetings.
    rng = random.Random(7)
    done = 0
    deadline = time.perf_counter() + mixed_seconds
    next_number = n + 1
    while time.perf_counter() < deadline:
        roll = rng.random()
        ref = d.ref(rng.randint(1, n))
        if roll < 0.15:
            await d.say("anna", f"flag urgent Borger {done} #housing")
            next_number += 1
        elif roll < 0.35:
            await d.say("carl", f"ack {ref}")
        elif roll < 0.55:
            await d.say("bo", f"show {ref}")
        elif roll < 0.70:
            await d.say("bo", "list")
        elif roll < 0.85:
            await d.say("carl", f"note {ref} 'Ringede til borger'")
        else:
            await d.say("anna", f"decide {ref} 'Opfølgning' --owner police")
        done += 1
    throughput = done / mixed_seconds

    await bulk_cases(engine, big, next_number + 10)
    list_big = await timed(200, lambda i: d.say("bo", "list open"))
    await engine.dispose()

    rows = {}
    for name, samples in results.items():
        rows[name] = f"{statistics.median(samples):.2f} / {percentile(samples, 99):.2f}"
    rows[f"list open, {big:,} cases in the database"] = (
        f"{statistics.median(list_big):.2f} / {percentile(list_big, 99):.2f}"
    )
    rows["mixed commands/s (one process)"] = f"{throughput:.0f}"
    print(f"  {label}: done", file=sys.stderr)
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small run to check the script")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    n, big, mixed = (50, 5_000, 2.0) if args.quick else (500, 100_000, 10.0)
    columns: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        columns["SQLite"] = await run_database(
            "SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", n, big, mixed
        )
    if not args.skip_postgres:
        import asyncpg

        admin = await asyncpg.connect(PG_ADMIN.replace("postgresql://", "postgres://"))
        await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {BENCH_DB}")
        try:
            columns["PostgreSQL"] = await run_database(
                "PostgreSQL",
                PG_ADMIN.rsplit("/", 1)[0] + f"/{BENCH_DB}",
                n,
                big,
                mixed,
            )
        finally:
            await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            await admin.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    names = list(next(iter(columns.values())))
    print(f"\n{n} commands each; latency in ms as p50 / p99\n")
    print("| measure | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for name in names:
        print(f"| {name} | " + " | ".join(col[name] for col in columns.values()) + " |")
    print(f"| peak RSS (whole run) | {rss_mb:.0f} MB |" + (" |" if len(columns) > 1 else ""))


if __name__ == "__main__":
    asyncio.run(main())
