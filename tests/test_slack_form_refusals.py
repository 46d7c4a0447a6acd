"""A form the core refuses stays open: the refusal, the core's own one line, under the field
it concerns (or under the main text field), what was typed kept, nothing stored, and the
mended form can be sent again. If the core has not answered within Slack's deadline, the form
closes and the refusal comes as a private message, as any other. Real signed requests against
the bot in HTTP mode, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.i18n import translate
from tests.conftest import Harness, build_harness
from tests.slack_standin import PRIVATE, SlackRig, rig, standin, view_submission
from tests.slack_standin.rig import start_rig, stop_rig
from tests.snapshot import snapshot
from tests.test_slack_flow import answered, posted, set_up_group
from tests.test_slack_forms import flag_values, open_form

__all__ = ["rig", "standin"]  # the fixtures

VIEW_ID = "VFORM0001"  # Slack keeps a form's view id while it stays open


async def submit(
    rig: SlackRig, view: dict[str, Any], values: dict[str, Any], user: str
) -> tuple[int, dict[str, Any]]:
    payload = view_submission(view, values, user=user, view_id=VIEW_ID)
    status, _headers, text = await rig.interact(payload)
    return status, (json.loads(text) if text else {})


def decision(
    text: str = "Fælles hjemmebesøg",
    *,
    due: str | None = None,
    owner: str | None = None,
    fallback: str | None = None,
    fallback_owner: str | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {"decision": {"value": {"value": text}}}
    if due is not None:
        values["due"] = {"value": {"type": "datepicker", "selected_date": due}}
    if owner is not None:
        values["owner"] = {"value": {"selected_option": {"value": owner}}}
    if fallback is not None:
        values["fallback"] = {"value": {"value": fallback}}
    if fallback_owner is not None:
        values["fallback_owner"] = {"value": {"selected_option": {"value": fallback_owner}}}
    return values


async def decide_form(rig: SlackRig, ref: str = "PSP-2026-0001") -> dict[str, Any]:
    await set_up_group(rig)
    assert await rig.command("UANNA", "flag acute Borger truer naboer") == 200
    await posted(rig.standin, 1)
    return await open_form(rig, "UERIK", f"decide {ref}")


def said(rig: SlackRig) -> int:
    """Messages the bot has posted or answered privately so far."""
    s = rig.standin
    return len(s.of("chat.postMessage")) + len(s.of("chat.postEphemeral")) + len(s.responses)


@pytest.mark.parametrize(
    ("values", "field", "line"),
    [
        (
            decision(due="2020-01-06"),
            "due",
            ("error.due_in_past", {"due": "2020-01-06"}),
        ),
        (
            decision(owner="probation"),
            "owner",
            ("error.agency_not_in_group", {"agency": "probation service"}),
        ),
        (
            decision(fallback="Politiet kører forbi", fallback_owner="housing"),
            "fallback_owner",
            ("error.agency_not_in_group", {"agency": "housing association"}),
        ),
    ],
)
async def test_the_cores_refusal_stays_under_the_field_it_concerns(
    rig: SlackRig,
    harness: Harness,
    values: dict[str, Any],
    field: str,
    line: tuple[str, dict[str, str]],
) -> None:
    view = await decide_form(rig)
    before, quiet = await snapshot(harness), said(rig)
    status, answer = await submit(rig, view, values, user="UERIK")
    key, params = line
    assert status == 200
    assert answer == {
        "response_action": "errors",
        "errors": {field: translate("en", key, **params)},
    }
    # The form says it; nothing else does, and nothing was stored.
    assert said(rig) == quiet
    assert await snapshot(harness) == before
    # The same form, mended, goes through: the decision is recorded.
    mended = decision(due="2026-12-31", fallback="Politiet kører forbi", fallback_owner="police")
    status, answer = await submit(rig, view, mended, user="UERIK")
    assert (status, answer) == (200, {})
    shown = await answered(rig, "UERIK", "show PSP-2026-0001")
    assert "Fælles hjemmebesøg" in shown and "Politiet kører forbi" in shown


async def test_a_refusal_of_no_single_field_goes_under_the_main_text(
    rig: SlackRig, harness: Harness
) -> None:
    view = await decide_form(rig, "PSP-2026-0099")
    before = await snapshot(harness)
    _status, answer = await submit(rig, view, decision(), user="UERIK")
    line = translate("en", "error.unknown_case", ref="PSP-2026-0099")
    assert answer == {"response_action": "errors", "errors": {"decision": line}}
    # The flag form: a person who is not a member of the group.
    flag_view = await open_form(rig, "UOUTSIDER", "flag")
    _status, answer = await submit(rig, flag_view, flag_values("Borger truer"), user="UOUTSIDER")
    line = translate("en", "error.not_member")
    assert answer == {"response_action": "errors", "errors": {"summary": line}}
    assert await snapshot(harness) == before


async def test_a_form_from_a_channel_the_bot_is_not_in_says_how_to_fix_it(
    rig: SlackRig, harness: Harness
) -> None:
    """A person types `/psp flag` in a private channel the bot was never invited to: the form
    opens, but the bot can post nothing there. The form itself says how to fix it."""
    await set_up_group(rig)
    rig.standin.hidden_channels.add("GHIDDEN")
    before, quiet = await snapshot(harness), said(rig)
    before_open = len(rig.standin.of("views.open"))
    assert await rig.command("UANNA", "flag", channel="GHIDDEN") == 200
    await rig.standin.wait_for(lambda s: len(s.of("views.open")) > before_open)
    view = rig.standin.of("views.open")[before_open]["view"]
    _status, answer = await submit(rig, view, flag_values("Borger truer"), user="UANNA")
    line = translate("en", "slack.invite_first")
    assert answer == {"response_action": "errors", "errors": {"summary": line}}
    assert "/invite @psp-bot" in line
    assert said(rig) == quiet
    assert await snapshot(harness) == before


async def test_a_closed_case_is_refused_in_the_bots_language(
    rig: SlackRig, harness: Harness
) -> None:
    view = await decide_form(rig)
    # The 200 comes after the commit: the case is closed when the form is sent.
    assert await rig.command("UANNA", "take PSP-2026-0001") == 200
    assert await rig.command("UANNA", "close PSP-2026-0001 løst --outcome other") == 200
    # The same database, served by a bot that speaks Danish.
    danish = build_harness(harness.engine, harness.clock, "da")
    dansk = await start_rig(danish.router, rig.standin, locale="da")
    try:
        _status, answer = await submit(dansk, view, decision(), user="UERIK")
    finally:
        await stop_rig(dansk)
    line = translate("da", "error.case_closed", ref="PSP-2026-0001")
    assert answer == {"response_action": "errors", "errors": {"decision": line}}


async def test_past_slacks_deadline_the_form_closes_and_the_refusal_is_a_message(
    rig: SlackRig, harness: Harness
) -> None:
    view = await decide_form(rig)
    # Sent to a bot just restarted (it has yet to look the channel up), whose core is slow
    # this time: the channel lookup waits until the test opens it.
    fresh = await start_rig(harness.router, rig.standin)
    fresh.adapter.forms.seconds = 0.2
    gate = asyncio.Event()
    rig.standin.gates["conversations.info"] = gate
    before = await snapshot(harness)
    try:
        status, answer = await submit(fresh, view, decision(due="2020-01-06"), user="UERIK")
        assert (status, answer) == (200, {})  # the form closed
        assert rig.standin.of("chat.postEphemeral") == []
        gate.set()
        await rig.standin.wait_for(lambda s: len(s.of("chat.postEphemeral")) == 1)
    finally:
        gate.set()
        await stop_rig(fresh)
    (private,) = rig.standin.of("chat.postEphemeral")
    assert private["user"] == "UERIK" and private["channel"] == PRIVATE
    assert private["text"] == translate("en", "error.due_in_past", due="2020-01-06")
    assert await snapshot(harness) == before
