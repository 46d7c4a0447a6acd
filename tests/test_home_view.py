"""The home view as the core makes it (the Slack App Home renders it), on the fakes, SQLite
and PostgreSQL: one part per question a representative asks, per group, bounded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain import Platform
from bot.usecases.home import HOME_LINES, HomeView
from tests.conftest import Harness, core
from tests.slack_standin.blockkit import view_problem

__all__ = ["core"]


def part(view: HomeView, heading: str) -> tuple[str, ...]:
    (group,) = view.groups
    return next(
        p.lines + ((p.more,) if p.more else ()) for p in group.parts if p.heading == heading
    )


async def test_the_parts_of_a_social_workers_home(core: Harness) -> None:
    await core.say("anna", "flag acute Borger truer naboer")  # PSP-2026-0001
    await core.say("anna", "flag urgent Mister boligen")  # PSP-2026-0002
    await core.say("bo", "take PSP-2026-0002")
    await core.say("erik", "decide PSP-2026-0002 'Ingen frist' --owner social")
    await core.say("erik", "decide PSP-2026-0002 'Med frist' --owner social --due 2026-11-30")
    await core.say("erik", "decide PSP-2026-0001 'Politiets' --owner police --due 2026-11-24")
    core.clock.advance(timedelta(days=1))
    view = await core.router.home(Platform.CONSOLE, "bo", locale="en")
    assert view.title == "Your PSP groups"
    assert [
        line.split(" · ")[0][-13:] for line in part(view, "Awaiting your agency's acknowledgement")
    ] == ["PSP-2026-0001"]
    assert len(part(view, "Your agency is responsible")) == 1
    # Dated decisions first, by due date, then the undated; only social services' own.
    assert part(view, "Your agency's open decisions") == (
        "PSP-2026-0002 #2 · due 2026-11-30 — Med frist",
        "PSP-2026-0002 #1 · no due date — Ingen frist",
    )
    assert part(view, "Next meeting") == ()
    danish = await core.router.home(Platform.CONSOLE, "bo", locale="da")
    assert danish.groups[0].parts[0].heading == "Afventer din myndigheds kvittering"


async def test_someone_in_no_group_gets_a_way_in(core: Harness) -> None:
    view = await core.router.home(Platform.CONSOLE, "nobody", locale="en")
    assert view.groups == () and "not a member of any group" in view.title


@pytest.mark.parametrize("cases", [HOME_LINES + 5])
async def test_a_part_says_how_many_more_there_are(core: Harness, cases: int) -> None:
    for n in range(cases):
        await core.say("anna", f"flag normal Sag {n}")
    view = await core.router.home(Platform.CONSOLE, "bo", locale="en")
    lines = part(view, "Awaiting your agency's acknowledgement")
    assert len(lines) == HOME_LINES + 1 and lines[-1] == "… and 5 more"


def test_the_stand_in_refuses_what_slack_refuses() -> None:
    header = {"type": "header", "text": {"type": "plain_text", "text": "x"}}
    assert view_problem({"type": "home", "blocks": [header]}) is None
    assert "blocks" in str(view_problem({"type": "home", "blocks": [header] * 101}))
    long_header = {"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}
    assert view_problem({"type": "home", "blocks": [long_header]})
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}
    assert view_problem({"type": "home", "blocks": [section]})
