"""HTTP mode's front door: requests signed exactly as Slack signs them, sent over loopback to
the real aiohttp endpoint. A refusal is a 401 (never a 500), says `X-Slack-No-Retry: 1`, does
nothing, and leaves the body out of the logs."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.slack.signature import sign
from tests.conftest import Harness, sqlite_copy
from tests.slack_standin import (
    PRIVATE,
    SECRET,
    SlackRig,
    app_mention,
    command_body,
    interactive_body,
    rig,
    standin,
)

__all__ = ["rig", "standin"]  # the fixtures

SECRET_WORDS = "Hemmelig sagstekst 7788"
NOW = 1_800_000_000


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The front door does not care about the database: SQLite only, to keep this fast."""
    return sqlite_copy(request, tmp_path)


def body() -> bytes:
    return command_body(f"flag acute {SECRET_WORDS}", user="UANNA", channel=PRIVATE)


async def assert_refused(
    rig: SlackRig, status: int, headers: dict[str, str], *, expected: int = 401
) -> None:
    assert status == expected
    assert headers.get("X-Slack-No-Retry") == "1"
    await asyncio.sleep(0)  # give a wrongly started task its chance to show up
    assert rig.standin.calls == []  # nothing reached bolt, the core or Slack


async def test_a_forged_signature_is_refused(rig: SlackRig) -> None:
    status, headers, _ = await rig.signed(body(), secret="not-the-secret")
    await assert_refused(rig, status, headers)


async def test_a_body_changed_by_one_byte_is_refused(rig: SlackRig) -> None:
    original = body()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(int(time.time())),
    }
    headers["X-Slack-Signature"] = sign(SECRET, headers["X-Slack-Request-Timestamp"], original)
    tampered = original.replace(b"acute", b"acutf", 1)
    assert len(tampered) == len(original)
    status, answer_headers, _ = await rig.post(tampered, headers)
    await assert_refused(rig, status, answer_headers)


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-300, True), (-301, False), (300, True), (301, False)]
)
async def test_the_replay_window_is_300_seconds_either_way(
    rig: SlackRig, offset: int, accepted: bool
) -> None:
    rig.fixed_now[0] = NOW
    payload = command_body(
        "help", user="UANNA", channel=PRIVATE, response_url=f"{rig.standin.url}/respond/x"
    )
    status, headers, _ = await rig.signed(payload, timestamp=NOW + offset)
    if accepted:
        assert status == 200
        await rig.standin.wait_for(lambda s: s.responses)
        assert "flag" in rig.standin.response_texts()[0]  # the help text reached the user
    else:
        await assert_refused(rig, status, headers)


@pytest.mark.parametrize("timestamp", ["abc", "17000000OO", "-1", " 1800000000", "1e9", "", "٣٣"])
async def test_a_malformed_timestamp_is_401_not_500(rig: SlackRig, timestamp: str) -> None:
    payload = body()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + "0" * 64,
    }
    status, answer_headers, _ = await rig.post(payload, headers)
    await assert_refused(rig, status, answer_headers)


async def test_a_body_that_is_not_utf8_is_refused_even_when_signed(rig: SlackRig) -> None:
    payload = body() + b"&x=\xff\xfe"
    status, headers, _ = await rig.signed(payload)
    await assert_refused(rig, status, headers)


