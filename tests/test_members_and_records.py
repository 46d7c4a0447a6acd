"""Members, notes, decisions, the case list and escalations as the group's members meet them,
on the in-memory fakes (unit tier), SQLite and PostgreSQL (the `core` fixture)."""

from __future__ import annotations

from tests.conftest import Harness

FIRST, SECOND = "PSP-2026-0001", "PSP-2026-0002"


async def two_cases(h: Harness) -> None:
    assert FIRST in await h.text("anna", "flag urgent Første sag")
    assert SECOND in await h.text("bo", "flag normal Anden sag")


async def test_the_lead_adds_and_removes_a_member_who_then_cannot_act(core: Harness) -> None:
    assert "Members of «Demo» (5):" in await core.text("erik", "member list")
    added = await core.text("erik", "member add frida psychiatry")
    assert "frida added as representative for psychiatry." in added
    listing = await core.text("bo", "member list")
    assert "Members of «Demo» (6):" in listing
    assert "psychiatry · representative · frida (console)" in listing
    assert "No open cases." in await core.text("frida", "list")
    assert "frida removed from the group." in await core.text("erik", "member remove frida")
    assert "not a member of this group" in await core.text("frida", "list")
    assert "frida" not in await core.text("erik", "member list")
    assert "Only the group's lead" in await core.text("anna", "member add x police")


async def test_notes_and_decisions_are_numbered_and_shown(core: Harness) -> None:
    await two_cases(core)
    assert f"{FIRST}: note no. 1 saved." in await core.text("anna", f"note {FIRST} et notat")
    assert f"{FIRST}: note no. 2 saved." in await core.text("bo", f"note {FIRST} to")
    assert f"{SECOND}: note no. 1 saved." in await core.text("bo", f"note {SECOND} tre")
    await core.text("anna", f"take {FIRST}")
    decided = await core.text("anna", f"decide {FIRST} Besøg --due 2026-12-01")
    assert "decision no. 1 recorded (anna)" in decided
    assert "owned by police" in await core.text("carl", f"done {FIRST} 1")
    assert "decision no. 1 is done (anna)" in await core.text("anna", f"done {FIRST} 1")
    assert "already marked done; nothing changed" in await core.text("anna", f"done {FIRST} 1")
    shown = await core.text("bo", f"show {FIRST}")
    assert "1. Besøg · owner: police · due: 2026-12-01 · ✔ done" in shown
    assert "1. et notat (anna," in shown and "2. to (bo," in shown
    assert "tre" not in shown
    assert "police took over (anna)" in shown


async def test_the_case_list_by_scope(core: Harness) -> None:
    await two_cases(core)
    await core.text("anna", f"take {FIRST}")
    mine = await core.text("anna", "list mine")
    assert "my agency's cases: 1" in mine and FIRST in mine and SECOND not in mine
    listed = await core.text("anna", "list")
    assert "open cases: 2" in listed
    assert listed.index(FIRST) < listed.index(SECOND)  # urgent before normal
    await core.text("anna", f"close {FIRST} løst --outcome other")
    closed = await core.text("anna", "list closed")
    assert "closed cases: 1" in closed and FIRST in closed and SECOND not in closed
    assert "all cases: 2" in await core.text("anna", "list all")
    assert "open cases: 1" in await core.text("anna", "list")


async def test_an_escalation_is_recorded_and_handled_once(core: Harness) -> None:
    recorded = await core.text("anna", "escalate Mangler tolk")
    assert "Escalation no. 1 is recorded." in recorded
    assert "marked handled" in await core.text("erik", "escalate handled 1")
    assert "already marked handled" in await core.text("erik", "escalate handled 1")
    assert "Only the group's lead" in await core.text("anna", "escalate handled 1")
