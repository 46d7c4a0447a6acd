"""Acknowledgement escalation and decision follow-up, as the group sees them in its rooms.
The harness clock starts on Monday 23 November 2026, 09:00 UTC (10:00 in Copenhagen)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import Harness
from tests.scheduler_support import Driver, Posted

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def escalations(posted: list[Posted]) -> list[tuple[timedelta, str, list[str]]]:
    """(time since the flag, who is escalated, who is mentioned) for each escalation post."""
    out = []
    for p in posted:
        if "⏰" not in p.reply.text:
            continue
        step = "lead" if "Group lead" in p.reply.text else "deputies"
        agency = p.reply.text.split("): ", 1)[1].split(" has ", 1)[0]
        out.append(
            (p.at - START, f"{agency}/{step}", sorted(m.display_name for m in p.reply.mentions))
        )
    return out


async def test_acute_flag_escalates_to_deputies_then_lead_and_stops_on_ack(
    core: Harness,
) -> None:
    await core.text("anna", "flag acute threatens to set fire to the flat")
    driver = Driver(core)
    assert escalations(await driver.run_until(START + timedelta(minutes=14, seconds=59))) == []
    first = escalations(await driver.run_until(START + timedelta(minutes=20)))
    assert first == [
        # No social deputy in the demo group: every social member is told.
        (timedelta(minutes=15), "psychiatry/deputies", ["carl"]),
        (timedelta(minutes=15), "social services/deputies", ["bo", "erik"]),
    ]
    await core.text("bo", "ack PSP-2026-0001")
    second = escalations(await driver.run_until(START + timedelta(hours=3)))
    assert second == [(timedelta(minutes=45), "psychiatry/lead", ["erik"])]
    text = next(p.reply.text for p in driver.posted if "psychiatry has still not" in p.reply.text)
    assert "after 45 minutes" in text and "`ack" not in text


async def test_acknowledging_before_the_first_period_means_no_escalation(
    core: Harness,
) -> None:
    await core.text("anna", "flag acute threatens to set fire to the flat")
    await core.text("bo", "ack PSP-2026-0001")
    await core.text("carl", "ack PSP-2026-0001")
    driver = Driver(core)
    assert escalations(await driver.run_until(START + timedelta(hours=2))) == []


async def test_urgent_flag_escalates_after_four_hours_then_waits_for_working_hours(
    core: Harness,
) -> None:
    await core.text("carl", "flag urgent stopped taking medication, eviction notice")
    await core.text("bo", "ack PSP-2026-0001")
    driver = Driver(core)
    posted = escalations(await driver.run_until(START + timedelta(days=1)))
    # 4 hours after 10:00 local is 14:00, inside working hours; 8 more hours is 22:00, so
    # the lead is told at 08:00 local the next morning (07:00 UTC).
    assert posted == [
        (timedelta(hours=4), "police/deputies", ["dina"]),
        (timedelta(hours=22), "police/lead", ["erik"]),
    ]


async def test_normal_flag_is_not_escalated_but_goes_on_the_agenda(core: Harness) -> None:
    await core.text("anna", "flag normal neighbours complain about noise")
    await core.text("erik", "meeting schedule 2026-11-26 09:00 --remind 1d")
    driver = Driver(core)
    posted = await driver.run_until(START + timedelta(days=3))
    assert escalations(posted) == []
    (reminder,) = [p for p in posted if "Reminder" in p.reply.text]
    assert "PSP-2026-0001 normal" in reminder.reply.text
    assert "not acknowledged: social services, psychiatry" in reminder.reply.text


async def test_closing_the_case_stops_escalation(core: Harness) -> None:
    await core.text("anna", "flag acute threatens to set fire to the flat")
    await core.text("anna", "take PSP-2026-0001")
    await core.text(
        "anna", "close PSP-2026-0001 admitted to psychiatric ward --outcome treatment-started"
    )
    driver = Driver(core)
    assert escalations(await driver.run_until(START + timedelta(hours=2))) == []


async def test_escalation_steps_are_recorded_on_the_case(core: Harness) -> None:
    await core.text("anna", "flag acute threatens to set fire to the flat")
    driver = Driver(core)
    await driver.run_until(START + timedelta(minutes=50))
    audit = await core.text("erik", "audit PSP-2026-0001")
    # Two agencies, two steps each: four rows, by the bot (no member), on the case.
    assert audit.count("· — · escalated (not acknowledged)") == 4


def followups(posted: list[Posted]) -> list[tuple[datetime, str]]:
    return [(p.at, p.reply.text) for p in posted if "Decision follow-up" in p.reply.text]


async def test_decision_reminded_the_day_before_then_reported_daily_when_overdue(
    core: Harness,
) -> None:
    await core.text("anna", "flag urgent stopped taking medication")
    await core.text(
        "erik",
        "decide PSP-2026-0001 home visit by the outreach team --owner social --due 2026-11-25 "
        "--fallback 'police welfare check' --fallback-owner police",
    )
    for agency_user in ("bo", "carl"):
        await core.text(agency_user, "ack PSP-2026-0001")
    driver = Driver(core)
    posted = followups(await driver.run_until(datetime(2026, 11, 30, 12, 0, tzinfo=UTC)))
    days = [at.date().isoformat() for at, _ in posted]
    # Tuesday: due tomorrow. Wednesday (the due day): nothing. Thursday and Friday: overdue.
    # No reports at the weekend; Monday overdue again.
    assert days == ["2026-11-24", "2026-11-26", "2026-11-27", "2026-11-30"]
    assert all(at.time().isoformat() == "08:00:00" for at, _ in posted)  # 09:00 local
    tuesday, thursday, friday, monday = (text for _, text in posted)
    assert "Due soon:" in tuesday and "home visit by the outreach team" in tuesday
    assert "Overdue:" in thursday
    assert "the fallback now applies for police: police welfare check" in thursday
    assert "fallback" not in friday and "fallback" not in monday
    mentions = [
        sorted(m.display_name for m in p.reply.mentions)
        for p in driver.posted
        if "Decision follow-up" in p.reply.text
    ]
    assert mentions[0] == ["bo", "erik"]  # the owner agency
    assert mentions[1] == ["anna", "bo", "dina", "erik"]  # owner and fallback owner


async def test_done_decision_is_no_longer_followed_up(core: Harness) -> None:
    await core.text("anna", "flag normal stopped taking medication")
    await core.text("erik", "decide PSP-2026-0001 home visit --owner social --due 2026-11-24")
    driver = Driver(core)
    await driver.run_until(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    await core.text("bo", "done PSP-2026-0001 1")
    assert followups(await driver.run_until(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))) == []
