"""Bytes a pipe can carry that are no text: the console answers each such line with the one
refusal, stores nothing and goes on; no traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.i18n import translate

ROOT = Path(__file__).resolve().parents[1]


def run_console_bytes(
    tmp_path: Path, script: bytes, locale: str
) -> subprocess.CompletedProcess[bytes]:
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\n')
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "--config",
            str(config),
            "console",
            "--demo",
            "--locale",
            locale,
        ],
        input=script,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PSP_BOT_DATABASE_URL": ""},
    )


@pytest.mark.parametrize("locale", ["da", "en"])
def test_undecodable_bytes_and_control_characters_are_refused(tmp_path: Path, locale: str) -> None:
    script = (
        b"flag acute Borger \xff truer\n"  # no UTF-8
        b"flag acute Borger \xc3\x28 truer\n"  # a broken two-byte sequence
        b"flag acute Borger \x00 truer\n"  # NUL
        b"flag acute Borger \x1b[31m truer\n"  # an escape sequence
        b"as \xffbo\n"
        b"flag urgent Borger 01.01.90\xe2\x80\x931234 truer\n"  # en dash
        b"list\n"
    )
    result = run_console_bytes(tmp_path, script, locale)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    unreadable = translate(locale, "error.unreadable")
    assert out.count(unreadable) == 5
    assert out.count(translate(locale, "error.cpr")) == 1
    assert "1234" not in out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len([line for line in lines if line.startswith("! ")]) == 6
    assert not lines[-1].startswith("! ")  # `list` still answers after the refusals
    assert b"Traceback" not in result.stderr
    db = sqlite3.connect(tmp_path / "data" / "psp-bot.sqlite3")
    assert db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
