"""`psp-bot report` writes the evaluation to a private file: CSV tables, HTML, PDF."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import pytest

from tests.conftest import Harness
from tests.evaluation_support import build_year
from tests.test_database_cli import psp_bot


async def test_csv_holds_the_suppressed_tables(
    harness: Harness, database_url: str, tmp_path: Path
) -> None:
    await build_year(harness)
    out = tmp_path / "report.csv"
    args = ("report", "--year", "2026", "--group", "Demo", "--format", "csv", "--locale", "en")
    done = psp_bot(database_url, tmp_path, *args, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Cases flagged: 9" in done.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert ["March 2026", "5", "0", "0"] in rows
    assert ["April 2026", "0", "<5", "0"] in rows
    assert ["table", "outcomes", "Outcomes of closed cases"] in rows
    assert ["police", "5"] in rows and ["social services", "<5"] in rows
    text = out.read_text(encoding="utf-8")
    assert "Borger" not in text and "PSP-2026" not in text


@pytest.mark.parametrize("fmt", ["html", "pdf"])
async def test_html_and_pdf_are_written(
    harness: Harness, database_url: str, tmp_path: Path, fmt: str
) -> None:
    await build_year(harness)
    out = tmp_path / f"report.{fmt}"
    done = psp_bot(
        database_url,
        tmp_path,
        "report",
        "--year",
        "2026",
        "--group",
        "Demo",
        "--format",
        fmt,
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data.startswith(b"%PDF" if fmt == "pdf" else b"<!DOCTYPE html>")
    if fmt == "html":
        assert data.count(b"data:image/png;base64,") == 4
        assert b"Evaluering af samarbejdet" in data


async def test_bad_periods_and_names_are_one_line_errors(
    harness: Harness, database_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "r.pdf"
    for args, expected in (
        (("--year", "2031", "--group", "Demo"), "in the future"),
        (("--year", "2026", "--group", "Nowhere"), "no group is named"),
        (("--year", "2026", "--steering", "Nowhere"), "no steering group is named"),
        (("--from", "2026-05-01", "--to", "2026-01-01", "--group", "Demo"), "after --to"),
        (("--year", "2026", "--group", "Demo"), "no cases in the period"),
    ):
        done = psp_bot(database_url, tmp_path, "report", *args, "--out", str(out))
        assert done.returncode == 2
        assert expected in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not out.exists()
