"""Data-protection benchmark: what encryption at rest, the audit chain and key rotation cost.

Run by hand (not part of the tests):  .venv/bin/python benchmarks/protection_bench.py [--quick]

Prints a Markdown table: flag and show p50 without and with AES-256-GCM side by side (target:
≤ 10 % added), `audit verify` over 1,000,000 audit rows in 500 chains (target ≤ 20 s; wall
and the process's CPU time, since the machine may be shared) and `keys rotate` over 100,000
cases, on an SQLite file and, when it is running, PostgreSQL at 127.0.0.1:5432.
`--verify-only` runs the `audit verify` part alone.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks import scratch
from bot.app import BotSettings, PspBot
from bot.clock import SystemClock
from bot.demo import ensure_demo_group
from bot.domain import Platform
from bot.messages import Incoming
from storage.audit_chain import AUDIT, GENESIS, HEADS, canonical, chain_hash
from storage.audit_verify import audit_snapshot, verify_chain
from storage.codec import PlainTextCodec, TextCodec, case_aad
from storage.crypto import AesGcmCodec, Keyring
from storage.engine import make_engine
from storage.keys import check_keyring, reencrypt
from storage.migrate import upgrade
from storage.models import CaseRow, GroupRow
from storage.uow import SqlAlchemyUnitOfWorkFactory

SUMMARY = "Borger truer naboer og har ikke taget sin medicin i tre uger; bor alene #threat"


def keyring(*fills: int) -> Keyring:
    text = " ".join(f"k{n}:{base64.b64encode(bytes([n]) * 32).decode()}" for n in fills)
    return Keyring.parse(text, source="bench")


async def fresh(url: str) -> AsyncEngine:
    if url.startswith("postgresql"):
        await scratch.recreate(url)
    else:
        path = Path(url.removeprefix("sqlite:///"))
        for old in path.parent.glob(path.name + "*"):
            old.unlink()
    engine = make_engine(url)
    await upgrade(engine)
    return engine


async def start_bot(url: str, codec: TextCodec) -> tuple[PspBot, AsyncEngine]:
    engine = await fresh(url)
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine, codec)
    clock = SystemClock()
    if isinstance(codec, AesGcmCodec):
        await check_keyring(engine, codec, at=clock.now())
    await ensure_demo_group(uow_factory, clock)
    bot = PspBot(
        uow_factory=uow_factory,
        clock=clock,
        settings=BotSettings(
            admins=frozenset(),
            default_locale="en",
            insecure_rooms_allowed=frozenset({Platform.CONSOLE}),
        ),
    )
    return bot, engine


async def command_latency(url: str, rounds: int) -> dict[tuple[str, str], float]:
    """Two bots side by side, one plain and one encrypting, each on its own fresh database,
    taking turns command by command: both see the same load from the rest of the machine."""
    bots = {
        "plain": await start_bot(
            url + "_a" if "postgresql" in url else url + ".a", PlainTextCodec()
        ),
        "sealed": await start_bot(
            url + "_b" if "postgresql" in url else url + ".b", AesGcmCodec(keyring(1))
        ),
    }
    year = datetime.now(UTC).year
    samples: dict[tuple[str, str], list[float]] = {
        (variant, kind): [] for variant in bots for kind in ("flag", "show")
    }

    async def timed(variant: str, kind: str, text: str) -> None:
        bot = bots[variant][0]
        start = time.perf_counter()
        replies = await bot.handle(Incoming(Platform.CONSOLE, "console", "anna", text, locale="en"))
        samples[variant, kind].append(time.perf_counter() - start)
        assert replies and replies[0].kind != "error", replies

    for number in range(1, rounds + 1):
        order = ("plain", "sealed") if number % 2 else ("sealed", "plain")
        for variant in order:
            await timed(variant, "flag", f"flag urgent {SUMMARY} {number}")
        for variant in order:
            await timed(variant, "show", f"show PSP-{year}-{number:04d}")
    for _bot, engine in bots.values():
        await engine.dispose()
    return {key: statistics.median(values) * 1000 for key, values in samples.items()}


def codec_cost(repeat: int = 20_000) -> tuple[float, float]:
    """Microseconds to seal and to open one case summary: the whole of what encryption adds
    to a command, per free-text value it writes or reads."""
    codec = AesGcmCodec(keyring(1))
    aad = case_aad(1, "PSP-2026-0001", "summary")
    start = time.perf_counter()
    for _ in range(repeat):
        sealed = codec.seal(SUMMARY, aad=aad)
    seal = (time.perf_counter() - start) / repeat * 1e6
    start = time.perf_counter()
    for _ in range(repeat):
        codec.unseal(sealed, aad=aad)
    return seal, (time.perf_counter() - start) / repeat * 1e6


async def audit_verify(url: str, rows: int, groups: int = 500) -> tuple[float, float, float]:
    """Fill the audit log with `rows` rows over the chains of `groups` groups, then time a
    full verify of every chain: wall seconds, this process's CPU seconds, filling seconds."""
    engine = await fresh(url)
    start_at = datetime(2026, 1, 1, tzinfo=UTC)
    heads: dict[int, tuple[int, str, str]] = {}  # chain -> (length, prev_hash, hash)
    fill_start = time.perf_counter()
    chunk: list[dict[str, Any]] = []
    for number in range(rows):
        group = number % groups + 1
        values = {
            "at": start_at + timedelta(seconds=number),
            "action": "case.read" if number % 3 else "case.flag",
            "actor_member_id": number % 40 + 1,
            "group_id": group,
            "case_id": number // 10 + 1,
            "binding_id": 1,
            "detail": "" if number % 3 else "urgency=urgent",
        }
        length, _, prev = heads.get(group, (0, GENESIS, GENESIS))
        digest = chain_hash(prev, canonical(**values, chain_id=group))  # type: ignore[arg-type]
        chunk.append(values | {"chain_id": group, "prev_hash": prev, "hash": digest})
        heads[group] = (length + 1, prev, digest)
        if len(chunk) == 20_000:
            async with engine.begin() as conn:
                await conn.execute(insert(AUDIT), chunk)
            chunk = []
    async with engine.begin() as conn:
        if chunk:
            await conn.execute(insert(AUDIT), chunk)
        await conn.execute(
            insert(HEADS),
            [
                {"chain_id": c, "length": n, "prev_hash": p, "hash": h}
                for c, (n, p, h) in heads.items()
            ],
        )
    fill = time.perf_counter() - fill_start
    cpu, start = time.process_time(), time.perf_counter()
    async with audit_snapshot(engine) as conn:
        report = await verify_chain(conn)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert report.intact and report.length == rows, report.describe()
    await engine.dispose()
    return elapsed, cpu, fill


