"""The alert of a case is derived from the case on every change (bot/alerts.py): rewritten in
place with the summary, who flagged it, who is still awaited and who holds responsibility, and
the change itself posted in the alert's thread. On the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from bot.domain import Platform
from bot.messages import Reply, ReplyKind
from tests.conftest import Harness, build_harness

REF = "PSP-2026-0001"
ALERT = f"alert:{REF}"


def rewrites(replies: list[Reply]) -> list[Reply]:
    return [r for r in replies if r.edit_of == ALERT]


async def test_each_change_rewrites_the_alert_and_goes_in_its_thread(core: Harness) -> None:
    (alert,) = await core.say("anna", "flag normal Borger truer naboer #threat")
    assert alert.message_key == ALERT and alert.edit_of is None

    replies = await core.say("bo", f"ack {REF}")
    (update,) = [r for r in replies if r.kind is ReplyKind.UPDATE]
    assert update.thread_of == ALERT and "social services acknowledged" in update.text
    (rewrite,) = rewrites(replies)
    assert rewrite.kind is ReplyKind.ALERT and rewrite.in_reply_to is None
    assert rewrite.message_key != ALERT  # a message of its own that edits the first post
    assert "Borger truer naboer" in rewrite.text and "flagged by police (anna)" in rewrite.text
    assert "Awaiting acknowledgement from: psychiatry" in rewrite.text
    assert [a.name for a in rewrite.actions] == ["ack", "take", "show"]
    assert {m.display_name for m in rewrite.mentions} == {m.display_name for m in alert.mentions}


async def test_after_both_acknowledged_no_agency_is_awaited(core: Harness) -> None:
    await core.say("anna", "flag normal Borger truer naboer")
    await core.say("bo", f"ack {REF}")
    (rewrite,) = rewrites(await core.say("carl", f"ack {REF}"))
    assert "Awaiting acknowledgement from: none" in rewrite.text
    assert "Acknowledged by: police, social services, psychiatry" in rewrite.text


async def test_taking_responsibility_counts_as_acknowledging(core: Harness) -> None:
    await core.say("anna", "flag normal Borger truer naboer")
    await core.say("bo", f"ack {REF}")
    (rewrite,) = rewrites(await core.say("carl", f"take {REF}"))
    assert "Awaiting acknowledgement from: none" in rewrite.text
    assert "responsible: psychiatry" in rewrite.text
    shown = await core.text("bo", f"show {REF}")
    assert "missing: none" in shown
    assert "already acknowledged" in await core.text("carl", f"ack {REF}")


async def test_a_rewrite_after_a_restart_reads_like_one_before(core: Harness) -> None:
    await core.say("anna", "flag normal Borger truer naboer #threat")
    (before,) = rewrites(await core.say("bo", f"ack {REF}"))
    # The bot restarts: nothing survives but the database.
    again = build_harness(core.engine, core.clock, uow_factory=core.uow_factory)
    (after,) = rewrites(await again.say("carl", f"ack {REF}"))
    assert after.text == before.text.replace(
        "Awaiting acknowledgement from: psychiatry", "Awaiting acknowledgement from: none"
    ).replace("police, social services", "police, social services, psychiatry")
    assert after.actions == before.actions and after.mentions == before.mentions


async def test_a_closed_case_keeps_its_alert_without_buttons(core: Harness) -> None:
    await core.say("anna", "flag normal Borger truer naboer")
    await core.say("carl", f"take {REF}")
    closing = f"close {REF} Indlagt frivilligt --outcome treatment-started"
    (rewrite,) = rewrites(await core.say("carl", closing))
    assert rewrite.actions == ()
    assert "Borger truer naboer" in rewrite.text and "closed" in rewrite.text


async def test_a_minimal_room_gets_the_minimal_rewrite(core: Harness) -> None:
    await core.text("admin", "group setup Demo --detail minimal", room="vagt")
    await core.say("anna", "flag acute Hemmelig tekst")
    replies = await core.say("bo", f"ack {REF}")
    minimal = [r for r in rewrites(replies) if r.room.room_id == "vagt"]
    assert len(minimal) == 1 and minimal[0].room.platform is Platform.CONSOLE
    assert "Hemmelig" not in minimal[0].text and "psychiatry" in minimal[0].text
    (update,) = [r for r in replies if r.kind is ReplyKind.UPDATE and r.room.room_id == "vagt"]
    assert update.thread_of == ALERT
