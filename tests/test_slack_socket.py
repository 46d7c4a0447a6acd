"""Socket Mode against a local websocket stand-in that speaks Slack's envelope protocol
(`hello`, envelopes with `envelope_id`, acks): commands arrive, are acknowledged, and survive
a dropped connection without being lost or done twice."""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.bolt_app import SlackAdapter
from adapters.slack.config import SlackConfig
from adapters.slack.socket import make_socket_handler
from adapters.slack.webapi import SlackApi
from tests.conftest import Harness, sqlite_copy
from tests.slack_standin import PRIVATE, TEAM, SlackStandIn, command_body, standin

__all__ = ["standin"]  # the fixtures


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite only: a copy of the migrated template."""
    return sqlite_copy(request, tmp_path)


@pytest.fixture
async def connected(harness: Harness, standin: SlackStandIn) -> AsyncIterator[SlackAdapter]:
    config = SlackConfig(
        bot_token="xoxb-test",
        app_token="xapp-test",
        team_allowlist=frozenset({TEAM}),
        api_base_url=standin.api_url,
        locale="en",
    )
    api = SlackApi(AsyncWebClient(token=config.bot_token, base_url=config.api_base_url))
    adapter = SlackAdapter(config, harness.router, api=api)
    handler = make_socket_handler(adapter, ping_interval=1)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    await standin.wait_for(lambda s: s.socket_connects == 1 and s.sockets)
    yield adapter
    await handler.close_async()  # type: ignore[no-untyped-call]


def command(text: str, user: str, standin: SlackStandIn, trigger: str) -> dict[str, Any]:
    body = command_body(
        text,
        user=user,
        channel=PRIVATE,
        trigger=trigger,
        response_url=f"{standin.url}/respond/{trigger}",
    )
    return dict(urllib.parse.parse_qsl(body.decode()))


async def send(
    standin: SlackStandIn, payload: dict[str, Any], *, envelope: str | None = None, retry: int = 0
) -> str:
    envelope_id = await standin.push(
        "slash_commands", payload, envelope_id=envelope, retry_attempt=retry
    )
    await standin.wait_for(lambda s: any(a.get("envelope_id") == envelope_id for a in s.acks))
    return envelope_id


async def test_commands_arrive_and_are_acknowledged(
    connected: SlackAdapter, standin: SlackStandIn
) -> None:
    await send(standin, command("group setup Nord", "UADMIN", standin, "t1"))
    await standin.wait_for(lambda s: s.responses)
    assert "Nord" in standin.response_texts()[0]


async def test_a_dropped_connection_loses_and_repeats_nothing(
    connected: SlackAdapter, standin: SlackStandIn
) -> None:
    setup = command("group setup Nord", "UADMIN", standin, "t-setup")
    first = await send(standin, setup)
    await send(standin, command("member add <@UANNA|anna> police rep", "UADMIN", standin, "t-m"))
    await standin.wait_for(lambda s: len(s.responses) == 3)  # setup answers twice

    # A flag goes out and the connection drops before anyone can tell whether it was acked.
    flag = command("flag acute Borger truer", "UANNA", standin, "t-flag")
    flag_envelope = await standin.push("slash_commands", flag)
    await standin.drop_connection()
    await standin.wait_for(lambda s: s.socket_connects == 2 and s.sockets)  # reconnected alone

    # Slack re-sends what it is unsure about; the adapter acks and drops what it already did.
    await send(standin, flag, envelope=flag_envelope, retry=1)
    await send(standin, setup, envelope=first, retry=1)
    await send(standin, command("list", "UANNA", standin, "t-list"))
    await standin.wait_for(
        lambda s: any(h == "t-list" for h, _ in s.responses) and s.of("chat.postMessage")
    )

    alerts = [t for t in standin.texts() if "PSP-2026-0001" in t]
    assert len(alerts) == 1  # the flag was neither lost nor done twice
    setup_answers = [b["text"] for h, b in standin.responses if h == "t-setup"]
    assert len(setup_answers) == 2  # created + next step; no "already bound" refusal
    assert not any("already" in text for text in setup_answers)
    assert "PSP-2026-0001" in dict(standin.responses)["t-list"]["text"]
