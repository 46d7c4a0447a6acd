"""Matrix round-trip latency: psp-bot against a minimal matrix-nio echo bot.

Starts a throwaway Synapse (tests/synapse.py), runs psp-bot (`psp-bot run`) and an echo bot as
their own processes, and measures, from a user's real matrix-nio client, the time from sending
`!psp flag …` until the bot's alert arrives, N times per room kind (plain and encrypted). The
echo bot's round trip is the floor the homeserver sets.

    .venv/bin/python benchmarks/matrix_latency.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nio import (  # noqa: E402
    AsyncClient,
    AsyncClientConfig,
    MatrixRoom,
    RoomMessageNotice,
    RoomMessageText,
)

PICKLE_KEY = "benchmark-pickle-key-0123456789"


async def echo_bot(url: str, user_id: str, password: str, store: str) -> None:
    """The floor: answer `!echo x` with an m.notice `x`, nothing else."""
    client = AsyncClient(
        url,
        user_id,
        store_path=store,
        config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
    )
    await client.login(password, device_name="echo")
    await client.keys_upload()
    first = await client.sync(timeout=0, full_state=True)
    for room_id in first.rooms.invite:
        await client.join(room_id)

    async def on_message(room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender != client.user_id and event.body.startswith("!echo "):
            await client.room_send(
                room.room_id,
                "m.room.message",
                {"msgtype": "m.notice", "body": event.body[6:]},
                ignore_unverified_devices=True,
            )

    async def on_invite(room: MatrixRoom, event: Any) -> None:
        await client.join(room.room_id)

    from nio import InviteMemberEvent

    client.add_event_callback(on_message, RoomMessageText)
    client.add_event_callback(on_invite, InviteMemberEvent)
    await client.sync_forever(timeout=30000)


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A bot in its own process (started before the measuring loop runs)."""
    with log.open("ab") as stderr:
        return subprocess.Popen(
            [sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class Probe:
    """The measuring user: sends and waits for the answering notice by its marker."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.arrived: dict[str, float] = {}
        self._changed = asyncio.Event()
        user.client.add_event_callback(self._on_notice, RoomMessageNotice)

    async def _on_notice(self, room: MatrixRoom, event: RoomMessageNotice) -> None:
        for word in event.body.replace("\n", " ").split():
            if word.startswith("mark"):
                self.arrived.setdefault(word.strip(".,:;"), time.perf_counter())
                self._changed.set()

    async def round_trip(self, room_id: str, text: str, marker: str) -> float:
        start = time.perf_counter()
        await self.user.say(room_id, text)
        while marker not in self.arrived:
            self._changed.clear()
            await asyncio.wait_for(self._changed.wait(), 60)
        return (self.arrived[marker] - start) * 1000


async def main(rounds: int) -> None:
    from tests.matrix_support import MatrixUser
    from tests.synapse import Synapse

    workdir = Path(tempfile.mkdtemp(prefix="psp-matrix-bench-"))
    synapse = Synapse(workdir / "synapse")
    synapse.start()
    print(f"Synapse answered {synapse.startup_seconds:.2f} s after launch")
    processes: list[subprocess.Popen[bytes]] = []
    users: list[MatrixUser] = []
    try:
        bot_id, bot_password, _ = synapse.register("pspbot")
        echo_id, echo_password, _ = synapse.register("echobot")
        config = workdir / "config.toml"
        config.write_text(
            f"""
[bot]
locale = "en"
log_level = "{os.environ.get("PSP_BENCH_LOG_LEVEL", "WARNING")}"
admins = ["matrix:@admin:{synapse.server_name}"]
data_dir = "{workdir / "data"}"

[matrix]
homeserver = "{synapse.url}"
user_id = "{bot_id}"
store_dir = "{workdir / "bot-store"}"
invite_allowlist_servers = ["{synapse.server_name}"]
allow_unencrypted_rooms = true
""",
            encoding="utf-8",
        )
        env = dict(os.environ, PSP_BOT_MATRIX_PASSWORD=bot_password)
        env["PSP_BOT_MATRIX_PICKLE_KEY"] = PICKLE_KEY
        log = workdir / "bot.log"
        processes.append(spawn(["-m", "bot.cli", "--config", str(config), "run"], env, log))
        echo_args = [synapse.url, echo_id, echo_password, str(workdir / "echo-store")]
        processes.append(spawn([__file__, "--echo-bot", *echo_args], dict(os.environ), log))
        admin = await MatrixUser(synapse, "admin", workdir / "admin").start()
        anna = await MatrixUser(synapse, "anna", workdir / "anna").start()
        bo = await MatrixUser(synapse, "bo", workdir / "bo").start()
        users.extend([admin, anna, bo])
        probe = Probe(anna)
        results: dict[tuple[str, str], list[float]] = {}
        for kind, encrypted in (("plain", False), ("encrypted", True)):
            room = await admin.create_room(
                encrypted=encrypted, invite=[bot_id, echo_id, anna.user_id, bo.user_id]
            )
            for person in (anna, bo):
                await person.join(room)
            for member in (bot_id, echo_id, anna.user_id, bo.user_id):
                await admin.wait_joined(room, member, wait_s=60)
                await anna.wait_joined(room, member, wait_s=60)
            await admin.ask(bot_id, room, f"!psp group setup Bench{kind}", wait_s=60)
            await admin.ask(bot_id, room, f"!psp member add {anna.user_id} police rep")
            await admin.ask(bot_id, room, f"!psp member add {bo.user_id} social rep")
            for i in range(5):  # warm up both paths (sessions, caches)
                await probe.round_trip(room, f"!psp flag normal mark{kind}w{i}", f"mark{kind}w{i}")
                await probe.round_trip(room, f"!echo mark{kind}e{i}", f"mark{kind}e{i}")
            psp, echo = [], []
            for i in range(rounds):
                psp.append(
                    await probe.round_trip(
                        room, f"!psp flag normal mark{kind}p{i}", f"mark{kind}p{i}"
                    )
                )
                echo.append(
                    await probe.round_trip(room, f"!echo mark{kind}x{i}", f"mark{kind}x{i}")
                )
            results[(kind, "psp-bot")] = psp
            results[(kind, "echo bot")] = echo
        print(f"\n{rounds} round trips per row (user sends -> user's client has the answer), ms")
        print("| room | bot | p50 | p99 | mean |")
        print("|---|---|---:|---:|---:|")
        for (kind, bot), values in results.items():
            print(
                f"| {kind} | {bot} | {statistics.median(values):.1f} | "
                f"{percentile(values, 99):.1f} | {statistics.fmean(values):.1f} |"
            )
        for kind in ("plain", "encrypted"):
            p, e = results[(kind, "psp-bot")], results[(kind, "echo bot")]
            print(
                f"{kind}: p50 gap {statistics.median(p) - statistics.median(e):+.1f} ms, "
                f"p99 gap {percentile(p, 99) - percentile(e, 99):+.1f} ms"
            )
    finally:
        for user in users:
            await user.stop()
        for process in processes:
            process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
            if process.poll() is None:
                process.kill()
        synapse.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--echo-bot", nargs=4, metavar=("URL", "USER", "PASSWORD", "STORE"))
    args = parser.parse_args()
    if args.echo_bot:
        Path(args.echo_bot[3]).mkdir(parents=True, exist_ok=True)
        asyncio.run(echo_bot(*args.echo_bot))
    else:
        asyncio.run(main(args.rounds))
