"""Evaluation report benchmark: a yearly report over 200 groups and 50,000 cases (a steering
group over all of them, every group also apart) and one group's report, each from reading the
record to the finished PDF, on an SQLite file and on PostgreSQL.

Run by hand (not part of the tests):  .venv/bin/python benchmarks/report_bench.py [--quick]

Targets: the 200-group yearly report ≤ 10 s; one group's ≤ 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks import scratch
from bot.domain import (
    Agency,
    Group,
    GroupId,
    GroupKind,
    Platform,
    Tag,
    Urgency,
    format_case_ref,
)
from bot.domain.outcome import Outcome
from bot.evaluation.document import build_document
from bot.evaluation.pdf import render_pdf
from bot.evaluation.period import year_period
from bot.evaluation.reporting import ReportScope, evaluate
from bot.ports.evaluation import SteeringGroup
from bot.scheduling.timing import WorkingHours
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.models import (
    AcknowledgementRow,
    CaseRow,
    DecisionRow,
    EscalationRow,
    GroupRow,
    ResponsibilityRow,
)
from storage.models_evaluation import CaseClosureRow
from storage.uow import SqlAlchemyUnitOfWorkFactory

YEAR = 2026
AGENCIES = (Agency.POLICE, Agency.SOCIAL, Agency.PSYCHIATRY)


async def seed(engine: AsyncEngine, groups: int, cases: int) -> None:
    rnd = random.Random(7)
    start = datetime(YEAR, 1, 1, 7, tzinfo=UTC)
    async with engine.begin() as conn:
        await conn.execute(
            insert(GroupRow),
            [
                {
                    "id": g,
                    "name": f"Gruppe {g}",
                    "kind": GroupKind.PSP.value,
                    "prefix": "PSP",
                    "timezone": "Europe/Copenhagen",
                    "created_at": start,
                }
                for g in range(1, groups + 1)
            ],
        )
        batch: dict[str, list[dict[str, object]]] = {k: [] for k in ("c", "a", "h", "d", "x")}

        async def flush() -> None:
            for key, model in (
                ("c", CaseRow),
                ("a", AcknowledgementRow),
                ("h", ResponsibilityRow),
                ("d", DecisionRow),
                ("x", CaseClosureRow),
            ):
                if batch[key]:
                    await conn.execute(insert(model), batch[key])
                    batch[key] = []

        for case_id in range(1, cases + 1):
            group = (case_id - 1) % groups + 1
            created = start + timedelta(minutes=rnd.randrange(0, 360 * 24 * 60))
            flagger = rnd.choice(AGENCIES)
            responsible = rnd.choice(AGENCIES)
            closed = created + timedelta(days=rnd.randrange(1, 120)) if rnd.random() < 0.6 else None
            urgency = rnd.choice(list(Urgency))
            batch["c"].append(
                {
                    "id": case_id,
                    "group_id": group,
                    "ref": format_case_ref("PSP", YEAR, case_id),
                    "urgency": urgency.value,
                    "urgency_rank": urgency.rank,
                    "summary": "x",
                    "tags": " ".join(t.value for t in rnd.sample(list(Tag), 2)),
                    "status": "closed" if closed else "open",
                    "flagging_agency": flagger.value,
                    "responsible": responsible.value,
                    "created_at": created,
                    "updated_at": closed or created,
                    "closed_at": closed,
                    "version": 1,
                }
            )
            for agency in AGENCIES:
                delay = 0 if agency is flagger else rnd.randrange(5, 600)
                batch["a"].append(
                    {
                        "case_id": case_id,
                        "agency": agency.value,
                        "at": created + timedelta(minutes=delay),
                    }
                )
            batch["h"].append(
                {
                    "case_id": case_id,
                    "agency": responsible.value,
                    "how": "take",
                    "at": created + timedelta(hours=rnd.randrange(1, 72)),
                }
            )
            if case_id % 2 == 0:
                batch["d"].append(
                    {
                        "case_id": case_id,
                        "number": 1,
                        "text": "x",
                        "owner": responsible.value,
                        "due": (created + timedelta(days=14)).date(),
                        "done_at": created + timedelta(days=rnd.randrange(3, 30)),
                        "created_at": created,
                    }
                )
            if closed is not None:
                batch["x"].append(
                    {
                        "case_id": case_id,
                        "group_id": group,
                        "event": "close",
                        "outcome": rnd.choice(list(Outcome)).value,
                        "at": closed,
                    }
                )
            if case_id % 5000 == 0:
                await flush()
        await flush()
        await conn.execute(
            insert(EscalationRow),
            [
                {"group_id": g, "number": n, "text": "x", "at": start + timedelta(days=30 * n)}
                for g in range(1, groups + 1)
                for n in range(1, 4)
            ],
        )


async def measure(engine: AsyncEngine, groups: int) -> tuple[float, float, float, float, int]:
    factory = SqlAlchemyUnitOfWorkFactory(engine)
    period = year_period(YEAR)
    now = datetime(YEAR + 1, 1, 15, 9, tzinfo=UTC)
    hours = WorkingHours()

    async def report(scope: ReportScope) -> int:
        async with factory() as uow:
            evaluation = await evaluate(uow, scope, period, hours=hours, now=now)
        document = build_document(evaluation, locale="da", scope=scope.name, generated_at=now)
        return len(render_pdf(document))

    everyone = tuple(
        Group(GroupId(g), f"Gruppe {g}", GroupKind.PSP, "PSP") for g in range(1, groups + 1)
    )
    steering = SteeringGroup(1, "Kredsen", Platform.CONSOLE, "steer")
    await report(ReportScope("warm-up", everyone[:1], None))  # imports, fonts
    # Wall time, and this process's CPU time (the database server's is not in it): on a
    # loaded machine the second says what the report itself costs.
    began, cpu = time.perf_counter(), time.process_time()
    size = await report(ReportScope("Kredsen", everyone, steering))
    all_groups, all_cpu = time.perf_counter() - began, time.process_time() - cpu
    began, cpu = time.perf_counter(), time.process_time()
    await report(ReportScope(everyone[0].name, everyone[:1], None))
    one_group, one_cpu = time.perf_counter() - began, time.process_time() - cpu
    return all_groups, all_cpu, one_group, one_cpu, size


async def run(url: str, label: str, groups: int, cases: int) -> None:
    engine = make_engine(url)
    await upgrade(engine)
    began = time.perf_counter()
    await seed(engine, groups, cases)
    if not url.startswith("sqlite"):
        # As autovacuum would after a load: the planner needs the tables' statistics.
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
    seeded = time.perf_counter() - began
    all_groups, all_cpu, one_group, one_cpu, size = await measure(engine, groups)
    await engine.dispose()
    print(
        f"| {label} | {groups} groups, {cases:,} cases | {all_groups:.2f} s (CPU {all_cpu:.2f} s,"
        f" {size // 1024} KiB) | {one_group:.2f} s (CPU {one_cpu:.2f} s) | {seeded:.0f} s |"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="20 groups, 5,000 cases")
    args = parser.parse_args()
    groups, cases = (20, 5_000) if args.quick else (200, 50_000)
    print("| database | data | yearly report, all groups (PDF) | one group's report | seeding |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        await run(f"sqlite:///{tmp}/bench.sqlite3", "SQLite", groups, cases)
    # A database of its own, uniquely named and dropped at the end, like every benchmark's.
    async with scratch.scratch_database("report") as url:
        await run(url, "PostgreSQL", groups, cases)


if __name__ == "__main__":
    asyncio.run(main())
