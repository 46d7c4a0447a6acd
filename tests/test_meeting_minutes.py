"""The meeting as the record, as the group lives it: prepare the agenda, run the meeting from
chat, get the minutes (text, PDF, Markdown) in both languages; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.codec import PlainTextCodec
from storage.retention import SqlAlchemyRetentionStore
from tests.conftest import Harness, build_harness
from tests.snapshot import snapshot
from tests.test_evaluation_report import pdf_text

REF = "PSP-2026-{:04d}"
MEETING_DAY = datetime(2026, 12, 1, 8, 5, tzinfo=UTC)  # 09:05 in Copenhagen


async def prepared(h: Harness, cases: int = 22) -> None:
    """A monthly meeting and `cases` open cases from the three agencies, then meeting day."""
    await h.text("erik", "meeting schedule 2026-12-01 09:00 --every month --theme 'Unge i bolig'")
    flaggers = ("anna", "bo", "carl")
    for n in range(1, cases + 1):
        urgency = "acute" if n == cases else "urgent" if n % 3 else "normal"
        await h.text(flaggers[n % 3], f"flag {urgency} case number {n} needs a plan")
    h.clock.set(MEETING_DAY)


def ref(n: int) -> str:
    return REF.format(n)


async def test_a_whole_meeting_leaves_its_minutes(harness: Harness, tmp_path: Path) -> None:
    h = harness
    await prepared(h)
    start = await h.text("erik", "meeting start")
    assert "minutes no. 1" in start and "22 cases on the agenda" in start
    assert "Scheduled as meeting no. 1 on 2026-12-01 09:00" in start
    assert "Theme: Unge i bolig" in start
    present = await h.text("bo", "present")
    assert "bo (social services) is present" in present
    assert "- police: nobody present" in present
    assert "nobody from police, psychiatry, which can hold action responsibility" in present
    assert "anna (police) is present" in await h.text("erik", "present @anna")
    assert "Only the lead" in await h.text("anna", "present @dina")
    # The first case is the acute one; the lead decides, social services takes it.
    first = await h.text("anna", "next")
    assert first.startswith(f"▶️ Case 1 of 22: 🚨 {ref(22)}")
    assert "Not acknowledged: police, psychiatry" in first
    await h.text(
        "erik",
        f"decide {ref(22)} home visit within a week --owner social --due 2026-12-08 "
        "--fallback 'police welfare check' --fallback-owner police",
    )
    await h.text("bo", f"take {ref(22)}")
    second = await h.text("anna", "next")
    assert "Case 2 of 22" in second
    await h.text("anna", f"note {ref(1)} neighbour calls weekly")
    await h.text("anna", f"take {ref(1)}")
    await h.text("anna", f"decide {ref(1)} talk to the landlord --due 2026-12-15")
    await h.text("anna", f"take {ref(4)}")
    await h.text("anna", f"close {ref(4)} moved to another municipality --outcome moved-away")
    await h.text("bo", f"discussed {ref(2)}")
    assert "heads the next agenda" in await h.text("bo", f"skip {ref(5)}")
    assert "heads the next agenda" in await h.text("bo", f"skip {ref(7)}")
    await h.text("erik", "escalate the GP rules block sharing discharge dates")
    replies = await h.say("erik", "meeting end")
    (minutes,) = replies
    text = minutes.text
    assert text.startswith("# Minutes no. 1 — Demo")
    assert "Meeting on 2026-12-01, 09:05–09:05" in text and "Scheduled meeting no. 1" in text
    assert "- social services: erik, bo" in text and "- police: anna" in text
    assert "- psychiatry: nobody present" in text
    assert f"### {ref(22)} · acute · responsible: social services" in text
    assert (
        "Decision no. 1: home visit within a week — owner: social services, due: 2026-12-08; "
        "fallback (police): police welfare check"
    ) in text
    assert "Responsibility: social services took the case (bo)" in text
    assert "Note: neighbour calls weekly (anna)" in text
    assert "Closed: moved to another municipality" in text
    # Recorded on one case while another was under discussion: the minutes say so.
    assert f"(outcome: moved away) (while {ref(1)} was discussed)" in text
    assert "## Cases discussed (4)" in text  # 22 and 1 (taken up in turn), 4 and 2
    assert "## Not reached (18) — they head the next agenda" in text
    assert f"- {ref(5)} (urgent) — postponed" in text
    assert "- no. 1: the GP rules block sharing discharge dates" in text
    assert "## Action items per agency" in text
    assert f"- {ref(22)} no. 1: home visit within a week (due: 2026-12-08)" in text
    assert {m.display_name for m in minutes.mentions} == {"anna", "bo", "erik"}
    pdf, markdown = minutes.attachments
    assert pdf.media_type == "application/pdf" and markdown.filename == "demo-minutes-1.md"
    assert markdown.data.decode().count("Summary: case number") == 4
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf.data)
    read = pdf_text(path)
    assert "Minutes no. 1 - Demo" in read
    assert "home visit within a week" in read and "Action items per agency" in read
    # The cases not reached head the next agenda, the postponed ones among them.
    agenda = (await h.text("bo", "meeting agenda")).splitlines()
    rows = [line for line in agenda if line.startswith("• PSP-") and "responsible:" in line]
    assert all("(not reached at the last meeting)" in r for r in rows[:18])
    assert not any("(not reached" in r for r in rows[18:])
    assert ref(5) in " ".join(rows[:18]) and ref(22) not in " ".join(rows[:18])
    # The minutes again, in Danish, audited.
    h.locale = "da"
    (again,) = await h.say("carl", "møde referat 1")
    assert again.text.startswith("# Referat nr. 1 — Demo")
    assert "Beslutning nr. 1: home visit within a week — ejer: socialforvaltning" in again.text
    assert "## Ikke nået (18) — kommer først på næste dagsorden" in again.text
    danish_pdf, danish_md = again.attachments
    assert danish_md.filename == "demo-referat-1.md"
    path.write_bytes(danish_pdf.data)
    read = pdf_text(path)
    assert "Referat nr. 1 - Demo" in read and "Fremmøde" in read
    assert "Opgaver pr. myndighed" in read and "socialforvaltning" in read
    h.locale = "en"
    audit = await h.text("erik", "audit member carl")
    assert "minutes read" in audit


async def test_the_next_meeting_starts_with_what_was_not_reached(harness: Harness) -> None:
    h = harness
    await prepared(h, cases=3)
    await h.text("erik", "meeting start")
    assert ref(3) in await h.text("erik", "next")
    await h.text("carl", f"take {ref(3)}")  # placed: no reason to come back by itself
    await h.text("erik", f"skip {ref(1)}")
    await h.text("erik", "meeting end")
    h.clock.advance(timedelta(days=28))
    await h.text("anna", "flag urgent a new one")
    await h.text("erik", f"meeting agenda remove {ref(2)}")
    start = await h.text("erik", "meeting start")
    assert "2 cases on the agenda" in start
    first = await h.text("erik", "next")
    assert ref(1) in first.splitlines()[0]


async def test_a_restart_keeps_the_meeting_open(harness: Harness) -> None:
    h = harness
    await prepared(h, cases=4)
    await h.text("erik", "meeting start")
    await h.text("bo", "present")
    await h.text("erik", "next")
    await h.text("erik", f"decide {ref(4)} call the family")
    assert h.engine is not None
    again = build_harness(h.engine, h.clock)
    assert "is already running" in await again.text("erik", "meeting start")
    assert "Case 2 of 4" in await again.text("erik", "next")
    # A meeting left running overnight does not take in the next day's decisions.
    h.clock.advance(timedelta(hours=13))
    await again.text("anna", f"decide {ref(1)} decided the next day")
    (minutes,) = await again.say("erik", "meeting end")
    assert "- social services: erik, bo" in minutes.text
    assert "Decision no. 1: call the family" in minutes.text
    assert "decided the next day" not in minutes.text


async def refused_alike(h: Harness, cases: tuple[tuple[str, str, str], ...]) -> None:
    """Each line gets one localized line back and changes nothing."""
    for user, line, expected in cases:
        before = await snapshot(h)
        replies = await h.say(user, line)
        assert len(replies) == 1 and replies[0].kind == "error", line
        assert expected in replies[0].text and "\n" not in replies[0].text, line
        assert await snapshot(h) == before, line


async def test_bad_input_gets_one_line_and_changes_nothing(harness: Harness) -> None:
    h = harness
    await prepared(h, cases=2)
    # Another group, with a case of its own.
    await h.text("admin", "group setup Other --prefix SSP", room="other-room")
    await h.text("admin", "member add @olga police lead", room="other-room")
    await h.text("olga", "flag urgent their own case", room="other-room")
    await refused_alike(
        h,
        (
            ("bo", "next", "No meeting is running"),
            ("bo", "present", "No meeting is running"),
            ("bo", f"discussed {ref(1)}", "No meeting is running"),
            ("erik", "meeting end", "No meeting is running"),
            ("bo", "meeting start", "lead"),
            ("erik", "meeting minutes 7", "There are no minutes no. 7"),
            ("erik", "meeting minutes x", "is not a minutes number"),
            ("erik", f"meeting agenda add {ref(9)}", "PSP-2026-0009"),
        ),
    )
    await h.text("erik", "meeting start")
    await refused_alike(
        h,
        (
            ("erik", "meeting start", "already running"),
            ("bo", "meeting end", "lead"),
            ("bo", f"skip {ref(9)}", "PSP-2026-0009"),
            ("bo", "discussed SSP-2026-0001", "no case SSP-2026-0001"),
            ("erik", "meeting agenda add SSP-2026-0001", "no case SSP-2026-0001"),
            ("bo", "til", "til stede"),
        ),
    )
    await h.text("erik", "meeting end")
    assert "No meeting is running" in await h.text("erik", "meeting end")


async def test_purged_cases_leave_the_minutes_and_minimal_rooms_get_refs(
    harness: Harness,
) -> None:
    h = harness
    await h.text("admin", "group setup Demo --detail minimal", room="vagt")
    await prepared(h, cases=2)
    await h.text("erik", "meeting start")
    await h.text("anna", f"take {ref(2)}")
    await h.text("anna", f"decide {ref(2)} secret plan for the citizen")
    await h.text("anna", f"close {ref(2)} solved with housing --outcome housing-secured")
    replies = await h.say("erik", "meeting end")
    by_room = {r.room.room_id: r for r in replies}
    minimal = by_room["vagt"]
    assert "secret plan" not in minimal.text and ref(2) in minimal.text
    assert minimal.attachments == ()
    assert "secret plan" in by_room["console"].text
    assert h.engine is not None
    store = SqlAlchemyRetentionStore(h.engine, PlainTextCodec())  # the harness stores plain
    h.clock.advance(timedelta(days=400))
    purged = await store.purge((await _case_id(h, ref(2))), cutoff=h.clock.now(), at=h.clock.now())
    assert purged is not None  # the number of chat messages queued for retraction
    again = await h.text("erik", "meeting minutes 1")
    assert "secret plan" not in again and "solved with housing" not in again
    assert "deleted at the end of the retention period" in again


async def _case_id(h: Harness, wanted: str) -> int:
    async with h.uow_factory() as uow:
        group = await uow.groups.get_by_name("Demo")
        assert group is not None
        case = await uow.cases.get_by_ref(group.id, wanted)
        assert case is not None
        return int(case.id)


async def test_who_changes_the_agenda_and_how_it_reads(core: Harness) -> None:
    h = core
    await h.text("erik", "meeting schedule 2026-12-01 09:00 --every month")
    await h.text("anna", "flag urgent first")
    await h.text("bo", "flag urgent second")
    await h.text("anna", f"take {ref(1)}")
    await h.text("bo", f"take {ref(2)}")
    h.clock.set(MEETING_DAY)
    await h.text("erik", "meeting start")
    await h.text("erik", "next")
    await h.text("erik", "next")
    await h.text("erik", "meeting end")
    # Both placed, nothing due, nothing new: the bot puts neither on the next agenda.
    assert "No cases on the agenda." in await h.text("bo", "meeting agenda")
    assert "only the lead and police" in await h.text("carl", f"meeting agenda add {ref(1)}")
    assert "on the agenda of the next meeting" in await h.text(
        "anna", f"meeting agenda add {ref(1)}"
    )
    assert "on the agenda of the next meeting" in await h.text(
        "erik", f"meeting agenda add {ref(2)}"
    )
    agenda = await h.text("bo", "meeting agenda")
    assert f"{ref(1)} urgent — responsible: police" in agenda
    assert "first (added by a member)" in agenda
    assert "taken off the agenda" in await h.text("bo", f"meeting agenda remove {ref(2)}")
    assert ref(2) not in await h.text("bo", "meeting agenda")
    # While a meeting runs, the commands change its agenda.
    h.clock.advance(timedelta(days=35))
    assert "1 case on the agenda" in await h.text("erik", "meeting start")
    assert "added last to the meeting's agenda (2 cases)" in await h.text(
        "bo", f"meeting agenda add {ref(2)}"
    )
    assert "already on the meeting's agenda" in await h.text("bo", f"meeting agenda add {ref(2)}")
    assert "Case 1 of 2" in await h.text("erik", "next")
    running = (await h.text("bo", "meeting agenda")).splitlines()
    assert running[0] == ("📋 Agenda of the running meeting (minutes no. 2): 1 of 2 cases taken up")
    assert running[1].startswith(f"▶️ {ref(1)} urgent — responsible: police: first")
    assert running[2].startswith(f"• {ref(2)} urgent")
    assert "already been taken up" in await h.text("anna", f"meeting agenda remove {ref(1)}")
    assert "taken off the agenda" in await h.text("bo", f"meeting agenda remove {ref(2)}")
    assert "1 case on the agenda has been taken up" in await h.text("erik", "next")
    listed = await h.text("carl", "meeting list")
    assert "Minutes (`meeting minutes <no>`): no. 2 (2027-01-05) — running, no. 1 (2026-12-01)" in (
        listed
    )
