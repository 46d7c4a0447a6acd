"""The restore drill: a case walk, `psp-bot backup`, `psp-bot restore` into an empty
installation, and `show` there — on SQLite and PostgreSQL. And the refusals: a non-empty or
running installation, a wrong key, a changed archive."""

from __future__ import annotations

import asyncio
import base64
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import cli_ops
from bot.cli import main
from bot.cli_ops import hold_run_lock
from bot.clock import FakeClock
from bot.config import parse_settings
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.conftest import Harness, _pg_execute, build_harness, pg_url

SUMMARY = "Borger truer naboer med kniv"
BACKUP_KEY = base64.b64encode(b"\7" * 32).decode()


@dataclass
class Site:
    """One installation: its config file, database, data dir and Matrix store."""

    config: Path
    url: str
    data_dir: Path
    store: Path


def make_site(root: Path, url: str) -> Site:
    root.mkdir(parents=True, exist_ok=True)
    data_dir, store = root / "data", root / "matrix-store"
    config = root / "psp.toml"
    config.write_text(
        f'[bot]\ndata_dir = "{data_dir}"\n[database]\nurl = "{url}"\n'
        f'[matrix]\nstore_dir = "{store}"\npickle_key_file = "{root / "pickle.key"}"\n',
        encoding="utf-8",
    )
    return Site(config, url, data_dir, store)


async def cli(site: Site, *args: str) -> int:
    return await asyncio.to_thread(main, ["--config", str(site.config), *args])


def fill_store(store: Path) -> None:
    """A Matrix store as the adapter leaves it: credentials, a crypto store (SQLite), and
    the pickle key kept next to it by a careless operator (never copied)."""
    store.mkdir(parents=True)
    (store / "credentials.json").write_text('{"device_id": "DEV1"}', encoding="utf-8")
    crypto = sqlite3.connect(store / "@bot:test_DEV1.db")
    crypto.execute("CREATE TABLE olm (account TEXT)")
    crypto.execute("INSERT INTO olm VALUES ('pickled-account')")
    crypto.commit()
    crypto.close()
    (store.parent / "pickle.key").write_text("a pickle key of 16+ chars", encoding="utf-8")


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PSP_BOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("PSP_BOT_BACKUP_KEY", BACKUP_KEY)


