"""The yearly report counts the meetings a group actually held: each meeting run from chat is
the record; before the group's first such meeting, the past scheduled occurrences that were
not cancelled. Read off the report a steering group gets, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import Harness
from tests.evaluation_support import build_year
from tests.test_evaluation_report import pdf_text

NEW_YEAR = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
# Monday 1 June 2026, 10:05 in Copenhagen: the group's first meeting run from chat, five
# minutes after the scheduled 10:00.
FIRST_RUN = datetime(2026, 6, 1, 8, 5, tzinfo=UTC)
JANUARY = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)


async def a_year_of_meetings(h: Harness) -> None:
    """A weekly Monday meeting from 5 January, one occurrence (2 February) cancelled; the
    cases of `build_year`; from 1 June the meetings are run from chat: five Mondays in June
    (the scheduled occurrence each time) and one extra meeting on Wednesday 3 June. After
    June nobody starts a meeting, though the series goes on in the calendar."""
    h.clock.set(NEW_YEAR)
    await h.text("erik", "meeting schedule 2026-01-05 10:00 --every week --theme 'Unge i bolig'")
    assert "2026-02-02" in await h.text("erik", "meeting cancel 1 2026-02-02")
    await build_year(h)
    runs = [FIRST_RUN + timedelta(weeks=n) for n in range(5)]
    runs.insert(1, FIRST_RUN + timedelta(days=2, hours=4))  # Wednesday 14:05, not scheduled
    for start in runs:
        h.clock.set(start)
        assert "minutes no." in await h.text("erik", "meeting start")
        h.clock.advance(timedelta(hours=1))
        await h.say("erik", "meeting end")


async def _report_lines(h: Harness, tmp_path: Path, command: str) -> list[str]:
    (reply,) = await h.say("erik", command)
    (attachment,) = reply.attachments
    path = tmp_path / attachment.filename
    path.write_bytes(attachment.data)
    return [line.strip() for line in pdf_text(path).splitlines()]


def _row(lines: list[str], label: str) -> list[str]:
    """The figure after `label` wherever the report shows it (summary page and table)."""
    found = {
        line[len(label) :].strip()
        for line in lines
        if line.startswith(label + " ") and len(line[len(label) :].split()) == 1
    }
    assert found, label
    return sorted(found)


async def test_the_year_counts_meetings_run_and_earlier_scheduled_ones(
    harness: Harness, tmp_path: Path
) -> None:
    await a_year_of_meetings(harness)
    harness.clock.set(JANUARY)
    lines = await _report_lines(harness, tmp_path, "report 2026")
    # 20 Mondays from 5 January to 25 May (21, less the cancelled one), counted from the
    # calendar; then the six meetings run from chat. Not the 51 uncancelled Mondays of the
    # calendar: from June on, a Monday nobody started was not held.
    assert _row(lines, "Meetings held") == ["26"]
    assert _row(lines, "Meetings cancelled") == ["<5"]
    # The theme of each meeting held: 20 from the calendar, 5 run as the scheduled meeting;
    # the Wednesday meeting had none.
    assert _row(lines, "Unge i bolig") == ["25"]


async def test_a_period_before_the_first_meeting_run_keeps_its_count(
    harness: Harness, tmp_path: Path
) -> None:
    await a_year_of_meetings(harness)
    harness.clock.set(JANUARY)
    spring = await _report_lines(harness, tmp_path, "report 2026-01-01 2026-05-31")
    assert _row(spring, "Meetings held") == ["20"]
    assert _row(spring, "Unge i bolig") == ["20"]
    autumn = await _report_lines(harness, tmp_path, "report 2026-06-01 2026-12-31")
    assert _row(autumn, "Meetings held") == ["6"]
    assert _row(autumn, "Unge i bolig") == ["5"]