async def test_missing_signature_headers_are_refused(rig: SlackRig) -> None:
    status, headers, _ = await rig.post(
        body(), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    await assert_refused(rig, status, headers)


async def test_bodies_never_reach_the_logs(rig: SlackRig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await rig.signed(body(), secret="forged")
    await rig.post(body() + b"x", {"X-Slack-Request-Timestamp": "x", "X-Slack-Signature": "y"})
    await rig.signed(body())  # a good one too: bolt and slack_sdk log at DEBUG
    # The room is bound to no group: the refusal goes privately to the person who typed.
    await rig.standin.wait_for(lambda s: s.of("chat.postEphemeral"))
    assert "belongs to no group" in rig.standin.texts("chat.postEphemeral")[0]
    assert SECRET_WORDS not in caplog.text
    assert "refused a Slack request" in caplog.text  # the reason code is there


async def test_a_workspace_not_on_the_allowlist_is_refused(rig: SlackRig) -> None:
    payload = command_body("group setup Nord", user="UADMIN", channel=PRIVATE, team="TOTHER")
    status, headers, text = await rig.signed(payload)
    assert status == 200  # Slack shows the text of a 200 to the person who typed
    assert "not approved" in text
    assert headers.get("X-Slack-No-Retry") == "1"
    status, headers, _ = await rig.event(
        app_mention("<@UPSPBOT> help", user="UX", channel=PRIVATE, team="TOTHER")
    )
    assert status == 403
    assert headers.get("X-Slack-No-Retry") == "1"
    assert rig.adapter.refused == 2
    # Nothing was set up: the allowed workspace's admin can still create the group by that name.
    assert not rig.standin.of("chat.postMessage")
    assert not rig.standin.responses


async def bindings(harness: Harness) -> int:
    async with harness.engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM room_bindings"))).scalar_one())


async def test_the_ack_means_the_command_was_kept(rig: SlackRig, harness: Harness) -> None:
    """Slack resends what got no 200, never what did: the 200 comes after the commit."""
    before = await bindings(harness)
    gate = asyncio.Event()
    rig.standin.gates["conversations.info"] = gate  # Slack answers the channel lookup slowly
    request = asyncio.create_task(rig.command("UADMIN", "group setup Kept"))
    await rig.standin.wait_for(lambda s: "conversations.info" in s.waiting)
    assert not request.done()  # no ack while the command is not yet kept
    assert await bindings(harness) == before
    gate.set()
    assert await request == 200
    assert await bindings(harness) == before + 1


async def test_a_stopping_bot_asks_slack_to_come_back_later(rig: SlackRig) -> None:
    rig.adapter.accepting = False  # what SlackService.stop() does
    status, headers, _ = await rig.signed(body())
    assert status == 503
    assert headers.get("Retry-After") and "X-Slack-No-Retry" not in headers
    assert rig.standin.calls == []  # nothing was done: Slack sends it again after the restart


async def test_url_verification_answers_the_challenge(rig: SlackRig) -> None:
    status, _h, text = await rig.event(
        {"type": "url_verification", "challenge": "abc123", "token": "x"}
    )
    assert status == 200
    assert json.loads(text) == {"challenge": "abc123"}


def _without(field: str) -> bytes:
    form = dict(urllib.parse.parse_qsl(body().decode()))
    del form[field]
    return urllib.parse.urlencode(form).encode()


MALFORMED = {
    "payload-not-json": (urllib.parse.urlencode({"payload": "{not json"}).encode(), None),
    "payload-a-json-array": (interactive_body([{"type": "block_actions"}]), None),  # type: ignore[arg-type]
    "payload-without-user": (
        interactive_body({"type": "block_actions", "actions": [{"value": "help"}]}),
        None,
    ),
    "event-not-json": (b'{"type": "event_callback", "event": ', "application/json"),
    "event-a-json-array": (b'[{"type": "event_callback"}]', "application/json"),
    "event-a-string": (b'{"type": "event_callback", "event": "hej"}', "application/json"),
    "command-without-user": (_without("user_id"), None),
    "command-without-channel": (_without("channel_id"), None),
    "neither-command-nor-payload": (b"text=help&user_id=UANNA", None),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_a_signed_but_malformed_request_is_400_no_retry(
    rig: SlackRig, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    payload, content_type = MALFORMED[case]
    kwargs = {"content_type": content_type} if content_type else {}
    status, headers, text = await rig.signed(payload, **kwargs)
    await assert_refused(rig, status, headers, expected=400)
    assert text == ""
    assert SECRET_WORDS not in caplog.text


async def test_a_command_whose_text_says_payload_is_still_a_command(rig: SlackRig) -> None:
    """bolt's own parser takes any form body containing "payload" for an interaction."""
    payload = command_body(
        "help payload", user="UANNA", channel=PRIVATE, response_url=f"{rig.standin.url}/respond/p"
    )
    status, _headers, _text = await rig.signed(payload)
    assert status == 200
    await rig.standin.wait_for(lambda s: s.responses)
    assert rig.standin.response_texts()[0]
