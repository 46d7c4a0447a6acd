"""Slack's forms as Slack drives them: a refused field keeps the form open with the error under
that field (`response_action: "errors"`), every flag alias opens the form, and the message
shortcut "Flag as PSP case" opens it holding the message's text — never a CPR number."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from adapters.slack import modals
from tests.slack_standin import (
    PRIVATE,
    TEAM,
    SlackRig,
    alert_blocks_text,
    rig,
    standin,
    view_submission,
)
from tests.test_slack_flow import answered, posted, set_up_group

__all__ = ["rig", "standin"]  # the fixtures

CPR_TEXT = "Borger 010190-1234 truer naboer"


async def open_form(rig: SlackRig, user: str, text: str) -> dict[str, Any]:
    before = len(rig.standin.of("views.open"))
    assert await rig.command(user, text) == 200
    await rig.standin.wait_for(lambda s: len(s.of("views.open")) > before)
    view = rig.standin.of("views.open")[before]["view"]
    assert isinstance(view, dict)
    return view


async def submit(
    rig: SlackRig, view: dict[str, Any], values: dict[str, Any], user: str = "UANNA"
) -> tuple[int, dict[str, Any]]:
    status, _headers, text = await rig.interact(view_submission(view, values, user=user))
    return status, (json.loads(text) if text else {})


def flag_values(summary: str, urgency: str = "acute") -> dict[str, Any]:
    return {
        "urgency": {"value": {"type": "static_select", "selected_option": {"value": urgency}}},
        "summary": {"value": {"type": "plain_text_input", "value": summary}},
    }


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


async def test_a_cpr_number_keeps_the_form_open_with_the_error_under_the_summary(
    rig: SlackRig,
) -> None:
    await set_up_group(rig)
    view = await open_form(rig, "UANNA", "flag")
    status, answer = await submit(rig, view, flag_values(CPR_TEXT))
    assert status == 200
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"summary"}  # the field's block_id
    assert "CPR" in answer["errors"]["summary"] and "010190" not in json.dumps(answer)
    # Nothing happened: no alert, no private refusal (the form says it), no case.
    assert rig.standin.of("chat.postMessage") == []
    assert rig.standin.of("chat.postEphemeral") == []
    # The person mends the text in the same form and sends it again: now it is a case.
    status, answer = await submit(rig, view, flag_values("Borger truer naboer"))
    assert status == 200 and answer == {}
    alert = (await posted(rig.standin, 1))[0]
    assert "PSP-2026-0001" in alert_blocks_text(alert)


async def test_a_summary_of_blanks_is_refused_on_the_field(rig: SlackRig) -> None:
    await set_up_group(rig)
    view = await open_form(rig, "UANNA", "flag")
    _status, answer = await submit(rig, view, flag_values("   \n  "))
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {"summary": "Please fill this in."}
    assert rig.standin.of("chat.postMessage") == []


async def test_the_decision_form_names_the_field_at_fault(rig: SlackRig) -> None:
    await set_up_group(rig)
    await rig.command("UANNA", "flag acute Borger truer")
    await posted(rig.standin, 1)
    view = await open_form(rig, "UERIK", "beslut PSP-2026-0001")
    assert view["callback_id"] == modals.DECIDE_CALLBACK
    values = {
        "decision": {"value": {"value": "Hjemmebesøg"}},
        "fallback": {"value": {"value": "Ring 0101901234 op"}},
        "fallback_owner": {"value": {"selected_option": {"value": "police"}}},
    }
    _status, answer = await submit(rig, view, values, user="UERIK")
    assert set(answer["errors"]) == {"fallback"} and "0101901234" not in json.dumps(answer)
    values["fallback"] = {"value": {"value": "  "}}
    _status, answer = await submit(rig, view, values, user="UERIK")
    assert answer["errors"] == {"fallback": "Write the fallback plan when you choose its owner."}
    values["fallback"] = {"value": {"value": "Politiet kører forbi"}}
    _status, answer = await submit(rig, view, values, user="UERIK")
    assert answer == {}
    shown = await answered(rig, "UERIK", "show PSP-2026-0001")
    assert "Hjemmebesøg" in shown and "Politiet kører forbi" in shown


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("flag", "acute"),
        ("FLAG", "acute"),
        ("akut", "acute"),
        ("haster", "urgent"),
        ("normal", "normal"),
        ("flag haster", "urgent"),
        ("flag normal", "normal"),
    ],
)
async def test_every_flag_alias_alone_opens_the_form(
    rig: SlackRig, text: str, urgency: str
) -> None:
    view = await open_form(rig, "UANNA", text)
    assert view["callback_id"] == modals.FLAG_CALLBACK
    assert inputs(view)["urgency"]["initial_option"]["value"] == urgency


async def test_an_alias_with_a_summary_is_a_flag_not_a_form(rig: SlackRig) -> None:
    await set_up_group(rig)
    assert await rig.command("UANNA", "haster Borger mister boligen") == 200
    alert = (await posted(rig.standin, 1))[0]
    assert "URGENT" in alert_blocks_text(alert)
    assert rig.standin.of("views.open") == []


def message_shortcut(text: str, *, user: str = "UANNA") -> dict[str, Any]:
    """A message shortcut's payload as Slack sends it (type `message_action`)."""
    return {
        "type": "message_action",
        "callback_id": modals.FLAG_MESSAGE_CALLBACK,
        "trigger_id": uuid.uuid4().hex,
        "action_ts": "1700000001.000100",
        "team": {"id": TEAM, "domain": "psp"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "channel": {"id": PRIVATE, "name": "privategroup"},
        "message": {
            "type": "message",
            "user": "UBO",
            "ts": "1700000000.000200",
            "text": text,
        },
        "response_url": "",
    }


async def shortcut_form(rig: SlackRig, text: str) -> dict[str, Any]:
    status, _headers, _text = await rig.interact(message_shortcut(text))
    assert status == 200
    await rig.standin.wait_for(lambda s: s.of("views.open"))
    view = rig.standin.of("views.open")[0]["view"]
    assert isinstance(view, dict) and view["callback_id"] == modals.FLAG_CALLBACK
    return view


async def test_the_message_shortcut_opens_the_flag_form_with_the_message(rig: SlackRig) -> None:
    await set_up_group(rig)
    view = await shortcut_form(rig, "Naboer ringer:\nborgeren truer  med kniv")
    assert inputs(view)["summary"]["initial_value"] == "Naboer ringer: borgeren truer med kniv"
    values = flag_values(inputs(view)["summary"]["initial_value"], urgency="acute")
    _status, answer = await submit(rig, view, values)
    assert answer == {}
    alert = (await posted(rig.standin, 1))[0]
    assert "borgeren truer med kniv" in alert_blocks_text(alert)


async def test_the_message_shortcut_removes_a_cpr_number_and_says_so(rig: SlackRig) -> None:
    view = await shortcut_form(rig, "Borger 010190 1234 truer naboer")
    assert "010190" not in json.dumps(view) and "1234" not in json.dumps(view)
    assert inputs(view)["summary"]["initial_value"] == "Borger … truer naboer"
    notice = view["blocks"][0]
    assert notice["type"] == "context" and "CPR" in notice["elements"][0]["text"]


async def test_a_message_that_cannot_be_made_safe_gives_an_empty_form(rig: SlackRig) -> None:
    view = await shortcut_form(rig, "Borger\u0000 truer")  # an unreadable character
    assert "initial_value" not in inputs(view)["summary"]
    assert "truer" not in json.dumps(view)
