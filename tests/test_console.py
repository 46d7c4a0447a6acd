"""The console adapter as a newcomer uses it: `psp-bot console --demo` fed from a pipe."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
# The console runs on the real clock: refs carry the current year (Copenhagen time).
REF = f"PSP-{datetime.now(ZoneInfo('Europe/Copenhagen')).year}-0001"


def run_console(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\n')
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "console", "--demo", *args],
        input=script,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PSP_BOT_DATABASE_URL": ""},
    )


def test_walk_a_case_from_flag_to_close(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "as anna",
            "flag acute Borger truer naboer #threat",
            "as bo",
            f"ack {REF}",
            "as carl",
            f"ack {REF}",
            "as anna",
            f"assign {REF} psychiatry",
            "as carl",
            f"accept {REF}",
            f'decide {REF} "Opsøgende besøg i morgen" --fallback "Politiet ledsager" '
            "--fallback-owner police",
            f"close {REF} Borger indlagt frivilligt --udfald behandling-startet",
            f"show {REF}",
        ]
    )
    result = run_console(tmp_path, script + "\n", "--locale", "en")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"🚨 ACUTE: new case {REF} flagged by police (anna)" in out
    assert "→ @bo @carl @erik" in out
    assert "psychiatry accepted and now holds responsibility (carl)" in out
    assert f"{REF} is closed with a resolution (carl)" in out
    assert "Resolution: Borger indlagt frivilligt" in out
    # The only thing said on stderr is where a first start put the new encryption key.
    assert all("encryption key" in line for line in result.stderr.splitlines())
    db = sqlite3.connect(tmp_path / "data" / "psp-bot.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == 1
    assert db.execute("SELECT status FROM cases").fetchone()[0] == "closed"


def test_demo_is_created_once_and_danish_is_the_default(tmp_path: Path) -> None:
    run_console(tmp_path, "flag normal første\n")
    result = run_console(tmp_path, "as bo\nlist\n")
    assert "åbne sager: 1" in result.stdout
    db = sqlite3.connect(tmp_path / "data" / "psp-bot.sqlite3")
    assert db.execute("SELECT count(*) FROM groups").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM members").fetchone()[0] == 5


def test_bad_lines_answer_and_the_console_goes_on(tmp_path: Path) -> None:
    result = run_console(tmp_path, 'flgg x\nflag acute "open\n\nlist\n', "--locale", "en")
    assert result.returncode == 0
    assert "Did you mean `flag`?" in result.stdout
    assert "A quote has no closing partner" in result.stdout
    assert "No open cases." in result.stdout


def test_debug_logging_carries_no_case_text(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\nlog_level = "DEBUG"\n')
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "console", "--demo"],
        input=f"flag acute Hemmeligmarkør truer\nshow {REF}\nnote {REF} Markørnotat\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PSP_BOT_DATABASE_URL": ""},
    )
    assert result.returncode == 0
    assert "Hemmeligmarkør" in result.stdout
    assert "Hemmeligmarkør" not in result.stderr and "Markørnotat" not in result.stderr


def test_sigterm_ends_a_waiting_console_at_once_with_exit_code_0(tmp_path: Path) -> None:
    """The console waits for its next line (the pipe stays open): SIGTERM, as a service
    manager sends it, ends it cleanly with what was typed kept."""
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\n')
    console = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "console", "--demo"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PSP_BOT_DATABASE_URL": ""},
    )
    try:
        assert console.stdin is not None and console.stdout is not None
        console.stdin.write("flag normal før signalet\n")
        console.stdin.flush()
        assert REF in console.stdout.readline()  # answered: the console now waits for input
        console.send_signal(signal.SIGTERM)
        assert console.wait(timeout=60) == 0
    finally:
        console.kill()
    db = sqlite3.connect(tmp_path / "data" / "psp-bot.sqlite3")
    assert db.execute("SELECT count(*) FROM cases").fetchone()[0] == 1


def test_a_meeting_in_the_console_leaves_its_minutes_as_private_files(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "as anna",
            "flag urgent Familie mangler bolig",
            "as erik",
            "meeting start",
            "as anna",
            "present",
            "next",
            f"decide {REF} Hjemmebesøg --owner police",
            "as erik",
            "meeting end",
        ]
    )
    result = run_console(tmp_path, script + "\n", "--locale", "en")
    assert result.returncode == 0, result.stderr
    assert "# Minutes no. 1 — Demo" in result.stdout
    assert "Decision no. 1: Hjemmebesøg — owner: police" in result.stdout
    files = tmp_path / "data" / "console-files"
    pdf, markdown = files / "demo-minutes-1.pdf", files / "demo-minutes-1.md"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "Hjemmebesøg" in markdown.read_text()
    assert {p.stat().st_mode & 0o777 for p in (pdf, markdown)} == {0o600}
    # Sealed at rest: the decision's text is not in the database file as written.
    db = sqlite3.connect(tmp_path / "data" / "psp-bot.sqlite3")
    (facts,) = db.execute("SELECT facts FROM meeting_entries").fetchone()
    assert facts.startswith("enc1:") and "Hjemmebesøg" not in facts