async def rotation(url: str, cases: int) -> tuple[float, int]:
    engine = await fresh(url)
    old = AesGcmCodec(keyring(1))
    now = datetime.now(UTC)
    await check_keyring(engine, old, at=now)
    async with engine.begin() as conn:
        await conn.execute(
            insert(GroupRow).values(
                id=1, name="Bench", kind="psp", prefix="PSP", timezone="UTC", created_at=now
            )
        )
    for first in range(0, cases, 10_000):
        batch = []
        for number in range(first + 1, min(first + 10_000, cases) + 1):
            ref = f"PSP-2026-{number:06d}"
            closed = number % 2 == 0
            batch.append(
                {
                    "group_id": 1,
                    "ref": ref,
                    "urgency": "normal",
                    "urgency_rank": 2,
                    "summary": old.seal(f"{SUMMARY} {number}", aad=case_aad(1, ref, "summary")),
                    "tags": "threat",
                    "status": "closed" if closed else "open",
                    "flagging_agency": "police",
                    "resolution": (
                        old.seal("Borger indlagt", aad=case_aad(1, ref, "resolution"))
                        if closed
                        else None
                    ),
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        async with engine.begin() as conn:
            await conn.execute(insert(CaseRow), batch)
    start = time.perf_counter()
    changed, _retired = await reencrypt(engine, AesGcmCodec(keyring(1, 2)), at=now, batch=1000)
    elapsed = time.perf_counter() - start
    await engine.dispose()
    return elapsed, changed


async def encryption_cost(targets: list[tuple[str, str]], rounds: int) -> None:
    print("| database | measure | without encryption | with AES-256-GCM | added |")
    print("|---|---|---|---|---|")
    for name, url in targets:
        p50 = await command_latency(url, rounds)
        for kind in ("flag", "show"):
            plain, sealed = p50["plain", kind], p50["sealed", kind]
            print(
                f"| {name} | {kind} p50 ({rounds} runs) | {plain:.2f} ms | {sealed:.2f} ms "
                f"| {(sealed / plain - 1) * 100:+.1f} % |"
            )
    seal, unseal = codec_cost()
    print(
        f"\nAES-256-GCM per {len(SUMMARY)}-character text: seal {seal:.1f} µs, "
        f"open {unseal:.1f} µs (flag seals 1 text; show opens 1 + one per note/decision)."
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--latency-only", action="store_true", help="skip verify and rotate")
    parser.add_argument("--verify-only", action="store_true", help="only audit verify")
    parser.add_argument("--rounds", type=int, default=None, help="flag+show pairs per run")
    parser.add_argument("--audit-rows", type=int, default=None, help="rows for audit verify")
    parser.add_argument("--groups", type=int, default=500, help="chains for audit verify")
    args = parser.parse_args()
    rounds, audit_rows, cases = (60, 50_000, 5_000) if args.quick else (400, 1_000_000, 100_000)
    rounds, audit_rows = args.rounds or rounds, args.audit_rows or audit_rows
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("SQLite", f"sqlite:///{tmp}/bench.sqlite3")]
        if await scratch.available():
            targets.append(("PostgreSQL", await scratch.create_database("protection")))
        if not args.verify_only:
            await encryption_cost(targets, rounds)
        print(f"\nload average before the audit runs: {os.getloadavg()[0]:.1f}\n")
        print("| database | measure | figure |")
        print("|---|---|---|")
        for name, url in [] if args.latency_only else targets:
            elapsed, cpu, fill = await audit_verify(url, audit_rows, args.groups)
            print(
                f"| {name} | `audit verify` over {audit_rows:,} rows in {args.groups} chains "
                f"(goal ≤ 20 s for 1,000,000) | {elapsed:.1f} s wall, {cpu:.1f} s CPU "
                f"({audit_rows / elapsed:,.0f} rows/s wall, {audit_rows / cpu:,.0f} rows/s "
                f"CPU; load {os.getloadavg()[0]:.1f}; filling took {fill:.0f} s) |"
            )
            if args.verify_only:
                continue
            elapsed, changed = await rotation(url, cases)
            print(
                f"| {name} | `keys rotate` over {cases:,} cases ({changed:,} texts) | "
                f"{elapsed:.1f} s ({changed / elapsed:,.0f} texts/s) |"
            )
        await scratch.drop_all()


if __name__ == "__main__":
    asyncio.run(main())
