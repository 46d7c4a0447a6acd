"""`report` in a group's room: a PDF with a summary page, charts and tables, whose figures
match the record; bad periods and callers change nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.messages import Reply
from tests.conftest import Harness
from tests.evaluation_support import build_year
from tests.test_rules import refused

JANUARY = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def pdf_images(path: Path) -> list[tuple[int, int]]:
    """(page, width) of each image, from `pdfimages -list`."""
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    return [(int(row.split()[0]), int(row.split()[3])) for row in listing]


async def _report(h: Harness, tmp_path: Path, command: str = "report 2026") -> tuple[Reply, Path]:
    replies = await h.say("erik", command)
    assert len(replies) == 1, [r.text for r in replies]
    reply = replies[0]
    assert len(reply.attachments) == 1
    attachment = reply.attachments[0]
    assert attachment.media_type == "application/pdf"
    path = tmp_path / attachment.filename
    path.write_bytes(attachment.data)
    return reply, path


async def test_lead_gets_a_pdf_whose_figures_match_the_record(
    harness: Harness, tmp_path: Path
) -> None:
    await build_year(harness)
    harness.clock.set(JANUARY)
    reply, path = await _report(harness, tmp_path)
    lines = reply.text.splitlines()
    assert len(lines) == 3
    assert lines[0] == "📊 Evaluation · Demo · 2026-01-01 – 2026-12-31"
    assert lines[1] == "Cases flagged: 9 · closed: <5 · open at the end: 5"
    assert lines[2].startswith("Median to acknowledgement: 1.0 h · escalations: 0")
    assert path.name == "demo-evaluation-2026.pdf"
    body = pdf_text(path)
    # Summary page, then the tables: five acute in March shown, four urgent in April not.
    assert "Evaluation of the cooperation" in body
    assert "Cases flagged" in body
    march = next(line for line in body.splitlines() if line.strip().startswith("March 2026"))
    assert march.split()[2:] == ["5", "0", "0"]
    april = next(line for line in body.splitlines() if line.strip().startswith("April 2026"))
    assert april.split()[2:] == ["0", "<5", "0"]
    threat = next(line for line in body.splitlines() if "threatening behaviour" in line)
    assert threat.split()[-1] == "5"
    assert "treatment started" in body and "<5" in body
    # Never a case text, a case ref or a member's name.
    for secret in ("Borger", "løst", "PSP-2026", "anna", "carl", "erik", "Boligmøde"):
        assert secret not in body
    assert pdf_pages(path) >= 4
    images = pdf_images(path)
    assert len(images) == 4 and {page for page, _w in images} == {2, 3}
    async with harness.engine.connect() as conn:
        audit = (
            await conn.execute(text("SELECT detail FROM audit_log WHERE action = 'report.make'"))
        ).scalar_one()
    assert audit.startswith("from=2026-01-01 to=2026-12-31 groups=1")


async def test_report_in_danish_reads_danish(harness: Harness, tmp_path: Path) -> None:
    await build_year(harness)
    harness.clock.set(JANUARY)
    harness.locale = "da"
    reply, path = await _report(harness, tmp_path, "rapport 2026-03-01 2026-03-31")
    assert (
        reply.text.splitlines()[1] == "Meldte sager: 5 · lukkede: <5 · åbne ved periodens slut: <5"
    )
    assert "Evaluering af samarbejdet" in pdf_text(path)
    assert path.name == "demo-evaluation-2026-03-01_2026-03-31.pdf"


@pytest.mark.parametrize(
    ("user", "command", "expected"),
    [
        ("erik", "report 2031", "in the future"),
        ("erik", "report 2026-06-01 2026-01-01", "starts (2026-06-01) after it ends"),
        ("erik", "report 2025", "No cases in the period 2025-01-01 – 2025-12-31"),
        ("erik", "report 26", "is not a period"),
        ("anna", "report 2026", "lead"),
        ("erik", "steering add Demo", "Only a bot admin"),
        ("admin", "steering add Demo", "not a steering room"),
        ("erik", "escalate answer 1 Vi tager det op", "not a steering room"),
    ],
)
async def test_bad_report_requests_change_nothing(
    harness: Harness, user: str, command: str, expected: str
) -> None:
    await build_year(harness)
    harness.clock.set(JANUARY)
    await refused(harness, user, command, expected)
