"""`psp-bot run` with a `[slack]` section: `load_config` + `build_service` + `run()`, in both
modes, against the stand-in; and the signature check as a pure function."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.slack import build_service, load_config
from adapters.slack.signature import sign, verify
from bot.config import parse_settings
from tests.conftest import Harness, sqlite_copy
from tests.slack_standin import (
    PRIVATE,
    SECRET,
    TEAM,
    SlackStandIn,
    command_body,
    signed_headers,
    standin,
)

__all__ = ["standin"]  # the fixtures


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite only: a copy of the migrated template."""
    return sqlite_copy(request, tmp_path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSP_BOT_SLACK_BOT_TOKEN", "xoxb-env")
    monkeypatch.setenv("PSP_BOT_SLACK_APP_TOKEN", "xapp-env")
    monkeypatch.setenv("PSP_BOT_SLACK_SIGNING_SECRET", SECRET)


@contextlib.asynccontextmanager
async def running(service: Any) -> AsyncIterator[None]:
    task = asyncio.create_task(service.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def post_when_listening(url: str, body: bytes) -> int:
    async with aiohttp.ClientSession() as session:
        for _attempt in range(200):  # the server starts in the task just created
            try:
                async with session.post(url, data=body, headers=signed_headers(body)) as r:
                    return r.status
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.02)
    raise AssertionError("the HTTP endpoint never came up")


async def test_run_in_http_mode(env: None, harness: Harness, standin: SlackStandIn) -> None:
    port = free_port()
    settings = parse_settings(
        {
            "slack": {
                "mode": "http",
                "http_port": port,
                "team_allowlist": [TEAM],
                "api_base_url": standin.api_url,
            }
        }
    )
    service = build_service(load_config(settings), harness.router, settings)
    async with running(service):
        body = command_body(
            "help", user="UANNA", channel=PRIVATE, response_url=f"{standin.url}/respond/h1"
        )
        assert await post_when_listening(f"http://127.0.0.1:{port}/slack/events", body) == 200
        await standin.wait_for(lambda s: s.responses)
    assert "flag" in standin.response_texts()[0]


async def test_run_in_socket_mode(env: None, harness: Harness, standin: SlackStandIn) -> None:
    settings = parse_settings(
        {"slack": {"team_allowlist": [TEAM], "api_base_url": standin.api_url}}
    )
    service = build_service(load_config(settings), harness.router, settings)
    async with running(service):
        await standin.wait_for(lambda s: s.sockets)
        body = command_body(
            "help", user="UANNA", channel=PRIVATE, response_url=f"{standin.url}/respond/h2"
        )
        await standin.push("slash_commands", dict(urllib.parse.parse_qsl(body.decode())))
        await standin.wait_for(lambda s: s.responses and s.acks)
    assert "flag" in standin.response_texts()[0]


@given(body=st.binary(min_size=1, max_size=300), data=st.data())
def test_any_single_byte_change_breaks_the_signature(body: bytes, data: st.DataObject) -> None:
    now = 1_800_000_000
    headers = {
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": sign("k", str(now), body),
    }
    index = data.draw(st.integers(0, len(body) - 1))
    delta = data.draw(st.integers(1, 255))
    changed = body[:index] + bytes([(body[index] + delta) % 256]) + body[index + 1 :]
    assert verify("k", headers, changed, now=now).ok is False
    assert verify("k", headers, body, now=now).reason in ("ok", "malformed-body")
