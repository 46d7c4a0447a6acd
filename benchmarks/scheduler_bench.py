"""Scheduler benchmark: one tick of due work with a large database, and how late reminders
are sent in a real-time run. SQLite file and PostgreSQL.

Run by hand (not part of the tests):  .venv/bin/python benchmarks/scheduler_bench.py [--quick]

Database: 500 groups, 5,000 meetings (weekly/fortnightly/monthly series), 20,000 open
decisions with due dates from a month ago to two months ahead, 2,000 acute cases flagged in
the last ten minutes that no other agency has acknowledged.

1. Tick: the time SchedulerTick.run() takes (find due meetings, escalation watches and
   follow-ups, send what is due to a null chat, compute the next wake-up). The first tick
   of a process also discovers all 2,000 acute cases (reported separately); the figures
   are steady-state ticks on the fake clock moved 1 s per tick. Target ≤ 50 ms.
2. Real time: the SchedulerService (APScheduler, tick_seconds=5, woken at the next due
   instant) on the real clock; 60 meetings whose 1-minute reminders fall due on the next
   three whole minutes (20 at each; starts are whole minutes, as users type them). Lateness =
   when the reminder reached the chat sender minus its due instant. Target p99 ≤ 2 s.
   The data set's own acute cases are acknowledged first, so that nothing else is due.
   Then again while 2,000 escalations fall due at the same instants as the reminders
   (1,000 acute cases, two agencies each not acknowledged, flagged 15 minutes before):
   the time-boxed tick sends the reminders first and drains the escalations over the
   following ticks. Same target.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks import scratch
from bot.clock import FakeClock, SystemClock
from bot.delivery import DeliveryWorker
from bot.domain import GroupId, Platform
from bot.messages import Reply
from bot.ports import Clock
from bot.ports.delivery import Outgoing, SendResult, Sent
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.planner import plan_meeting
from bot.scheduling.service import SchedulerService
from bot.scheduling.tick import Deliver, SchedulerTick
from bot.scheduling.timing import WorkingHours, to_instant, to_local
from storage.engine import make_engine
from storage.leader import SingleProcessLeader
from storage.migrate import upgrade
from storage.models import (
    AcknowledgementRow,
    CaseRow,
    DecisionRow,
    GroupRow,
    MemberRow,
    RoomBindingRow,
)
from storage.models_scheduling import MeetingRow
from storage.uow import SqlAlchemyUnitOfWorkFactory

TZ = "Europe/Copenhagen"


def table(model: Any) -> Table:
    result: Table = model.__table__
    return result


def percentile(samples: Sequence[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


async def chunked(conn: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 2000):
        await conn.execute(insert(table(model)), rows[start : start + 2000])


async def seed(engine: AsyncEngine, now: datetime, scale: float) -> None:
    groups = int(500 * scale)
    rnd = random.Random(7)
    async with engine.begin() as conn:
        await chunked(
            conn,
            GroupRow,
            [
                {
                    "id": g,
                    "name": f"G{g}",
                    "kind": "psp",
                    "prefix": "PSP",
                    "timezone": TZ,
                    "created_at": now,
                }
                for g in range(1, groups + 1)
            ],
        )
        await chunked(
            conn,
            RoomBindingRow,
            [
                {
                    "group_id": g,
                    "platform": "console",
                    "room_id": f"room-{g}",
                    "detail": "full",
                    "purpose": "operative",
                }
                for g in range(1, groups + 1)
            ],
        )
        members = []
        for g in range(1, groups + 1):
            for user, agency, role in (
                ("p", "police", "rep"),
                ("pd", "police", "deputy"),
                ("s", "social", "rep"),
                ("y", "psychiatry", "rep"),
                ("l", "social", "lead"),
            ):
                members.append(
                    {
                        "group_id": g,
                        "platform": "console",
                        "user_id": f"{user}{g}",
                        "display_name": f"{user}{g}",
                        "agency": agency,
                        "role": role,
                        "active": True,
                    }
                )
        await chunked(conn, MemberRow, members)
        # 2,000 acute cases (4 per group), flagged by the police in the last ten minutes;
        # plus 8,000 normal cases that carry the decisions.
        cases, acks, case_id = [], [], 0
        for g in range(1, groups + 1):
            for n in range(20):
                case_id += 1
                acute = n < 4
                created = now - timedelta(
                    seconds=rnd.randint(0, 600) if acute else rnd.randint(86400, 200 * 86400)
                )
                cases.append(
                    {
                        "id": case_id,
                        "group_id": g,
                        "ref": f"PSP-2026-{n + 1:04d}",
                        "urgency": "acute" if acute else "normal",
                        "urgency_rank": 0 if acute else 2,
                        "summary": "borger i risiko",
                        "tags": "",
                        "status": "open",
                        "flagging_agency": "police",
                        "created_at": created,
                        "updated_at": created,
                        "version": 1,
                    }
                )
                acks.append({"case_id": case_id, "agency": "police", "at": created})
        await chunked(conn, CaseRow, cases)
        await chunked(conn, AcknowledgementRow, acks)
        decisions = []
        for case in cases:
            if case["urgency"] == "acute":
                continue
            for number in (1, 2, 3) if len(decisions) % 4 == 0 else (1, 2):
                if len(decisions) >= 20000 * scale:
                    break
                due = (now + timedelta(days=rnd.randint(-30, 60))).date()
                decisions.append(
                    {
                        "case_id": case["id"],
                        "number": number,
                        "text": "hjemmebesøg",
                        "owner": "social",
                        "due": due,
                        "fallback": "politiet kører forbi" if number == 1 else None,
                        "fallback_owner": "police" if number == 1 else None,
                        "created_at": now - timedelta(days=40),
                    }
                )
        await chunked(conn, DecisionRow, decisions)
        meetings = []
        rules = ("FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2", None)
        for g in range(1, groups + 1):
            for number in range(1, 11):
                start = to_local(now, TZ).replace(second=0, microsecond=0) + timedelta(
                    days=rnd.randint(1, 30), hours=rnd.randint(-6, 6)
                )
                rule = rules[number % 3]
                if rule is None:
                    rule = (
                        f"FREQ=MONTHLY;BYDAY=+{(start.day - 1) // 7 + 1}"
                        + ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[start.weekday()]
                    )
                    if (start.day - 1) // 7 + 1 == 5:
                        rule = rule.replace("+5", "-1")
                meetings.append(
                    {
                        "group_id": g,
                        "number": number,
                        "start_local": start.strftime("%Y-%m-%dT%H:%M"),
                        "timezone": TZ,
                        "duration_minutes": 120,
                        "rule": rule,
                        "theme": None,
                        "remind": "604800,86400,3600",
                        "exdates": "",
                        "sequence": 0,
                        "cancelled": False,
                        "next_due_at": None,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        await chunked(conn, MeetingRow, meetings)
    # Each meeting's next due instant, as `meeting schedule` would have stored it.
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    config = SchedulerConfig()
    async with uow_factory() as uow:
        ids = (await uow.connection.execute(select(table(MeetingRow).c.id))).scalars().all()
        for meeting_id in ids:
            meeting = await uow.meetings.by_id(meeting_id)
            assert meeting is not None
            plan = plan_meeting(meeting, now=now, known=set(), config=config)
            await uow.meetings.set_next_due(meeting_id, plan.next_at)
        await uow.commit()


class ChatSink:
    """The chat platform: takes every message the delivery worker sends it."""

    def __init__(self, on_reply: Callable[[Reply], None]) -> None:
        self._on_reply = on_reply

    async def send(self, message: Outgoing) -> SendResult:
        self._on_reply(message.reply)
        return Sent()


def delivering(
    uow_factory: SqlAlchemyUnitOfWorkFactory, clock: Clock, on_reply: Callable[[Reply], None]
) -> Deliver:
    """What the scheduler hands its outbox rows to: the delivery worker, as in the bot."""
    worker = DeliveryWorker(uow_factory=uow_factory, clock=clock, locale="da")
    worker.attach(Platform.CONSOLE, ChatSink(on_reply))
    return worker.deliver_rooms


async def tick_figures(engine: AsyncEngine, now: datetime, ticks: int) -> dict[str, float]:
    clock = FakeClock(now)
    sent = 0

    def count(reply: Reply) -> None:
        nonlocal sent
        sent += 1

    uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    tick = SchedulerTick(
        uow_factory=uow_factory,
        clock=clock,
        config=SchedulerConfig(),
        deliver=delivering(uow_factory, clock, count),
        locale="da",
    )
    started = time.perf_counter()
    await tick.run()  # discovers the 2,000 acute cases, sends the 500 daily follow-ups
    figures = {"first": (time.perf_counter() - started) * 1000, "first_sent": float(sent)}
    # The other groups' follow-ups go out over the next ticks (10 a tick); let them.
    drained = 0
    while True:
        before = sent
        clock.advance(timedelta(milliseconds=10))
        began = time.perf_counter()
        await tick.run()
        drained += 1
        figures["followup_tick"] = max(
            figures.get("followup_tick", 0.0), (time.perf_counter() - began) * 1000
        )
        if sent == before:
            break
    figures["drain_ticks"] = float(drained)
    # Idle: nothing due. Busy: 15 minutes after the flags, when escalations fall due
    # (2,000 cases flagged over ten minutes, two agencies each: ~7 posts a second).
    for phase, start in (
        ("idle", now + timedelta(seconds=1)),
        ("busy", now + timedelta(minutes=5)),
    ):
        clock.set(start)
        sent = 0
        samples, computing = [], []
        for _ in range(ticks):
            clock.advance(timedelta(seconds=1))
            began = time.perf_counter()
            report = await tick.run()
            total = (time.perf_counter() - began) * 1000
            samples.append(total)
            computing.append(total - report.sending_seconds * 1000)
        figures[f"{phase}_p50"] = statistics.median(samples)
        figures[f"{phase}_p95"] = percentile(samples, 95)
        figures[f"{phase}_max"] = max(samples)
        figures[f"{phase}_compute_p95"] = percentile(computing, 95)
        figures[f"{phase}_sent"] = float(sent)
    return figures


async def due_escalations(
    engine: AsyncEngine, first_due: datetime, count: int, groups: int
) -> None:
    """`count` escalations falling due on the three whole minutes from `first_due`: acute
    cases flagged by the police 15 minutes before, which neither social services nor
    psychiatry has acknowledged (two escalations each)."""
    async with engine.begin() as conn:
        last = (await conn.execute(select(func.max(table(CaseRow).c.id)))).scalar() or 0
        cases, acks = [], []
        for index in range(count // 2):
            case_id = last + 1 + index
            flagged = first_due + timedelta(minutes=index % 3) - timedelta(minutes=15)
            cases.append(
                {
                    "id": case_id,
                    "group_id": 1 + index % groups,
                    "ref": f"PSP-2026-E{index:05d}",
                    "urgency": "acute",
                    "urgency_rank": 0,
                    "summary": "borger i risiko",
                    "tags": "",
                    "status": "open",
                    "flagging_agency": "police",
                    "created_at": flagged,
                    "updated_at": flagged,
                    "version": 1,
                }
            )
            acks.append({"case_id": case_id, "agency": "police", "at": flagged})
        await chunked(conn, CaseRow, cases)
        await chunked(conn, AcknowledgementRow, acks)


async def acknowledge_seeded(engine: AsyncEngine, at: datetime) -> None:
    """Social services and psychiatry acknowledge the data set's acute cases. They were
    flagged ten minutes before the data set's (fake) now, days before the real clock's: left
    as they are, their 4,000 escalations would all be overdue in the first real-time run,
    which is to measure the reminders with nothing else due."""
    cases = table(CaseRow)
    async with engine.begin() as conn:
        acute = (
            (await conn.execute(select(cases.c.id).where(cases.c.urgency == "acute")))
            .scalars()
            .all()
        )
        acks = [
            {"case_id": case_id, "agency": agency, "at": at}
            for case_id in acute
            for agency in ("social", "psychiatry")
        ]
        await chunked(conn, AcknowledgementRow, acks)


async def realtime_figures(
    engine: AsyncEngine, meetings: int, *, escalations: int = 0, groups: int = 500
) -> dict[str, float]:
    clock = SystemClock()
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    now = clock.now()
    # Reminders due on the next three whole minutes at least 20 s away.
    first_due = (now + timedelta(seconds=80)).replace(second=0, microsecond=0)
    if escalations:
        await due_escalations(engine, first_due, escalations, groups)
    escalated = 0
    due_at: dict[str, datetime] = {}
    async with uow_factory() as uow:
        for index in range(meetings):
            due = first_due + timedelta(minutes=index % 3)
            start = to_local(due + timedelta(minutes=1), TZ)
            meeting = await uow.meetings.add(
                group_id=GroupId(1 + index % groups),
                start_local=start,
                timezone=TZ,
                duration_minutes=60,
                rule=None,
                theme=None,
                remind=(60,),
                created_by=None,
                at=now,
            )
            assert to_instant(start, TZ) - timedelta(minutes=1) == due
            await uow.meetings.set_next_due(meeting.id, due)
            due_at[f"{meeting.id}:{start:%Y-%m-%dT%H:%M}"] = due
        await uow.commit()
    lateness: list[float] = []
    all_sent = asyncio.Event()

    def arrived(reply: Reply) -> None:
        nonlocal escalated
        at = datetime.now(UTC)
        if reply.message_key and reply.message_key.startswith("sched:escalation:"):
            escalated += 1
        if reply.message_key and reply.message_key.startswith("sched:reminder:"):
            # sched:reminder:<meeting id>:<YYYY-MM-DDTHH:MM>:<offset>
            rest = reply.message_key.split(":", 2)[2]
            key = rest.rsplit(":", 1)[0]
            if key in due_at:
                lateness.append((at - due_at.pop(key)).total_seconds())
        if not due_at:
            all_sent.set()

    service = SchedulerService.build(
        uow_factory=uow_factory,
        clock=clock,
        deliver=delivering(uow_factory, clock, arrived),
        leader=SingleProcessLeader(),
        config=SchedulerConfig(tick_seconds=5, hours=WorkingHours(days=frozenset())),
        locale="da",
    )
    task = asyncio.create_task(service.run())
    wait = (first_due + timedelta(minutes=3) - now).total_seconds() + 20
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_sent.wait(), timeout=wait)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return {
        "count": float(len(lateness)),
        "missing": float(len(due_at)),
        "p50": statistics.median(lateness) if lateness else float("nan"),
        "p99": percentile(lateness, 99) if lateness else float("nan"),
        "max": max(lateness) if lateness else float("nan"),
        "escalated": float(escalated),
    }


async def run(label: str, url: str, args: argparse.Namespace) -> list[str]:
    engine = make_engine(url)
    await upgrade(engine)
    # A Wednesday at 10:00 in Copenhagen, after the daily follow-up time: the first tick
    # carries the follow-up of every group.
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    started = time.perf_counter()
    await seed(engine, now, 0.1 if args.quick else 1.0)
    seeded = time.perf_counter() - started
    ticks = await tick_figures(engine, now, 10 if args.quick else 50)
    rows = [
        f"| {label} | first tick of a process (discovers 2,000 acute cases, "
        f"{int(ticks['first_sent'])} follow-up posts) | {ticks['first']:.0f} ms |",
        f"| {label} | slowest of the {int(ticks['drain_ticks'])} ticks sending the other "
        f"groups' daily follow-ups (10 a tick) | {ticks['followup_tick']:.0f} ms |",
    ]
    for phase in ("idle", "busy"):
        rows.append(
            f"| {label} | tick p50 / p95 / max, {phase} ({int(ticks[phase + '_sent'])} posts) | "
            f"{ticks[phase + '_p50']:.1f} / {ticks[phase + '_p95']:.1f} / "
            f"{ticks[phase + '_max']:.1f} ms (finding what is due: p95 "
            f"{ticks[phase + '_compute_p95']:.1f} ms) |"
        )
    if not args.no_realtime:
        groups = int(500 * (0.1 if args.quick else 1.0))
        meetings = 15 if args.quick else 60
        await acknowledge_seeded(engine, now)
        for escalations in (0, args.escalations):
            late = await realtime_figures(engine, meetings, escalations=escalations, groups=groups)
            due = (
                f"{escalations} more escalations due at the same instants, " if escalations else ""
            )
            load = f"; {due}{int(late['escalated'])} escalation posts in the run"
            rows.append(
                f"| {label} | reminder lateness p50 / p99 / max ({int(late['count'])} sent, "
                f"{int(late['missing'])} missing{load}) | {late['p50']:.2f} / "
                f"{late['p99']:.2f} / {late['max']:.2f} s (goal: p99 ≤ 2 s) |"
            )
    print(f"({label}: seeded in {seeded:.1f} s)", file=sys.stderr)
    await engine.dispose()
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a tenth of the data")
    parser.add_argument("--no-realtime", action="store_true")
    parser.add_argument(
        "--escalations", type=int, default=2000, help="due with the reminders in the second run"
    )
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    rows = ["| database | measure | value |", "|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "sqlite"):
            rows += await run("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args)
        if args.only in (None, "postgresql"):
            async with scratch.scratch_database("scheduler") as url:
                rows += await run("PostgreSQL", url, args)
    print("\n".join(rows))


if __name__ == "__main__":
    asyncio.run(main())
