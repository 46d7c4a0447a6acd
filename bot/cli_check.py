"""`psp-bot check`: is this installation fit to run, and is the running bot ready?

For cron, Nagios, a container HEALTHCHECK or a human: one line per check, exit 0 when every
check holds, 1 otherwise. The config is validated the way each part reads it at start
(every key known, every secret present), every file a `*_file` key names must be readable
and closed to group and others, the database must answer on the current schema (on
PostgreSQL, with connection slots for at least one more process's pool), and no
message may have waited in the outbox longer than `[ops] outbox_max_age_seconds` (default
300). When `[ops] listen` is set, the running bot's own `/readyz` is asked too (platforms
connected, scheduler leader known, outbox drained).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import stat
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import ConfigError, Settings
from bot.health import CheckResult

if TYPE_CHECKING:
    from storage.health import ConnectionCapacity

COMMANDS = frozenset({"check"})


def add_commands(sub: Any) -> None:
    check = sub.add_parser("check", help="validate the config and check that the bot is ready")
    check.add_argument("--config", type=Path, default=argparse.SUPPRESS)


def config_checks(settings: Settings) -> list[CheckResult]:
    from bot.cli_encryption import encryption_setup
    from bot.cli_setup import PLATFORMS
    from bot.retention import retention_policy
    from bot.scheduling.config import parse_scheduler_config

    results: list[CheckResult] = []

    from storage.backup_archive import BackupError

    def attempt(name: str, load: Any) -> None:
        try:
            load()
        except (ConfigError, BackupError) as exc:
            results.append(CheckResult(name, False, str(exc)))
        else:
            results.append(CheckResult(name, True))

    for section, load in PLATFORMS.items():
        if section in settings.sections:
            attempt(f"config [{section}]", lambda load=load: load().load_config(settings))
    attempt(
        "config [scheduler]",
        lambda: parse_scheduler_config(settings.sections.get("scheduler")),
    )
    attempt("config [retention]", lambda: retention_policy(settings.sections))
    attempt("encryption keys", lambda: encryption_setup(settings, create=False))
    from bot.housekeeping import housekeeping_policy

    attempt(
        "config [housekeeping]",
        lambda: housekeeping_policy(settings.sections.get("housekeeping")),
    )
    if "backup" in settings.sections:
        from bot.cli_ops import backup_key

        attempt("backup key", lambda: backup_key(settings))
    if "pager" in settings.sections:
        from bot.paging_config import parse_pager_config

        attempt("config [pager]", lambda: parse_pager_config(settings.sections.get("pager")))
    if "ops" in settings.sections:
        from bot.ops import parse_ops_config

        attempt("config [ops]", lambda: parse_ops_config(settings.sections.get("ops")))
    results.extend(file_checks(settings))
    return results


def file_checks(settings: Settings) -> list[CheckResult]:
    """Every file the config names: there, readable, and not open to group or others."""
    results = []
    for section, table in sorted(settings.sections.items()):
        for key, value in sorted(table.items()):
            if not (key.endswith("_file") and isinstance(value, str)):
                continue
            name, path = f"file [{section}] {key}", Path(value)
            try:
                mode = path.stat().st_mode
                with path.open("rb"):
                    pass
            except OSError as exc:
                results.append(CheckResult(name, False, f"{path}: {exc.strerror}"))
                continue
            if mode & 0o077:
                results.append(
                    CheckResult(
                        name, False, f"{path} is mode {stat.S_IMODE(mode):04o}; make it 0600"
                    )
                )
            else:
                results.append(CheckResult(name, True, str(path)))
    return results


async def database_checks(settings: Settings) -> list[CheckResult]:
    """The database answers on the current schema, and no message has waited in the outbox
    longer than `[ops] outbox_max_age_seconds` (the same check as `/readyz`)."""
    from bot.cli_setup import database_options
    from bot.clock import SystemClock
    from bot.health import outbox_probe, run_checks
    from bot.ops import parse_ops_config
    from storage.engine import make_engine
    from storage.health import connection_capacity, database_status
    from storage.uow import SqlAlchemyUnitOfWorkFactory

    engine = make_engine(settings.effective_database_url, **database_options(settings, "check"))
    try:
        ok, detail = await database_status(engine)
        results = [CheckResult("database", ok, detail)]
        if ok and (capacity := await connection_capacity(engine)) is not None:
            results.append(connections_check(settings, capacity))
        if ok:
            try:
                max_age = parse_ops_config(settings.sections.get("ops")).outbox_max_age_seconds
            except ConfigError:
                max_age = parse_ops_config(None).outbox_max_age_seconds  # named above
            # The backlog reads no sealed text: no keys needed.
            probe = outbox_probe(SqlAlchemyUnitOfWorkFactory(engine), SystemClock(), max_age)
            results += await run_checks({"outbox": probe})
    finally:
        await engine.dispose()
    return results


def connections_check(settings: Settings, capacity: ConnectionCapacity) -> CheckResult:
    """PostgreSQL: how many bot processes the server's connection slots leave room for, each
    opening up to pool_size + max_overflow; fails when not even one more would fit."""
    from storage.engine import MAX_OVERFLOW, POOL_SIZE

    pool = settings.database_options.get("pool_size", POOL_SIZE)
    overflow = settings.database_options.get("max_overflow", MAX_OVERFLOW)
    per_process = pool + overflow
    # The running bots' sessions are theirs to reuse; a pool may not have opened all yet.
    others = capacity.in_use - capacity.by_bot
    room = max(0, capacity.available - others) // per_process
    detail = (
        f"{capacity.in_use} of {capacity.available} connections in use ({capacity.by_bot} by "
        f"psp-bot); each process opens up to {per_process} (pool_size {pool} + max_overflow "
        f"{overflow}): room for {room} processes"
    )
    if room < 1:
        detail += "; lower [database] pool_size or max_overflow, or raise max_connections"
    return CheckResult("database connections", room >= 1, detail)


def live_checks(settings: Settings) -> list[CheckResult]:
    """The running bot's own view, from its `/readyz` (only when `[ops] listen` is set)."""
    from bot.ops import parse_ops_config

    ops = parse_ops_config(settings.sections.get("ops"))
    if ops.listen is None:
        return []
    host, port = ops.listen
    url = f"http://{host}:{port}/readyz"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = json.loads(exc.read() or b"{}")
    except (OSError, ValueError) as exc:
        return [CheckResult("running bot", False, f"{url}: no answer ({type(exc).__name__})")]
    checks = body.get("checks", {}) if isinstance(body, dict) else {}
    return [
        CheckResult(f"running bot: {name}", bool(c.get("ok")), str(c.get("detail", "")))
        for name, c in checks.items()
    ] or [CheckResult("running bot", False, f"{url}: no checks in the answer")]


async def run(args: argparse.Namespace, settings: Settings) -> int:
    results = config_checks(settings)
    results += await database_checks(settings)
    results += await asyncio.to_thread(live_checks, settings)
    for result in results:
        print(f"{'ok  ' if result.ok else 'FAIL'} {result.name}: {result.detail}")
    failed = [r for r in results if not r.ok]
    print(f"psp-bot check: {len(results) - len(failed)} of {len(results)} checks hold")
    return 1 if failed else 0
