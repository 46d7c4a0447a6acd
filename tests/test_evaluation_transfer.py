"""Moving a case to another group: asked by the source lead, accepted by the target lead;
nothing moves before. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from tests.conftest import Harness
from tests.snapshot import snapshot
from tests.test_rules import refused

REF = "PSP-2026-0001"


async def _groups(h: Harness) -> None:
    await h.text("admin", "group setup Vest --prefix VST", room="vest")
    await h.text("admin", "member add vera social lead", room="vest")
    await h.text("admin", "member add otto psychiatry", room="vest")
    await h.text("admin", "group setup Ung --kind sspplus --prefix UNG", room="ung")
    await h.text("admin", "member add ulla social lead", room="ung")
    await h.text("anna", "flag urgent Borger mister bolig #housing")
    await h.text("bo", f"ack {REF}")
    await h.text("carl", f"take {REF}")
    await h.text("carl", f'decide {REF} "Boligmøde" --due 2026-12-10')


async def test_a_case_moves_only_when_the_target_lead_accepts(harness: Harness) -> None:
    h = harness
    await _groups(h)
    replies = await h.say("erik", f"transfer {REF} Vest")
    by_room = {r.room.room_id: r.text for r in replies}
    assert "Vest is asked to take over" in by_room["console"]
    assert f"`transfer accept {REF}`" in by_room["vest"]
    assert "open" in await h.text("erik", f"show {REF}")
    await refused(h, "erik", f"transfer {REF} Vest", "already waiting")
    await refused(h, "ulla", f"transfer accept {REF}", "No group has asked you", room="ung")
    replies = await h.say("vera", f"transfer accept {REF}", room="vest")
    by_room = {r.room.room_id: r.text for r in replies}
    assert "taken over as VST-2026-0001 (formerly PSP-2026-0001)" in by_room["vest"]
    assert "transferred to Vest as VST-2026-0001 and closed here" in by_room["console"]
    shown = await h.text("vera", "show VST-2026-0001", room="vest")
    assert "responsible: psychiatry" in shown
    assert "Boligmøde" in shown and "Transferred from PSP-2026-0001 (Demo)" in shown
    assert "social services" in shown  # its acknowledgements came along
    source = await h.text("erik", f"show {REF}")
    assert "closed" in source and "Transferred to VST-2026-0001 (Vest)" in source
    async with h.engine.connect() as conn:
        outcome = (
            await conn.execute(text("SELECT outcome FROM case_closures WHERE event = 'close'"))
        ).scalar_one()
        audit = (
            await conn.execute(
                text("SELECT action FROM audit_log WHERE action LIKE 'case.transfer%' ORDER BY id")
            )
        ).scalars()
        assert list(audit) == [
            "case.transfer_request",
            "case.transfer_in",
            "case.transfer_out",
        ]
    assert outcome == "transferred"


async def test_bad_transfers_change_nothing(harness: Harness) -> None:
    h = harness
    await _groups(h)
    await refused(h, "anna", f"transfer {REF} Vest", "lead")
    await refused(h, "erik", f"transfer {REF} Ung", "--confirm")
    await refused(h, "erik", f"transfer {REF} Nowhere", "No group is named")
    await refused(h, "erik", f"transfer {REF} Demo", "No group is named")
    before = await snapshot(h.engine)
    assert "asked to take over" in await h.text("erik", f"transfer {REF} Ung --confirm")
    assert await snapshot(h.engine) != before
    await h.text("ulla", f"transfer accept {REF}", room="ung")
    await refused(h, "erik", f"transfer {REF} Vest", "is closed")
