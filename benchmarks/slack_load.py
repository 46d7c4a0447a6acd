"""Slack HTTP-mode load benchmark.

Run by hand (not part of the tests):  .venv/bin/python benchmarks/slack_load.py [--quick]

Two processes on loopback. This one plays Slack: it runs the Web API stand-in and sends slash
commands signed exactly as Slack signs them. The second process is psp-bot in HTTP mode (real
aiohttp endpoint, own signature check, slack-bolt, the core on an SQLite file), started with
`--serve`. Measured per request:
  - time-to-ack: from sending the signed request to the HTTP 200 (Slack allows 3 s);
  - end-to-end: from sending to the stand-in receiving the private answer on response_url.
Phases: `show` and `flag` paced at 50 requests/s, then `show` at maximum rate (16 in flight).
Target: p99 time-to-ack ≤ 100 ms at 50 requests/s. Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import aiohttp

    from tests.slack_standin import SlackStandIn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PRIVATE = "GBENCH1"
TEAM = "T0PSP"
SECRET = "bench-signing-secret"


# --- the bot under test (second process) ---------------------------------------------------


async def serve(port: int, api_url: str, database: str) -> None:
    from aiohttp import web

    from adapters.slack import SlackAdapter, make_api
    from adapters.slack.config import SlackConfig
    from adapters.slack.http import make_http_app
    from bot.cli_setup import build_app, open_database
    from bot.config import Settings
    from bot.domain import Platform
    from bot.messages import Incoming

    settings = Settings(
        locale="en",
        admins=frozenset({(Platform.SLACK, "UADMIN")}),
        database_url=f"sqlite:///{database}",
    )
    engine = await open_database(settings)
    router = build_app(settings, engine).router
    config = SlackConfig(
        bot_token="xoxb-bench",
        mode="http",
        signing_secret=SECRET,
        team_allowlist=frozenset({TEAM}),
        api_base_url=api_url,
        locale="en",
        http_port=port,
    )
    adapter = SlackAdapter(config, router, api=make_api(config))
    for user, text in (
        ("UADMIN", "group setup Bench"),
        ("UADMIN", "member add <@UANNA|anna> police rep"),
        ("UADMIN", "member add <@UBO|bo> social rep"),
        ("UANNA", "flag urgent Benchmark case"),
    ):
        await router.process(
            Incoming(
                Platform.SLACK, PRIVATE, user, text, event_id=uuid.uuid4().hex, room_secure=True
            )
        )
    runner = web.AppRunner(make_http_app(adapter), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("READY", flush=True)
    await asyncio.Event().wait()


# --- Slack's side (this process) ---------------------------------------------------------


@dataclass
class Phase:
    name: str
    sent: dict[str, float] = field(default_factory=dict)
    acks: list[float] = field(default_factory=list)
    e2e: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def one(
    session: aiohttp.ClientSession, url: str, standin: SlackStandIn, phase: Phase, text: str
) -> None:
    from tests.slack_standin import command_body, signed_headers

    # Letters only: a run of digits could look like a CPR number to the guard.
    hook = uuid.uuid4().hex.translate(str.maketrans("0123456789", "ghijklmnop"))
    body = command_body(
        text.format(hook=hook),
        user="UANNA",
        channel=PRIVATE,
        response_url=f"{standin.url}/respond/{hook}",
    )
    headers = signed_headers(body, secret=SECRET)
    start = time.perf_counter()
    phase.sent[hook] = start
    try:
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            ok = response.status == 200
    except Exception:
        ok = False
    phase.acks.append(time.perf_counter() - start)
    if not ok:
        phase.errors += 1


async def paced(
    session: aiohttp.ClientSession,
    url: str,
    standin: SlackStandIn,
    phase: Phase,
    text: str,
    rate: float,
    count: int,
) -> None:
    tasks = []
    start = time.perf_counter()
    for i in range(count):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(session, url, standin, phase, text)))
    await asyncio.gather(*tasks)
    phase.elapsed = time.perf_counter() - start


async def flat_out(
    session: aiohttp.ClientSession,
    url: str,
    standin: SlackStandIn,
    phase: Phase,
    text: str,
    seconds: float,
    in_flight: int,
) -> None:
    stop = time.perf_counter() + seconds
    start = time.perf_counter()

    async def worker() -> None:
        while time.perf_counter() < stop:
            await one(session, url, standin, phase, text)

    await asyncio.gather(*(worker() for _ in range(in_flight)))
    phase.elapsed = time.perf_counter() - start


async def settle(standin: SlackStandIn, phase: Phase, limit: float = 60.0) -> None:
    """Wait for the answers, then turn arrival times into end-to-end latencies."""
    received = standin.received_at
    if phase.name.startswith("flag"):
        # A flag is answered by the alert in the channel, which carries the request's id.
        await standin.wait_for(lambda s: len(s.posted_at) >= len(phase.sent), limit)
        for at, text in standin.posted_at:
            for hook in phase.sent:
                if hook in text:
                    received.setdefault(hook, at)
    # Missing answers are counted as errors below.
    with contextlib.suppress(TimeoutError):
        await standin.wait_for(lambda s: all(h in s.received_at for h in phase.sent), limit)
    phase.e2e = [received[h] - t for h, t in phase.sent.items() if h in received]
    phase.errors += sum(1 for h in phase.sent if h not in received)


async def main(quick: bool) -> None:
    import aiohttp

    from tests.slack_standin import SlackStandIn

    standin = SlackStandIn(private_channels={PRIVATE})
    await standin.start()
    with tempfile.TemporaryDirectory() as tmp:
        port = 39000 + os.getpid() % 1000
        bot = await asyncio.create_subprocess_exec(
            *[
                sys.executable,
                __file__,
                "--serve",
                "--port",
                str(port),
                "--api",
                standin.api_url,
                "--db",
                str(Path(tmp) / "bench.sqlite3"),
            ],
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert bot.stdout is not None
            line = await asyncio.wait_for(bot.stdout.readline(), 60)
            if line.strip() != b"READY":
                raise SystemExit("the bot process did not start")
            url = f"http://127.0.0.1:{port}/slack/events"
            count = 150 if quick else 500
            phases = []
            async with aiohttp.ClientSession() as session:
                await paced(session, url, standin, Phase("warm-up"), "show PSP-2026-0001", 20, 20)
                for name, text in (
                    ("show @ 50/s", "show PSP-2026-0001"),
                    ("flag @ 50/s", "flag normal Load test case {hook}"),
                ):
                    phase = Phase(name)
                    await paced(session, url, standin, phase, text, 50.0, count)
                    await settle(standin, phase)
                    phases.append(phase)
                phase = Phase("show, 16 in flight")
                await flat_out(
                    session, url, standin, phase, "show PSP-2026-0001", 3.0 if quick else 10.0, 16
                )
                await settle(standin, phase)
                phases.append(phase)
        finally:
            bot.terminate()
            await bot.wait()
            await standin.stop()
    print(
        f"\nSlack HTTP mode on loopback, 2 processes, SQLite; python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores\n"
    )
    print(
        "| phase | requests | acked/s | ack p50 | ack p99 | end-to-end p50 | end-to-end p99 "
        "| errors |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for p in phases:
        print(
            f"| {p.name} | {len(p.acks)} | {len(p.acks) / p.elapsed:.1f} | "
            f"{pct(p.acks, 0.5):.1f} ms | {pct(p.acks, 0.99):.1f} ms | "
            f"{pct(p.e2e, 0.5):.1f} ms | {pct(p.e2e, 0.99):.1f} ms | {p.errors} |"
        )
    mean = statistics.mean(phases[0].acks) * 1000
    print(f"\nmean time-to-ack at 50/s (show): {mean:.1f} ms; Slack's limit is 3000 ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api", default="")
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.port, args.api, args.db))
    else:
        asyncio.run(main(args.quick))
