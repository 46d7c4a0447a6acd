"""Steering groups: a room that oversees several operative groups, receives and answers their
escalations and gets their statistics, never a case. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import Harness
from tests.evaluation_support import build_year
from tests.test_evaluation_report import pdf_text
from tests.test_rules import refused

STEER = "steer"


async def _two_groups_under_one_steering_group(h: Harness) -> None:
    assert "created" in await h.text("admin", "group setup Vest --prefix VST", room="vest")
    out = await h.text("admin", "steering setup Styregruppe Nord", room=STEER)
    assert "now the steering group Styregruppe Nord" in out
    assert "now belongs" in await h.text("admin", "steering add Demo", room=STEER)
    assert "now belongs" in await h.text("admin", "steering add Vest", room=STEER)
    assert "already belongs" in await h.text("admin", "steering add Demo", room=STEER)


async def test_escalations_reach_the_steering_room_and_its_answer_the_group(
    harness: Harness,
) -> None:
    h = harness
    await _two_groups_under_one_steering_group(h)
    replies = await h.say("erik", "escalate Reglerne for udveksling er uklare")
    by_room = {r.room.room_id: r.text for r in replies}
    assert "Reglerne for udveksling er uklare" in by_room[STEER]
    assert "sent to the steering group" in by_room["console"]
    await refused(h, "kirsten", "escalate answer 1 Vi tager det op", "Add --group NAME", room=STEER)
    replies = await h.say("kirsten", "escalate answer 1 Vi tager det op --group Demo", room=STEER)
    by_room = {r.room.room_id: r.text for r in replies}
    assert "answered escalation no. 1: Vi tager det op" in by_room["console"]
    assert "sent to Demo" in by_room[STEER]
    await refused(
        h, "kirsten", "escalate answer 1 Igen --group Demo", "answered already", room=STEER
    )
    await h.text("erik", "meeting schedule 2026-12-01 10:00")
    agenda = await h.text("erik", "meeting agenda")
    assert "steering answer: Vi tager det op" in agenda
    await h.text("erik", "escalate handled 1")
    assert "Vi tager det op" not in await h.text("erik", "meeting agenda")


async def test_steering_room_sees_no_case_and_bad_links_change_nothing(harness: Harness) -> None:
    h = harness
    await _two_groups_under_one_steering_group(h)
    await h.text("anna", "flag acute Borger truer naboer")
    await refused(h, "kirsten", "show PSP-2026-0001", "belongs to no group", room=STEER)
    await refused(h, "kirsten", "list", "belongs to no group", room=STEER)
    await h.text("admin", "steering setup Styregruppe Syd", room="steer2")
    await refused(
        h, "admin", "steering add Demo", "already belongs to the steering group", room="steer2"
    )
    await refused(h, "admin", "steering setup Anden", "already belongs to an operative group")
    await refused(h, "admin", "steering add Demo", "not a steering room")
    await refused(h, "admin", "steering add Nord", "No group is named", room=STEER)
    await refused(h, "admin", "steering remove Demo", "does not belong", room="steer2")
    assert "no longer belongs" in await h.text("admin", "steering remove Vest", room=STEER)


async def test_steering_report_covers_every_group_and_each_apart(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    await _two_groups_under_one_steering_group(h)
    await build_year(h)
    h.clock.set(datetime(2027, 1, 15, 9, 0, tzinfo=UTC))
    replies = await h.say("kirsten", "report", room=STEER)
    assert len(replies) == 1
    assert replies[0].text.splitlines()[0].startswith("📊 Evaluation · Styregruppe Nord · 2026")
    path = tmp_path / replies[0].attachments[0].filename
    assert path.name == "styregruppe-nord-evaluation-2026.pdf"
    path.write_bytes(replies[0].attachments[0].data)
    body = pdf_text(path)
    assert "The operative groups" in body
    demo = next(line for line in body.splitlines() if line.strip().startswith("Demo "))
    vest = next(line for line in body.splitlines() if line.strip().startswith("Vest "))
    assert demo.split()[1:4] == ["9", "<5", "5"]
    assert vest.split()[1:4] == ["0", "0", "0"]
    for secret in ("Borger", "PSP-2026", "anna", "erik"):
        assert secret not in body
