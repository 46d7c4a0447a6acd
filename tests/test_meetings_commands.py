"""The `meeting` commands as a group's members use them, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import icalendar
import pytest

from tests.conftest import Harness
from tests.snapshot import snapshot

SERIES = "meeting schedule 2026-12-01 09:00 --every month --theme 'Unge i bolig'"


async def test_lead_schedules_a_monthly_series_and_everyone_sees_it(core: Harness) -> None:
    text = await core.text("erik", SERIES)
    assert "Meeting no. 1 scheduled: 2026-12-01 09:00 (every month, same weekday)" in text
    assert "Reminders: 7d, 1d, 1h" in text
    listing = await core.text("bo", "meeting list")
    assert (
        "no. 1: next 2026-12-01 09:00 (every month, same weekday) — theme: Unge i bolig" in listing
    )


async def test_danish_words_work_too(core: Harness) -> None:
    core.locale = "da"
    text = await core.text("erik", "møde planlæg 2026-12-01 09:00 --hver uge --påmind 1d")
    assert "Møde nr. 1 planlagt: 2026-12-01 09:00 (hver uge)" in text
    assert "Påmindelser: 1d" in text


async def test_only_the_lead_schedules_or_cancels(core: Harness) -> None:
    assert "lead" in (await core.text("anna", SERIES)).lower()
    await core.text("erik", SERIES)
    assert "lead" in (await core.text("anna", "meeting cancel 1 all")).lower()
    assert "no. 1: next" in await core.text("anna", "meeting list")


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("meeting schedule 2026-11-01 09:00", "is in the past"),
        ("meeting schedule 9999-12-31 23:59", "more than five years ahead"),
        ("meeting schedule 2026-12-01 25:00", "is not a time"),
        ("meeting schedule tomorrow", "is not a time"),
        ("meeting schedule 2026-12-01 09:00 --every year", "--every"),
        ("meeting schedule 2026-12-01 09:00 --rrule FREQ=MINUTELY", "not a usable recurrence"),
        ("meeting schedule 2026-12-01 09:00 --every week --rrule FREQ=DAILY", "either --every"),
        ("meeting schedule 2026-12-01 09:00 --remind 7x", "is not a reminder"),
        ("meeting cancel x", "not a meeting number"),
        ("meeting cancel 9 all", "There is no meeting no. 9"),
        ("meeting cancel 1", "is a series"),
        ("meeting cancel 1 2026-12-02", "does not take place on 2026-12-02"),
        ("meeting agenda 9", "There is no meeting no. 9"),
        ("meeting frobnicate", "frobnicate"),
    ],
)
async def test_bad_input_gets_one_line_and_changes_nothing(
    core: Harness, command: str, expected: str
) -> None:
    await core.text("erik", "meeting schedule 2026-12-01 09:00 --every week")
    before = await snapshot(core)
    replies = await core.say("erik", command)
    assert len(replies) == 1 and replies[0].kind == "error"
    assert expected in replies[0].text and "\n" not in replies[0].text
    assert await snapshot(core) == before


async def test_cancel_one_occurrence_of_a_series(core: Harness) -> None:
    await core.text("erik", SERIES)
    needs_choice = await core.text("erik", "meeting cancel 1")
    assert "meeting cancel 1 YYYY-MM-DD" in needs_choice
    wrong_day = await core.text("erik", "meeting cancel 1 2026-12-02")
    assert "does not take place on 2026-12-02" in wrong_day
    text = await core.text("erik", "meeting cancel 1 2026-12-01")
    assert "Meeting no. 1 on 2026-12-01 09:00 is cancelled. The rest of the series stands." in text
    # The next occurrence is now the first Tuesday of January.
    assert "next 2027-01-05 09:00" in await core.text("bo", "meeting list")
    assert "already cancelled" in await core.text("erik", "meeting cancel 1 2026-12-01")
    assert "Meeting no. 1 is cancelled" in await core.text("erik", "meeting cancel 1 all")
    assert "No meetings are scheduled" in await core.text("bo", "meeting list")


async def test_agenda_lists_cases_by_urgency_then_age_with_a_cap(core: Harness) -> None:
    await core.text("anna", "flag normal neighbour complaints")
    for i in range(22):
        await core.text("bo", f"flag urgent housing problem {i}")
    await core.text("carl", "flag acute threatens staff")
    await core.text("erik", "decide PSP-2026-0001 home visit --owner social --due 2026-11-30")
    await core.text("erik", "escalate the rules on sharing with the GP are unclear")
    await core.text("erik", SERIES)
    agenda = await core.text("bo", "meeting agenda")
    lines = agenda.splitlines()
    assert lines[0] == "📋 Agenda, meeting no. 1 on 2026-12-01 09:00"
    assert "Theme: Unge i bolig" in agenda
    assert "Open cases (24):" in agenda
    case_lines = [line for line in lines if line.startswith("• PSP-")]
    refs = [line.split()[1] for line in case_lines]
    assert refs[0] == "PSP-2026-0024"  # acute first
    assert refs[1:4] == ["PSP-2026-0002", "PSP-2026-0003", "PSP-2026-0004"]  # then oldest urgent
    assert "… and 4 more" in agenda
    assert "PSP-2026-0001 no. 1 (social services, due 2026-11-30): home visit" in agenda
    assert "Systemic escalations not yet handled:" in agenda
    assert "the rules on sharing with the GP are unclear" in agenda


async def test_ics_export_is_a_calendar_with_rrule_exdate_timezone_and_sequence(
    core: Harness,
) -> None:
    await core.text("erik", SERIES)
    await core.text("erik", "meeting schedule 2026-12-10 13:00")
    await core.text("erik", "meeting cancel 1 2027-01-05")
    replies = await core.say("bo", "meeting ics")
    assert "2 meetings" in replies[0].text
    (attachment,) = replies[0].attachments
    assert attachment.media_type == "text/calendar" and attachment.filename.endswith(".ics")
    cal = icalendar.Calendar.from_ical(attachment.data)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert len(events) == 2
    series = next(e for e in events.values() if "RRULE" in e)
    assert series["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=+1TU"
    assert series.decoded("dtstart").tzinfo is not None
    assert str(series["dtstart"].params["TZID"]) == "Europe/Copenhagen"
    assert series["SEQUENCE"] == 1  # raised by the cancellation
    exdates = [d.dt for d in series["EXDATE"].dts]
    assert [d.replace(tzinfo=None) for d in exdates] == [datetime(2027, 1, 5, 9, 0)]
    assert "DTSTAMP" in series
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Copenhagen"]
    # The UIDs are stable: a second export names the same events.
    again = await core.say("bo", "meeting ics")
    cal2 = icalendar.Calendar.from_ical(again[0].attachments[0].data)
    assert {str(e["uid"]) for e in cal2.walk("VEVENT")} == set(events)


async def test_one_meeting_is_counted_in_the_singular_in_both_languages(core: Harness) -> None:
    await core.text("erik", "meeting schedule 2026-12-10 13:00")
    assert "Calendar of Demo: 1 meeting (" in await core.text("bo", "meeting ics")
    core.locale = "da"
    assert "1 møde (" in await core.text("bo", "møde kalender")
    await core.text("erik", "meeting schedule 2026-12-11 13:00")
    assert "2 møder (" in await core.text("bo", "møde kalender")
