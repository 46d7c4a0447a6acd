"""The whole case lifecycle through the core, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.conftest import Harness

REF = "PSP-2026-0001"


async def flag(h: Harness) -> str:
    out = await h.text("anna", "flag acute Borger truer naboer #threat")
    assert REF in out
    return out


async def test_flag_alerts_other_agencies_and_mentions_their_reps(core: Harness) -> None:
    replies = await core.say("anna", "flag acute Borger truer naboer #threat")
    assert len(replies) == 1
    alert = replies[0]
    assert REF in alert.text and "Borger truer naboer" in alert.text
    assert "social services, psychiatry" in alert.text
    assert {m.display_name for m in alert.mentions} == {"bo", "carl", "erik"}
    assert [a.command for a in alert.actions] == [f"ack {REF}", f"take {REF}", f"show {REF}"]


async def test_full_walk_from_flag_to_close(core: Harness) -> None:
    h = core
    await flag(h)
    assert "psychiatry" in await h.text("bo", f"ack {REF}")
    assert "already acknowledged" in await h.text("bo", f"ack {REF}")
    await h.text("carl", f"kvitter {REF}")
    proposal = await h.say("anna", f"assign {REF} psychiatry")
    assert "proposes" in proposal[0].text
    assert [m.display_name for m in proposal[0].mentions] == ["carl"]
    assert "responsible: none" in await h.text("anna", f"show {REF}")
    assert "now holds responsibility" in await h.text("carl", f"accept {REF}")
    out = await h.text(
        "carl",
        f'decide {REF} "Opsøgende besøg" --due 2026-12-01 --fallback "Politiet ledsager" '
        "--fallback-owner police",
    )
    assert "decision no. 1" in out
    shown = await h.text("erik", f"show {REF}")
    assert "responsible: psychiatry" in shown
    assert "if the plan slips: Politiet ledsager (police)" in shown
    assert "Acknowledged: police, social services, psychiatry" in shown
    assert "closed" in await h.text(
        "carl", f"close {REF} Borger indlagt frivilligt --outcome treatment-started"
    )
    assert "No open cases" in await h.text("anna", "list")
    assert REF in await h.text("anna", "list closed")


async def test_close_is_refused_without_responsible_agency(core: Harness) -> None:
    await flag(core)
    out = await core.text("anna", f"close {REF} løst --outcome other")
    assert "cannot be closed" in out
    assert "open" in await core.text("anna", f"show {REF}")


async def test_assign_by_lead_takes_effect_at_once(core: Harness) -> None:
    await flag(core)
    await core.text("erik", f"assign {REF} police")
    assert "responsible: police" in await core.text("bo", f"show {REF}")


async def test_decline_keeps_earlier_responsibility(core: Harness) -> None:
    await flag(core)
    await core.text("anna", f"take {REF}")
    await core.text("bo", f"assign {REF} psychiatry")
    out = await core.text("carl", f"decline {REF} ikke vores område")
    assert "stays with police" in out
    assert "responsible: police" in await core.text("bo", f"show {REF}")


async def test_every_change_of_responsibility_is_kept(harness: Harness) -> None:
    await flag(harness)
    await harness.text("anna", f"take {REF}")
    await harness.text("bo", f"take {REF}")
    async with harness.engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT agency, previous, how FROM responsibility_history ORDER BY id")
            )
        ).all()
    assert [tuple(r) for r in rows] == [("police", None, "take"), ("social", "police", "take")]


async def test_refs_count_per_group_and_year(core: Harness) -> None:
    await flag(core)
    out = await core.text("bo", "flag urgent Udsat for udsættelse #housing")
    assert "PSP-2026-0002" in out


@pytest.mark.parametrize(
    ("locale", "flagged", "read"), [("en", "· flagged", "· read"), ("da", "· markeret", "· læst")]
)
async def test_audit_rows_for_reads_and_writes(
    core: Harness, locale: str, flagged: str, read: str
) -> None:
    await flag(core)
    await core.text("bo", f"show {REF}")
    core.locale = locale
    out = await core.text("erik", f"audit {REF}")
    lines = out.splitlines()
    assert any(line.endswith(flagged) for line in lines)
    assert any(line.endswith(read) for line in lines)
    assert "case." not in out
    core.locale = "en"
    assert "Only the group's lead" in await core.text("bo", f"audit {REF}")


async def test_full_walk_in_danish(core: Harness) -> None:
    h = core
    h.locale = "da"
    assert "AKUT: ny sag PSP-2026-0001 meldt af politi (anna)" in await h.text(
        "anna", "akut Borger truer naboer #truende"
    )
    assert "socialforvaltning har kvitteret" in await h.text("bo", f"kvitter {REF}")
    assert "foreslår, at psykiatri overtager" in await h.text("anna", f"tildel {REF} psykiatri")
    assert "psykiatri har accepteret" in await h.text("carl", f"accepter {REF}")
    assert "beslutning nr. 1 registreret" in await h.text(
        "carl", f'beslut {REF} "Besøg" --fallback "Politiet ledsager" --fallback-owner politi'
    )
    shown = await h.text("erik", f"vis {REF}")
    assert "ansvar: psykiatri" in shown
    assert "hvis planen glipper: Politiet ledsager (politi)" in shown
    assert "er lukket med en løsning" in await h.text(
        "carl", f"luk {REF} Indlagt frivilligt --udfald behandling-startet"
    )
    assert "Ingen åbne sager." in await h.text("anna", "liste")


async def test_show_of_a_purged_case_says_the_texts_are_gone(harness: Harness) -> None:
    h = harness
    await flag(h)
    await h.text("anna", f"take {REF}")
    await h.text("anna", f"close {REF} Løst --outcome other")
    h.clock.advance(timedelta(days=400))
    async with h.engine.begin() as conn:
        await conn.execute(
            text("UPDATE cases SET summary = '', resolution = NULL, purged_at = :at"),
            {
                "at": h.clock.now().replace(tzinfo=None)
                if "sqlite" in str(h.engine.url)
                else h.clock.now()
            },
        )
    shown = await h.text("erik", f"show {REF}")
    assert "texts were deleted when the retention period ended" in shown
    assert "Summary:" not in shown and "responsible: police" in shown
