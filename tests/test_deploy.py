"""The service files: the systemd unit verifies clean and is sandboxed; the container runs
unprivileged with its data in a volume and checks itself with `psp-bot check`; the example
configs are valid; and `psp-bot check` says what is wrong, one line per check."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_settings
from storage.engine import make_engine
from tests.conftest import IN_CI

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def unit() -> str:
    return (DEPLOY / "psp-bot.service").read_text(encoding="utf-8")


def test_the_systemd_units_verify_clean(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if IN_CI:
            pytest.fail("systemd-analyze is required under CI=true (.ci/run installs systemd)")
        pytest.skip("systemd-analyze is not installed")
    # verify checks that ExecStart exists: point it at this installation's psp-bot.
    here = Path(sys.executable).parent / "psp-bot"
    assert here.exists()
    units = []
    for name in ("psp-bot.service", "psp-bot-backup.service", "psp-bot-backup.timer"):
        text = (DEPLOY / name).read_text(encoding="utf-8")
        units.append(tmp_path / name)
        units[-1].write_text(text.replace("/opt/psp-bot/bin/psp-bot", str(here)), "utf-8")
    result = subprocess.run(
        [analyze, "verify", *map(str, units)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""  # warnings (unknown keys, bad values) come here


def test_the_systemd_unit_is_sandboxed_and_takes_secrets_as_credentials() -> None:
    text = unit()
    for line in (
        "User=psp-bot",
        "StateDirectory=psp-bot",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "CapabilityBoundingSet=\n",
        "LoadCredential=encryption-keys:",
    ):
        assert line in text
    assert "PSP_BOT_ENCRYPTION" not in text  # no secret in the unit itself


def test_the_container_runs_unprivileged_and_checks_itself() -> None:
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    assert "\nUSER psp-bot\n" in text
    assert 'VOLUME ["/var/lib/psp-bot"]' in text
    assert '"psp-bot", "--config", "/etc/psp-bot/config.toml", "check"]' in text
    assert "HEALTHCHECK" in text


@pytest.mark.parametrize("name", ["config.systemd.toml", "config.container.toml"])
def test_the_example_configs_are_valid(name: str) -> None:
    settings = load_settings(DEPLOY / name)
    assert str(settings.data_dir) == "/var/lib/psp-bot"
    assert settings.log_format == "json"
    assert all(
        value.startswith("/run/") or value.startswith("/etc/psp-bot/credentials/")
        for table in settings.sections.values()
        for key, value in table.items()
        if key.endswith("_file")
    )


async def test_check_names_each_problem_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PSP_BOT_DATABASE_URL", raising=False)
    key = tmp_path / "encryption.key"
    data = tmp_path / "data"
    config = tmp_path / "psp.toml"
    config.write_text(
        f'[bot]\ndata_dir = "{data}"\n[encryption]\nkey_file = "{key}"\n'
        '[slack]\nmode = "http"\nteam_allowlist = ["T1"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PSP_BOT_ENCRYPTION_KEY", "k1:" + "A" * 43 + "=")
    key.write_text("k1:" + "A" * 43 + "=\n", encoding="utf-8")
    key.chmod(0o644)
    assert await asyncio.to_thread(main, ["--config", str(config), "db", "upgrade"]) == 0
    capsys.readouterr()

    assert await asyncio.to_thread(main, ["--config", str(config), "check"]) == 1
    out = capsys.readouterr().out
    assert "FAIL config [slack]: config [slack] bot_token: is required" in out
    assert f"FAIL file [encryption] key_file: {key} is mode 0644; make it 0600" in out
    assert "ok   database: answers, schema" in out

    key.chmod(0o600)
    config.write_text(
        f'[bot]\ndata_dir = "{data}"\n[encryption]\nkey_file = "{key}"\n', encoding="utf-8"
    )
    assert await asyncio.to_thread(main, ["--config", str(config), "check"]) == 0
    assert "checks hold" in capsys.readouterr().out


async def test_check_tells_how_many_bot_processes_postgresql_has_connections_for(
    pg_database: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One PostgreSQL for many processes: `check` counts the server's connection slots, the
    serving bots' sessions among those in use, and how many processes of the configured pool
    still fit; a pool that cannot fit once fails the check with what to change."""
    monkeypatch.setenv("PSP_BOT_DATABASE_URL", pg_database)
    monkeypatch.setenv("PSP_BOT_ENCRYPTION_KEY", "k1:" + "A" * 43 + "=")
    config = tmp_path / "psp.toml"
    serving = make_engine(pg_database)  # a running bot, two of its connections busy
    try:
        async with serving.connect() as one, serving.connect() as two:
            await one.exec_driver_sql("SELECT 1")
            await two.exec_driver_sql("SELECT 1")
            config.write_text(f'[bot]\ndata_dir = "{tmp_path}"\n', encoding="utf-8")
            assert await asyncio.to_thread(main, ["--config", str(config), "check"]) == 0
            out = capsys.readouterr().out
            line = next(x for x in out.splitlines() if "database connections" in x)
            found = re.fullmatch(
                r"ok   database connections: (\d+) of (\d+) connections in use \((\d+) by "
                r"psp-bot\); each process opens up to 20 \(pool_size 10 \+ max_overflow 10\): "
                r"room for (\d+) processes",
                line,
            )
            assert found, line
            in_use, available, by_bot, room = map(int, found.groups())
            assert by_bot >= 2 and in_use >= by_bot + 1  # the check's own session too
            assert room == (available - (in_use - by_bot)) // 20 >= 1

            config.write_text(
                f'[bot]\ndata_dir = "{tmp_path}"\n[database]\npool_size = {available}\n',
                encoding="utf-8",
            )
            assert await asyncio.to_thread(main, ["--config", str(config), "check"]) == 1
            out = capsys.readouterr().out
            assert "FAIL database connections: " in out
            assert (
                f"each process opens up to {available + 10} (pool_size {available} + "
                "max_overflow 10): room for 0 processes; lower [database] pool_size or "
                "max_overflow, or raise max_connections" in out
            )
    finally:
        await serving.dispose()
