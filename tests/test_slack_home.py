"""Slack's App Home, driven as Slack drives it: `app_home_opened` -> `views.publish`, each view
checked by the stand-in against Block Kit's limits. For each of the person's groups,
separately: the cases awaiting their agency's acknowledgement, the cases their agency holds,
their agency's open and overdue decisions, the next meeting — refs and one-line states, at the
groups' detail level, fresh each time the tab is opened."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from tests.conftest import Harness
from tests.slack_standin import SlackRig, alert_blocks_text, app_home_opened, rig, standin
from tests.test_slack_flow import answered, click, flag, set_up_group

__all__ = ["rig", "standin"]  # the fixtures

SECOND = "GPRIVATE2"


async def open_home(rig: SlackRig, user: str, *, tab: str = "home") -> dict[str, Any] | None:
    before = len(rig.standin.calls)
    status, _headers, _text = await rig.event(app_home_opened(user, tab=tab))
    assert status == 200  # acknowledged after the view was published
    assert rig.standin.refused_views == []  # within Block Kit's limits
    published = [c for c in rig.standin.calls[before:] if c.method == "views.publish"]
    return rig.standin.home_views[user] if published else None


def seen(view: dict[str, Any]) -> str:
    out: list[str] = []
    for block in view["blocks"]:
        if block["type"] in ("header", "section"):
            out.append(block["text"]["text"])
        elif block["type"] == "context":
            out.extend(e["text"] for e in block["elements"])
    return "\n".join(out)


def group_part(view: dict[str, Any], title: str) -> str:
    """What the view shows under one group's header."""
    text, inside = [], False
    for block in view["blocks"]:
        if block["type"] == "header":
            inside = block["text"]["text"].startswith(title)
        elif inside and block["type"] == "section":
            text.append(block["text"]["text"])
    return "\n".join(text)


async def test_the_home_tab_shows_what_waits_for_my_agency(rig: SlackRig, harness: Harness) -> None:
    await set_up_group(rig)
    await flag(rig, "flag acute Borger truer naboer")
    await flag(rig, "flag urgent Mister boligen")
    for user, command in (
        ("UBO", "take PSP-2026-0002"),
        ("UERIK", 'decide PSP-2026-0002 "Hjemmebesøg med SSP" --owner social --due 2026-11-25'),
        ("UERIK", 'meeting schedule 2026-12-01 09:00 --theme "Unge i bolig"'),
    ):
        assert await rig.command(user, command) == 200  # answered once committed
    harness.clock.advance(timedelta(days=3))  # the decision's due date passes

    view = await open_home(rig, "UBO")
    assert view is not None and view["type"] == "home"
    shown = group_part(view, "Nord")
    awaiting, rest = shown.split("*Your agency is responsible*")
    assert "PSP-2026-0001" in awaiting and "PSP-2026-0002" not in awaiting  # taking = ack
    responsible, rest = rest.split("*Your agency's open decisions*")
    assert "PSP-2026-0002" in responsible and "PSP-2026-0001" not in responsible
    assert "awaiting: police" not in responsible  # police flagged it: acknowledged
    decisions, meeting = rest.split("*Next meeting*")
    assert "PSP-2026-0002 #1 · due 2026-11-25 · OVERDUE — Hjemmebesøg med SSP" in decisions
    assert "Meeting 1: 2026-12-01 09:00 — Unge i bolig" in meeting  # the group's wall time
    assert "Nord — social services, representative" in seen(view)
    # Refs and one-line states only: no case summary reaches the Home tab.
    assert "Borger truer" not in seen(view) and "Mister boligen" not in seen(view)

    # Fresh each time it is opened: once social services acknowledged, nothing waits.
    assert await rig.command("UBO", "ack PSP-2026-0001") == 200
    view = await open_home(rig, "UBO")
    assert view is not None
    assert "No case is waiting for you." in group_part(view, "Nord")
    assert await home_reads(harness) >= 2  # every drawing of the tab is audited


async def home_reads(harness: Harness) -> int:
    assert harness.engine is not None
    async with harness.engine.connect() as conn:
        result = await conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'home.read'")
        )
        return int(result.scalar_one())


async def test_each_group_separately_at_its_own_detail_level(rig: SlackRig) -> None:
    rig.standin.private_channels.add(SECOND)
    await set_up_group(rig)
    assert "Syd" in await answered(
        rig, "UADMIN", "group setup Syd --prefix SYD --detail minimal", channel=SECOND
    )
    for user, role in (("<@UBO|bo>", "social lead"), ("<@UANNA|anna>", "police rep")):
        await answered(rig, "UADMIN", f"member add {user} {role}", channel=SECOND)
    await flag(rig, "flag acute Nord-sag")
    assert await rig.command("UANNA", "flag acute Syd-sag", channel=SECOND) == 200
    decide = 'decide SYD-2026-0001 "Hemmelig plan" --owner social'
    assert await rig.command("UBO", decide, channel=SECOND) == 200
    view = await open_home(rig, "UBO")
    assert view is not None
    nord, syd = group_part(view, "Nord"), group_part(view, "Syd")
    assert "PSP-2026-0001" in nord and "SYD-2026-0001" not in nord
    assert "SYD-2026-0001" in syd and "PSP-2026-0001" not in syd
    assert "Syd — social services, lead" in seen(view)
    # A minimal-detail group shows the decision's ref and number, never its text.
    assert "SYD-2026-0001 #1 · no due date" in syd and "Hemmelig plan" not in seen(view)


async def test_a_stranger_and_the_messages_tab(rig: SlackRig) -> None:
    await set_up_group(rig)
    view = await open_home(rig, "UZED")
    assert view is not None and "not a member of any group" in seen(view)
    assert await open_home(rig, "UANNA", tab="messages") is None  # nothing to draw there


async def test_a_large_group_stays_within_block_kits_limits(rig: SlackRig) -> None:
    await set_up_group(rig)
    for n in range(30):
        assert await rig.command("UANNA", f"flag normal Sag nummer {n} " + "x" * 900) == 200
    view = await open_home(rig, "UBO")
    assert view is not None and len(view["blocks"]) <= 100
    assert "… and 22 more" in group_part(view, "Nord")


async def test_the_alert_and_the_home_tab_tell_the_same_state(rig: SlackRig) -> None:
    await set_up_group(rig)
    alert = await flag(rig, "flag acute Borger truer naboer")
    alert["ts"] = "1700000000.000001"
    assert "Awaiting acknowledgement from: social services, psychiatry" in alert_blocks_text(alert)
    for user in ("UBO", "UCARL"):
        view = await open_home(rig, user)
        assert view is not None
        awaiting = group_part(view, "Nord").split("*Your agency is responsible*")[0]
        assert "PSP-2026-0001" in awaiting

    await click(rig, alert, "take", "UCARL")  # psychiatry takes it: that is its ack too
    await rig.standin.wait_for(lambda s: s.of("chat.update"))
    rewritten = alert_blocks_text(rig.standin.of("chat.update")[-1])
    assert "Awaiting acknowledgement from: social services" in rewritten
    assert "responsible: psychiatry" in rewritten
    carl = await open_home(rig, "UCARL")
    assert carl is not None
    awaiting, rest = group_part(carl, "Nord").split("*Your agency is responsible*")
    assert "PSP-2026-0001" not in awaiting
    held = rest.split("*Your agency's open decisions*")[0]
    assert "PSP-2026-0001" in held and "awaiting: social services" in held
    bo = await open_home(rig, "UBO")
    assert bo is not None
    assert "PSP-2026-0001" in group_part(bo, "Nord").split("*Your agency is responsible*")[0]
