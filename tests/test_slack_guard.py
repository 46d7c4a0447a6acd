"""What the guard refuses, arriving the way Slack sends it: form fields become command text,
and a signed JSON body can carry a lone surrogate (`\\ud800`). A form keeps itself open with
one line under the field at fault; a command gets one private refusal line. Nothing is posted
to the channel and the database is as it was."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from adapters.slack import modals
from tests.conftest import Harness
from tests.slack_standin import PRIVATE, SlackRig, app_mention, rig, standin, view_submission
from tests.snapshot import snapshot
from tests.test_slack_flow import answered, flag, set_up_group

__all__ = ["rig", "standin"]  # the fixtures


async def settled(harness: Harness) -> dict[str, list[tuple[object, ...]]]:
    """The database once the previous command's transaction is in: Slack hears the answer
    to a command before the command's commit returns."""
    current = await snapshot(harness.engine)
    for _ in range(50):
        await asyncio.sleep(0.02)
        again = await snapshot(harness.engine)
        if again == current:
            return current
        current = again
    raise AssertionError("the database never settled")


async def refused_in_the_form(
    rig: SlackRig, view: dict[str, Any], values: dict[str, Any], user: str, field: str
) -> str:
    status, _headers, text = await rig.interact(view_submission(view, values, user=user))
    assert status == 200
    answer = json.loads(text)
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {field}
    refusal: str = answer["errors"][field]
    assert "\n" not in refusal
    assert rig.standin.of("chat.postEphemeral") == []  # the form says it, once
    return refusal


async def refused_privately(rig: SlackRig, expected: str) -> str:
    await rig.standin.wait_for(lambda s: s.of("chat.postEphemeral"))
    refusal: str = rig.standin.of("chat.postEphemeral")[-1]["text"]
    assert expected in refusal and "\n" not in refusal
    return refusal


@pytest.mark.parametrize(
    "summary", ['"010190" "1234"', "010190\u20131234", "01 01 90 1234", "010190%2D1234"]
)
async def test_a_cpr_number_in_the_flag_form_is_refused(
    rig: SlackRig, harness: Harness, summary: str
) -> None:
    await set_up_group(rig)
    before = await settled(harness)
    await rig.command("UANNA", "flag")
    await rig.standin.wait_for(lambda s: s.of("views.open"))
    view = rig.standin.of("views.open")[0]["view"]
    values = {
        "urgency": {"value": {"selected_option": {"value": "acute"}}},
        "summary": {"value": {"value": f"Borger {summary} truer"}},
    }
    refusal = await refused_in_the_form(rig, view, values, "UANNA", "summary")
    assert "CPR" in refusal and "1234" not in refusal
    assert rig.standin.of("chat.postMessage") == []
    assert await snapshot(harness.engine) == before


async def test_a_cpr_number_in_the_decision_forms_fallback_is_refused(
    rig: SlackRig, harness: Harness
) -> None:
    await set_up_group(rig)
    await flag(rig)
    posted = len(rig.standin.of("chat.postMessage"))
    before = await settled(harness)
    assert await rig.command("UERIK", "decide PSP-2026-0001") == 200
    await rig.standin.wait_for(lambda s: s.of("views.open"))
    view = rig.standin.of("views.open")[0]["view"]
    assert view["callback_id"] == modals.DECIDE_CALLBACK
    values = {
        "decision": {"value": {"value": "Hjemmebesøg"}},
        "fallback": {"value": {"value": "Ring til 01.01.90-1234"}},
    }
    refusal = await refused_in_the_form(rig, view, values, "UERIK", "fallback")
    assert "CPR" in refusal and "1234" not in refusal
    assert len(rig.standin.of("chat.postMessage")) == posted
    assert await snapshot(harness.engine) == before


@pytest.mark.parametrize("ref", ["010190-1234", "0101901234"])
async def test_a_cpr_number_written_as_the_case_opens_no_form(
    rig: SlackRig, harness: Harness, ref: str
) -> None:
    """`/psp decide <case>` alone opens the decision form, which names the case: never a CPR
    number. The core refuses the command instead, privately, without repeating it."""
    await set_up_group(rig)
    before = await settled(harness)
    refusal = await answered(rig, "UERIK", f"decide {ref}")
    assert "CPR" in refusal and "\n" not in refusal
    assert rig.standin.of("views.open") == []
    # The date part: the serial "1234" can turn up by chance inside the stand-in's random ids.
    calls = [c.params for c in rig.standin.calls]
    for sent in (json.dumps(calls), json.dumps(rig.standin.responses)):
        assert "010190" not in sent and ref not in sent
    assert await snapshot(harness.engine) == before


async def test_a_lone_surrogate_in_a_form_is_refused(rig: SlackRig, harness: Harness) -> None:
    await set_up_group(rig)
    before = await settled(harness)
    await rig.command("UANNA", "flag")
    await rig.standin.wait_for(lambda s: s.of("views.open"))
    view = rig.standin.of("views.open")[0]["view"]
    values: dict[str, Any] = {
        "urgency": {"value": {"selected_option": {"value": "acute"}}},
        "summary": {"value": {"value": "Borger \ud800 truer"}},
    }
    # json.dumps writes the surrogate as the escape `\ud800`, as a Slack body can.
    refusal = await refused_in_the_form(rig, view, values, "UANNA", "summary")
    assert "cannot read" in refusal
    assert rig.standin.of("chat.postMessage") == []
    assert await snapshot(harness.engine) == before


async def test_a_lone_surrogate_in_a_mention_is_refused(
    rig: SlackRig, harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await set_up_group(rig)
    before = await settled(harness)
    status, _headers, _text = await rig.event(
        app_mention("<@UPSPBOT> flag acute Borger \ud800 truer", user="UANNA", channel=PRIVATE)
    )
    assert status == 200
    await refused_privately(rig, "cannot read")
    assert rig.standin.of("chat.postMessage") == []
    assert await snapshot(harness.engine) == before
    assert "Traceback" not in caplog.text
