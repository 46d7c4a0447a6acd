"""A case's whole life in a Slack channel, driven the way Slack drives the app: signed slash
commands, button clicks and form submissions over HTTP; what people see is read back from the
stand-in (messages posted, alerts rewritten in place, private answers)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from adapters.slack import modals
from bot.ports.delivery import Sent
from bot.ports.outbox import OutboxListing, OutboxStatus
from tests.slack_standin import (
    PRIVATE,
    PUBLIC,
    SlackRig,
    SlackStandIn,
    alert_blocks_text,
    app_mention,
    block_action,
    buttons,
    rig,
    standin,
    view_submission,
)

__all__ = ["rig", "standin"]  # the fixtures

MEMBERS = (
    ("<@UANNA|anna>", "police rep"),
    ("<@UBO|bo>", "social rep"),
    ("<@UCARL|carl>", "psychiatry rep"),
    ("<@UERIK|erik>", "social lead"),
)


async def answered(rig: SlackRig, user: str, text: str, **kwargs: Any) -> str:
    """Run a slash command and return the private answer the person who typed sees."""
    before = len(rig.standin.responses)
    assert await rig.command(user, text, **kwargs) == 200
    await rig.standin.wait_for(lambda s: len(s.responses) > before)
    return rig.standin.response_texts()[before]


async def set_up_group(rig: SlackRig) -> None:
    assert "Nord" in await answered(rig, "UADMIN", "group setup Nord")
    for user, role in MEMBERS:
        await answered(rig, "UADMIN", f"member add {user} {role}")


async def posted(standin: SlackStandIn, count: int) -> list[dict[str, Any]]:
    await standin.wait_for(lambda s: len(s.of("chat.postMessage")) >= count)
    return standin.of("chat.postMessage")


async def flag(
    rig: SlackRig, text: str = "flag acute Borger truer naboer #threat"
) -> dict[str, Any]:
    before = len(rig.standin.of("chat.postMessage"))
    assert await rig.command("UANNA", text) == 200
    alert = (await posted(rig.standin, before + 1))[before]
    ref = re.search(r"PSP-\d{4}-\d{4}", alert["text"])
    assert ref is not None  # the 200 came after the commit, and the alert went out with it
    return alert


async def click(rig: SlackRig, alert: dict[str, Any], action: str, user: str) -> None:
    command = buttons(alert)[f"psp.{action}"]
    status, _h, _t = await rig.interact(
        block_action(
            command,
            action,
            user=user,
            channel=PRIVATE,
            message_ts=alert["ts"],
            response_url=f"{rig.standin.url}/respond/{user}",
        )
    )
    assert status == 200


async def test_a_case_from_flag_to_close_with_buttons(rig: SlackRig) -> None:
    standin = rig.standin
    await set_up_group(rig)
    alert = await flag(rig)
    alert_ts = "1700000000.000001"
    alert["ts"] = alert_ts  # the ts the stand-in gave the first message
    seen = alert_blocks_text(alert)
    assert "PSP-2026-0001" in seen and "Borger truer naboer" in seen
    # The other agencies' on-duty people are notified; the flagging agency is not.
    assert "<@UBO>" in alert["text"] and "<@UCARL>" in alert["text"]
    assert "<@UANNA>" not in alert["text"]
    assert buttons(alert) == {
        "psp.ack": "ack PSP-2026-0001",
        "psp.take": "take PSP-2026-0001",
        "psp.show": "show PSP-2026-0001",
    }
    assert "[Acknowledge]" in seen and "[Take responsibility]" in seen

    # Social services acknowledge with the button: the alert itself now says so.
    await click(rig, alert, "ack", "UBO")
    await standin.wait_for(lambda s: s.of("chat.update"))
    update = standin.of("chat.update")[-1]
    assert update["ts"] == alert_ts and update["channel"] == PRIVATE
    shown = alert_blocks_text(update)
    assert "Borger truer naboer" in shown and "flagged by police (anna)" in shown
    assert "Awaiting acknowledgement from: psychiatry" in shown
    assert "Acknowledged by: police, social services" in shown
    assert "Borger truer naboer" in update["text"]  # the fallback text is current too
    # ... and the change is told in the alert's thread.
    thread = await posted(standin, 2)
    assert thread[1]["thread_ts"] == alert_ts
    assert "social services acknowledged PSP-2026-0001" in thread[1]["text"]

    # Psychiatry takes responsibility: the alert shows both facts.
    await click(rig, alert, "take", "UCARL")
    await standin.wait_for(lambda s: len(s.of("chat.update")) >= 2)
    now_shown = alert_blocks_text(standin.of("chat.update")[-1])
    assert "Awaiting acknowledgement from: none" in now_shown
    assert "responsible: psychiatry" in now_shown

    # Show answers only the one who clicked, without replacing the alert.
    await click(rig, alert, "show", "UBO")
    await standin.wait_for(lambda s: any(h == "UBO" for h, _ in s.responses))
    body = next(b for h, b in standin.responses if h == "UBO")
    assert body["response_type"] == "ephemeral" and body["replace_original"] is False
    assert "Borger truer naboer" in body["text"]

    # Closing removes the buttons from the alert.
    updates = len(standin.of("chat.update"))
    assert (
        await rig.command(
            "UCARL", "close PSP-2026-0001 Borger i behandling --udfald behandling-startet"
        )
        == 200
    )
    await standin.wait_for(lambda s: len(s.of("chat.update")) > updates)
    closed = standin.of("chat.update")[-1]
    assert "closed" in alert_blocks_text(closed)
    assert buttons(closed) == {}


async def test_a_click_is_the_clicking_users_command(rig: SlackRig) -> None:
    await set_up_group(rig)
    alert = await flag(rig)
    alert["ts"] = "1700000000.000001"
    await click(rig, alert, "ack", "USTRANGER")  # not a member of the group
    await rig.standin.wait_for(lambda s: any(h == "USTRANGER" for h, _ in s.responses))
    refusal = next(b for h, b in rig.standin.responses if h == "USTRANGER")
    assert "not a member" in refusal["text"]
    assert rig.standin.of("chat.update") == []  # nothing changed


async def test_a_double_click_does_not_acknowledge_twice(rig: SlackRig) -> None:
    await set_up_group(rig)
    alert = await flag(rig)
    alert["ts"] = "1700000000.000001"
    await asyncio.gather(click(rig, alert, "ack", "UBO"), click(rig, alert, "ack", "UBO"))
    await rig.standin.wait_for(lambda s: len([h for h, _ in s.responses if h == "UBO"]) >= 1)
    await rig.standin.wait_for(lambda s: len(s.of("chat.update")) >= 1)
    answer = await answered(rig, "UBO", "show PSP-2026-0001")
    assert "social services" in answer
    assert len(rig.standin.of("chat.update")) == 1  # one acknowledgement, one rewrite
    assert "already acknowledged" in rig.standin.response_texts()[-2]


async def test_the_same_event_four_times_acts_once(rig: SlackRig) -> None:
    await set_up_group(rig)
    event = app_mention(
        "<@UPSPBOT> flag urgent Udsat for trusler",
        user="UANNA",
        channel=PRIVATE,
        event_id="Ev0DUPLICATE",
    )
    for retry in range(4):
        extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        status, _h, _t = await rig.event(event, extra_headers=extra if retry else {})
        assert status == 200
    assert rig.adapter.dedupe.dropped == 3
    alerts = await posted(rig.standin, 1)
    await flag(rig, "flag normal Anden sag")
    texts = [p["text"] for p in rig.standin.of("chat.postMessage")]
    assert sum("PSP-2026-0001" in t for t in texts) == 1
    assert "PSP-2026-0002" in texts[-1]  # no case was created in between
    assert alerts[0]["channel"] == PRIVATE


async def test_a_redelivery_after_a_restart_is_caught_by_the_core(
    rig: SlackRig, harness: Any
) -> None:
    from tests.slack_standin import start_rig, stop_rig

    await set_up_group(rig)
    event = app_mention(
        "<@UPSPBOT> flag urgent Udsat", user="UANNA", channel=PRIVATE, event_id="Ev0RESTART"
    )
    await rig.event(event)
    await posted(rig.standin, 1)
    restarted = await start_rig(harness.router, rig.standin)  # fresh memory, same database
    try:
        status, _h, _t = await restarted.event(event, extra_headers={"X-Slack-Retry-Num": "1"})
        assert status == 200
        await flag(restarted, "flag normal Anden sag")
    finally:
        await stop_rig(restarted)
    texts = [p["text"] for p in rig.standin.of("chat.postMessage")]
    assert sum("PSP-2026-0001" in t for t in texts) == 1
    assert "PSP-2026-0002" in texts[-1]


async def test_mentions_work_and_bot_messages_are_ignored(rig: SlackRig) -> None:
    await set_up_group(rig)
    await rig.event(
        app_mention("<@UPSPBOT> hello there", user="UBOTX", channel=PRIVATE, bot_id="BOTHER")
    )
    await rig.event(app_mention("<@UPSPBOT> list", user="UANNA", channel=PRIVATE))
    await rig.standin.wait_for(lambda s: s.of("chat.postEphemeral"))
    answers = rig.standin.of("chat.postEphemeral")
    assert len(answers) == 1 and answers[0]["user"] == "UANNA"  # the bot's line was ignored


async def test_a_public_channel_cannot_be_bound(rig: SlackRig) -> None:
    answer = await answered(rig, "UADMIN", "group setup Offentlig", channel=PUBLIC)
    assert "not secure" in answer or "public" in answer.lower() or "private" in answer.lower()
    answer = await answered(rig, "UADMIN", "list", channel=PUBLIC)
    assert "belongs to no group" in answer


async def test_the_flag_form_becomes_a_flag(rig: SlackRig) -> None:
    await set_up_group(rig)
    assert await rig.command("UANNA", "flag") == 200
    await rig.standin.wait_for(lambda s: s.of("views.open"))
    opened = rig.standin.of("views.open")[0]
    view = opened["view"]
    assert view["callback_id"] == modals.FLAG_CALLBACK
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == ["Urgency", "Short summary (no names or CPR numbers)", "Characteristics"]
    values = {
        "urgency": {"value": {"type": "static_select", "selected_option": {"value": "urgent"}}},
        "summary": {"value": {"type": "plain_text_input", "value": "Mister boligen 'snart'"}},
        "tags": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [{"value": "housing"}, {"value": "isolated"}],
            }
        },
    }
    status, _h, _t = await rig.interact(view_submission(view, values, user="UANNA"))
    assert status == 200
    alert = (await posted(rig.standin, 1))[0]
    seen = alert_blocks_text(alert)
    assert "PSP-2026-0001" in seen and "Mister boligen 'snart'" in seen
    assert "URGENT" in seen and "at risk of losing home, isolated in own home" in seen


async def test_the_decision_form_records_a_decision(rig: SlackRig) -> None:
    await set_up_group(rig)
    await flag(rig)
    assert await rig.command("UERIK", "decide PSP-2026-0001") == 200
    await rig.standin.wait_for(lambda s: s.of("views.open"))
    view = rig.standin.of("views.open")[0]["view"]
    assert view["callback_id"] == modals.DECIDE_CALLBACK
    values = {
        "decision": {"value": {"value": "Hjemmebesøg med SSP-konsulent"}},
        "owner": {"value": {"selected_option": {"value": "social"}}},
        "due": {"value": {"type": "datepicker", "selected_date": "2026-12-01"}},
        "fallback": {"value": {"value": "Politiet kører forbi"}},
        "fallback_owner": {"value": {"selected_option": {"value": "police"}}},
    }
    await rig.interact(view_submission(view, values, user="UERIK"))
    await posted(rig.standin, 2)
    answer = await answered(rig, "UERIK", "show PSP-2026-0001")
    assert "Hjemmebesøg med SSP-konsulent" in answer
    assert "2026-12-01" in answer and "Politiet kører forbi" in answer


async def pending_rows(rig: SlackRig, *, attempts: int, count: int = 1) -> list[OutboxListing]:
    """The outbox's pending rows, once there are `count` and one of them has been tried
    `attempts` times (a command runs after Slack's ack, so the test waits for it)."""
    async with asyncio.timeout(15):
        while True:
            async with rig.router.uow_factory() as uow:
                rows = await uow.outbox.listing(statuses=[OutboxStatus.PENDING], limit=50)
            if len(rows) >= count and any(r.attempts >= attempts for r in rows):
                return list(rows)
            await asyncio.sleep(0.02)


async def test_a_429_storm_is_waited_out_and_the_alert_still_arrives(rig: SlackRig) -> None:
    await set_up_group(rig)
    rig.standin.retry_after = "7"
    rig.standin.rate_limits["chat.postMessage"] = 6
    assert await rig.command("UANNA", "flag acute Borger truer naboer #threat") == 200
    clock, worker = rig.router.clock, rig.router.delivery
    waits = []
    for attempt in range(1, 7):
        (row,) = await pending_rows(rig, attempts=attempt)
        waits.append((row.next_attempt_at - clock.now()).total_seconds())
        clock.set(row.next_attempt_at)  # type: ignore[attr-defined]
        await worker.run_once()
    assert waits == [7.0] * 6  # exactly what Slack asked for, each time
    alert = (await posted(rig.standin, 1))[0]
    assert "PSP-2026-0001" in alert["text"]
    assert len(rig.standin.of("chat.postMessage")) == 1  # delivered once, not seven times
    assert len(rig.standin.of("chat.postMessage:429")) == 6


async def test_slack_failing_then_recovering_delivers_every_alert_once_in_order(
    rig: SlackRig,
) -> None:
    await set_up_group(rig)
    # Slack answers 500, 503, then the connection is fine again.
    rig.standin.failures["chat.postMessage"] = [(500, ""), (503, "")]
    assert await rig.command("UANNA", "flag acute first case") == 200
    await pending_rows(rig, attempts=1)
    assert await rig.command("UANNA", "flag urgent second case") == 200
    clock, worker = rig.router.clock, rig.router.delivery
    for _ in range(2):
        # The second alert waits behind the first: the channel's order is kept.
        rows = await pending_rows(rig, attempts=1, count=2)
        clock.set(max(r.next_attempt_at for r in rows))  # type: ignore[attr-defined]
        await worker.run_once()
    texts = rig.standin.texts()
    assert len(texts) == 2 and "first case" in texts[0] and "second case" in texts[1]
    assert [c.method for c in rig.standin.calls if c.method.startswith("chat.postMessage")] == [
        "chat.postMessage:500",
        "chat.postMessage:503",
        "chat.postMessage",
        "chat.postMessage",
    ]


async def test_an_archived_channel_drops_the_alert_with_its_reason(rig: SlackRig) -> None:
    await set_up_group(rig)
    rig.standin.failures["chat.postMessage"] = [(200, "is_archived")]
    assert await rig.command("UANNA", "flag acute Borger truer naboer") == 200
    async with asyncio.timeout(15):
        while True:
            async with rig.router.uow_factory() as uow:
                dropped = await uow.outbox.listing(statuses=[OutboxStatus.DROPPED], limit=5)
            if dropped:
                break
            await asyncio.sleep(0.02)
    assert [(r.kind, r.reason) for r in dropped] == [("alert", "is_archived")]


async def test_retract_deletes_a_posted_message(rig: SlackRig) -> None:
    assert await rig.adapter.sender.retract(PRIVATE, "1700000000.000001") == Sent()
    assert rig.standin.of("chat.delete") == [{"channel": PRIVATE, "ts": "1700000000.000001"}]


async def test_an_alert_rewritten_after_a_restart_keeps_everything_it_showed(
    rig: SlackRig, harness: Any
) -> None:
    from tests.conftest import build_harness
    from tests.slack_standin import start_rig, stop_rig

    await set_up_group(rig)
    alert = await flag(rig)
    alert["ts"] = "1700000000.000001"
    await click(rig, alert, "ack", "UBO")
    await rig.standin.wait_for(lambda s: s.of("chat.update"))
    # A new process: a new core and adapter on the same database, nothing kept in memory.
    again = build_harness(harness.engine, harness.clock, uow_factory=harness.uow_factory)
    restarted = await start_rig(again.router, rig.standin)
    try:
        await click(restarted, alert, "ack", "UCARL")
        await rig.standin.wait_for(lambda s: len(s.of("chat.update")) >= 2)
    finally:
        await stop_rig(restarted)
    before, after = rig.standin.of("chat.update")[:2]
    assert before["ts"] == after["ts"] == "1700000000.000001"
    shown = alert_blocks_text(after)
    assert "Borger truer naboer" in shown and "flagged by police (anna)" in shown
    assert "Awaiting acknowledgement from: none" in shown
    assert buttons(after)["psp.take"] == "take PSP-2026-0001"
    assert (
        alert_blocks_text(before)
        .replace("Awaiting acknowledgement from: psychiatry", "Awaiting acknowledgement from: none")
        .replace("police, social services", "police, social services, psychiatry")
        == shown
    )


async def test_two_clicks_at_once_both_show_on_the_alert(rig: SlackRig) -> None:
    await set_up_group(rig)
    alert = await flag(rig)
    alert["ts"] = "1700000000.000001"
    await asyncio.gather(click(rig, alert, "ack", "UBO"), click(rig, alert, "take", "UCARL"))
    await rig.standin.wait_for(lambda s: len(s.of("chat.update")) >= 2)
    # Each rewrite is rendered from the case as its own command committed it, and the
    # outbox sends them in order: the last one shows both.
    last = alert_blocks_text(rig.standin.of("chat.update")[-1])
    assert "Awaiting acknowledgement from: none" in last
    assert "responsible: psychiatry" in last


async def test_a_channel_the_bot_was_not_invited_to_gets_a_hint(rig: SlackRig) -> None:
    rig.standin.hidden_channels.add("GHIDDEN")
    answer = await answered(rig, "UADMIN", "group setup Nord", channel="GHIDDEN")
    assert "/invite @psp-bot" in answer
    # Once invited, the same command works: nothing was set up the first time.
    rig.standin.hidden_channels.clear()
    rig.standin.private_channels.add("GHIDDEN")
    assert "created" in await answered(rig, "UADMIN", "group setup Nord", channel="GHIDDEN")


async def test_the_acknowledgement_latency_of_each_request_is_measured(rig: SlackRig) -> None:
    from adapters.ops.metrics import PrometheusMetrics

    metrics = PrometheusMetrics()
    rig.router.observe(metrics)
    await set_up_group(rig)  # five slash commands, each acknowledged after its commit
    observed = metrics.slack_ack_seconds.collect()[0].samples
    count = next(s.value for s in observed if s.name == "psp_slack_ack_seconds_count")
    assert count == 1 + len(MEMBERS)
