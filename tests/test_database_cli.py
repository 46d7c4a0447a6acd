"""`psp-bot db upgrade` and the schema check at start, against a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _pg_execute, pg_url, require_postgres

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def empty_pg_database(pg_dropped_at_end: list[str]) -> Iterator[str]:
    require_postgres()
    name = f"psp_empty_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_execute(f"CREATE DATABASE {name}"))
    yield pg_url(name)
    pg_dropped_at_end.append(name)


def psp_bot(
    url: str, tmp_path: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path}"\n[encryption]\nallow_plaintext = true\n')
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(config), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PSP_BOT_DATABASE_URL": url},
    )


def test_postgres_is_migrated_only_on_request(empty_pg_database: str, tmp_path: Path) -> None:
    refused = psp_bot(empty_pg_database, tmp_path, "console", "--demo", stdin="list\n")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "psp-bot: database schema is at revision none, this psp-bot needs "
        f"{_head()}: run `psp-bot db upgrade` first"
    ]
    upgraded = psp_bot(empty_pg_database, tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "up to date" in upgraded.stdout
    started = psp_bot(
        empty_pg_database, tmp_path, "console", "--demo", "--locale", "en", stdin="list\n"
    )
    assert started.returncode == 0, started.stderr
    assert "No open cases." in started.stdout


def _head() -> str:
    from storage.migrate import head_revision

    return head_revision()
