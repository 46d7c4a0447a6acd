"""Instructions a mixed command costs the bot's process, counted by valgrind: the same figure
in a fast or a slow moment of a shared machine, where wall-clock and CPU time per command
vary by a third from one run to the next.

Run by hand (not part of the tests; needs valgrind, `apt-get install valgrind`):
    .venv/bin/python benchmarks/instructions_bench.py [--commands 400] [--skip-postgres]

Per database, the mixed workload of core_bench.py (its mix, over 500 cases, one command at a
time, AES-256-GCM on) runs twice in a child process under `valgrind --tool=cachegrind
--cache-sim=no`: after the same set-up, once with no measured commands and once with N. The
difference over N is what one command costs in instructions of the bot's process: Python,
SQLAlchemy, the drivers and, on SQLite, SQLite's own C; not the kernel's, not the PostgreSQL
server's. About 3.2 instructions make a nanosecond on the machine of the README's runs.
Each PostgreSQL run has its own scratch database (benchmarks/scratch.py).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import scratch
from benchmarks.core_bench import mixed, open_bot

CASES = 500
SET_UP_COMMANDS = 100
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


async def child(url: str, commands: int) -> None:
    d = await open_bot(url, group="Demo", room="console", migrate=True)
    for i in range(CASES):
        await d.say("anna", f"flag urgent Borger {i} #housing")
    await mixed(d, 0.0, CASES, seed=5, count=SET_UP_COMMANDS)
    await mixed(d, 0.0, CASES, seed=11, count=commands)
    await d.engine.dispose()


def instructions(url: str, commands: int) -> int:
    """Instructions of one child process run under valgrind."""
    run = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--child",
            url,
            str(commands),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = _REFS.search(run.stderr)
    if found is None:
        raise RuntimeError("valgrind printed no instruction count")
    return int(found.group(1).replace(",", ""))


@asynccontextmanager
async def sqlite_file() -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory() as directory:
        yield f"sqlite:///{directory}/bench.sqlite3"


def postgres_database() -> AbstractAsyncContextManager[str]:
    return scratch.scratch_database("instructions")


async def per_command(
    database: Callable[[], AbstractAsyncContextManager[str]], commands: int
) -> float:
    """Instructions per command: runs with 0 and with `commands` measured commands, each on a
    database of its own."""
    counts = []
    for n in (0, commands):
        async with database() as url:
            counts.append(await asyncio.to_thread(instructions, url, n))
    return (counts[1] - counts[0]) / commands


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=400)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("URL", "COMMANDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args.child[0], int(args.child[1])))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed: apt-get install valgrind")
    runs: list[tuple[str, Callable[[], AbstractAsyncContextManager[str]]]] = [
        ("SQLite", sqlite_file)
    ]
    if not args.skip_postgres:
        runs.append(("PostgreSQL (the bot's process only)", postgres_database))
    print(f"\n{args.commands} mixed commands over {CASES} cases, one at a time, AES-256-GCM on")
    print("| database | instructions per mixed command |")
    print("|---|---|")
    for label, database in runs:
        figure = asyncio.run(per_command(database, args.commands))
        print(f"| {label} | {figure / 1e6:.2f} million |")


if __name__ == "__main__":
    main()