@pytest.fixture
async def empty_url(
    database_url: str, tmp_path: Path, pg_dropped_at_end: list[str]
) -> AsyncIterator[str]:
    """An empty database of the same kind, for the restore."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'psp.sqlite3'}"
        return
    name = f"psp_restore_{uuid.uuid4().hex[:10]}"
    await _pg_execute(f"CREATE DATABASE {name}")
    try:
        yield pg_url(name)
    finally:
        pg_dropped_at_end.append(name)


async def installed(site: Site) -> None:
    engine = make_engine(site.url)
    await upgrade(engine)
    await engine.dispose()


async def walk(h: Harness) -> None:
    await h.say("anna", f"flag acute {SUMMARY} #threat")
    await h.say("bo", "ack PSP-2026-0001")
    await h.say("anna", "assign PSP-2026-0001 psychiatry")
    await h.say("carl", "accept PSP-2026-0001")
    await h.say("carl", "decide PSP-2026-0001 'Opsøgende besøg' --fallback 'Politiet ledsager'")


async def test_restore_drill(
    harness: Harness,
    database_url: str,
    empty_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await walk(harness)
    source = make_site(tmp_path / "source", database_url)
    fill_store(source.store)
    archive = tmp_path / "psp.backup"

    assert await cli(source, "backup", str(archive)) == 0
    said = capsys.readouterr().out
    assert ("SQLite online backup" if "sqlite" in database_url else "pg_dump") in said
    assert "no key is in it" in said
    assert archive.stat().st_mode & 0o777 == 0o600
    raw = archive.read_bytes()
    assert SUMMARY.encode() not in raw and b"pickled-account" not in raw

    target = make_site(tmp_path / "target", empty_url)
    assert await cli(target, "restore", str(archive)) == 0
    said = capsys.readouterr().out
    assert "restored the" in said and "audit chains intact" in said

    engine = make_engine(empty_url)
    try:
        restored = build_harness(engine, FakeClock())
        shown = await restored.text("bo", "show PSP-2026-0001")
    finally:
        await engine.dispose()
    assert SUMMARY in shown and "Opsøgende besøg" in shown
    assert (target.store / "credentials.json").read_text() == '{"device_id": "DEV1"}'
    crypto = sqlite3.connect(target.store / "@bot:test_DEV1.db")
    assert crypto.execute("SELECT account FROM olm").fetchall() == [("pickled-account",)]
    crypto.close()
    assert not (target.store.parent / "pickle.key").exists()


async def test_a_non_empty_installation_needs_force(
    harness: Harness, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await walk(harness)
    site = make_site(tmp_path / "site", database_url)
    archive = tmp_path / "psp.backup"
    assert await cli(site, "backup", str(archive)) == 0
    await harness.say("anna", "flag urgent Efter backuppen")
    await harness.engine.dispose()  # the bot is stopped for a restore
    capsys.readouterr()

    assert await cli(site, "restore", str(archive)) == 2
    said = capsys.readouterr().out
    assert "refused, the installation is not empty" in said and "--force" in said
    if not database_url.startswith("sqlite"):  # who else is connected, by program
        import asyncpg

        psql = await asyncpg.connect(
            database_url.replace("postgresql://", "postgres://"),
            server_settings={"application_name": "psql"},
        )
        try:
            assert await cli(site, "restore", str(archive)) == 2
        finally:
            await psql.close()
        said = capsys.readouterr().out
        assert "1 other session(s) connected to the database (psql: 1)" in said
    assert "Efter backuppen" in await harness.text("anna", "show PSP-2026-0002")
    await harness.engine.dispose()

    assert await cli(site, "restore", "--force", str(archive)) == 0
    assert "audit chains intact" in capsys.readouterr().out
    assert "Efter backuppen" not in await harness.text("anna", "show PSP-2026-0002")


async def test_a_running_bot_is_never_restored_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(tmp_path / "site", f"sqlite:///{tmp_path / 'psp.sqlite3'}")
    archive = tmp_path / "psp.backup"
    await installed(site)
    assert await cli(site, "backup", str(archive)) == 0
    hold_run_lock(parse_settings({"bot": {"data_dir": str(site.data_dir)}}))
    try:
        assert await cli(site, "restore", "--force", str(archive)) == 2
    finally:
        os.close(cli_ops._held.pop())
    assert "a psp-bot is running" in capsys.readouterr().out


async def test_a_wrong_key_or_a_changed_archive_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path / "site", f"sqlite:///{tmp_path / 'psp.sqlite3'}")
    await installed(site)
    archive = tmp_path / "psp.backup"
    assert await cli(site, "backup", str(archive)) == 0
    target = make_site(tmp_path / "target", f"sqlite:///{tmp_path / 'target.sqlite3'}")
    capsys.readouterr()

    changed = tmp_path / "changed.backup"
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 1
    changed.write_bytes(bytes(raw))
    assert await cli(target, "restore", str(changed)) == 1
    assert "does not open with this backup key, or it was changed" in capsys.readouterr().out

    cut = tmp_path / "cut.backup"
    cut.write_bytes(archive.read_bytes()[:-20])
    assert await cli(target, "restore", str(cut)) == 1
    assert "psp-bot: restore:" in capsys.readouterr().out

    monkeypatch.setenv("PSP_BOT_BACKUP_KEY", base64.b64encode(b"\x08" * 32).decode())
    assert await cli(target, "restore", str(archive)) == 1
    assert "does not open with this backup key" in capsys.readouterr().out
    assert not (tmp_path / "target.sqlite3").exists()

    monkeypatch.setenv("PSP_BOT_BACKUP_KEY", "short")
    assert await cli(target, "backup", str(archive)) == 1
    assert "must be 32 bytes in base64" in capsys.readouterr().out
