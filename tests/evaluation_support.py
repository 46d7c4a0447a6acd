"""A year of cooperation in the demo group, built through the commands on the fake clock, and
the figures the evaluation must find in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import Harness

# Monday 2 March 2026, 09:00 UTC (10:00 in Copenhagen).
MARCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
APRIL = datetime(2026, 4, 6, 9, 0, tzinfo=UTC)


async def build_year(h: Harness) -> None:
    """March: five acute cases flagged by police (#threat), each acknowledged by social
    services after one hour and taken by psychiatry after two; three closed as treatment
    started, two as housing secured; one reopened. April: four urgent cases flagged by social
    services (#housing), acknowledged by psychiatry after 30 minutes; one proposal to police
    declined; one decision due and done on time, one due and overdue. Two escalations."""
    h.clock.set(MARCH)
    for number in range(1, 6):
        ref = f"PSP-2026-{number:04d}"
        await h.text("anna", f"flag acute Borger truer naboer #threat sag {number}")
        h.clock.advance(timedelta(hours=1))
        await h.text("bo", f"ack {ref}")
        h.clock.advance(timedelta(hours=1))
        await h.text("carl", f"take {ref}")
        h.clock.advance(timedelta(days=1))
    for number in range(1, 6):
        outcome = "treatment-started" if number <= 3 else "housing-secured"
        await h.text("carl", f"close PSP-2026-{number:04d} løst --outcome {outcome}")
        h.clock.advance(timedelta(hours=1))
    await h.text("erik", "reopen PSP-2026-0005 borger flyttet tilbage")
    h.clock.set(APRIL)
    for number in range(6, 10):
        ref = f"PSP-2026-{number:04d}"
        await h.text("bo", f"flag urgent Borger mister bolig #housing sag {number}")
        h.clock.advance(timedelta(minutes=30))
        await h.text("carl", f"ack {ref}")
        h.clock.advance(timedelta(hours=1))
    await h.text("bo", "assign PSP-2026-0006 police")
    await h.text("anna", "decline PSP-2026-0006 ikke en politisag")
    await h.text("bo", "take PSP-2026-0006")
    await h.text("bo", "decide PSP-2026-0006 Boligmøde --due 2026-04-10")
    await h.text("bo", "decide PSP-2026-0006 Opfølgning --due 2026-04-20")
    h.clock.advance(timedelta(days=1))
    await h.text("bo", "done PSP-2026-0006 1")
    await h.text("erik", "escalate Regler for udveksling er uklare")
    await h.text("erik", "escalate Psykiatrien mangler kapacitet")
