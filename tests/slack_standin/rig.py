"""The app under test in HTTP mode, served over real HTTP on loopback, and the fixtures."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from multidict import CIMultiDict

from tests.slack_standin.payloads import (
    command_body,
    interactive_body,
    signed_headers,
)
from tests.slack_standin.server import SECRET, TEAM, SlackStandIn

PRIVATE = "GPRIVATE1"
PUBLIC = "CPUBLIC1"


@dataclass
class SlackRig:
    """The Slack adapter in HTTP mode on the core (`harness`), talking to the stand-in."""

    standin: SlackStandIn
    adapter: Any
    router: Any
    url: str
    session: Any
    runner: web.AppRunner
    fixed_now: list[float | None]

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any, str]:
        async with self.session.post(self.url, data=body, headers=headers) as response:
            # Header names are case-insensitive (bolt lowercases its own).
            return response.status, CIMultiDict(response.headers), await response.text()

    async def signed(self, body: bytes, **kwargs: Any) -> tuple[int, Any, str]:
        extra = kwargs.pop("extra_headers", {})
        return await self.post(body, {**signed_headers(body, **kwargs), **extra})

    async def command(
        self,
        user: str,
        text: str,
        *,
        channel: str = PRIVATE,
        team: str = TEAM,
        trigger: str | None = None,
    ) -> int:
        hook = uuid.uuid4().hex
        body = command_body(
            text,
            user=user,
            channel=channel,
            team=team,
            trigger=trigger,
            response_url=f"{self.standin.url}/respond/{hook}",
        )
        status, _headers, _text = await self.signed(body)
        return status

    async def interact(self, payload: dict[str, Any]) -> tuple[int, Any, str]:
        return await self.signed(interactive_body(payload))

    async def event(self, payload: dict[str, Any], **kwargs: Any) -> tuple[int, Any, str]:
        return await self.signed(
            json.dumps(payload).encode(), content_type="application/json", **kwargs
        )


async def start_rig(router: Any, standin: SlackStandIn, **config_overrides: Any) -> SlackRig:
    import aiohttp
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.bolt_app import SlackAdapter
    from adapters.slack.config import SlackConfig
    from adapters.slack.http import make_http_app
    from adapters.slack.webapi import SlackApi

    settings: dict[str, Any] = {
        "bot_token": "xoxb-test",
        "mode": "http",
        "signing_secret": SECRET,
        "team_allowlist": frozenset({TEAM}),
        "api_base_url": standin.api_url,
        "locale": "en",
    }
    settings.update(config_overrides)
    config = SlackConfig(**settings)
    api = SlackApi(AsyncWebClient(token=config.bot_token, base_url=config.api_base_url))
    adapter = SlackAdapter(config, router, api=api)
    fixed_now: list[float | None] = [None]
    app = make_http_app(
        adapter, now=lambda: fixed_now[0] if fixed_now[0] is not None else time.time()
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    session = aiohttp.ClientSession()
    rig = SlackRig(
        standin,
        adapter,
        router,
        f"http://127.0.0.1:{port}/slack/events",
        session,
        runner,
        fixed_now,
    )
    return rig


async def stop_rig(rig: SlackRig) -> None:
    await rig.session.close()
    await rig.runner.cleanup()


# --- fixtures (imported by the test modules that use them) --------------------------------


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    s = SlackStandIn(private_channels={PRIVATE})
    await s.start()
    yield s
    await s.stop()


@pytest.fixture
async def rig(harness: Any, standin: SlackStandIn) -> AsyncIterator[SlackRig]:
    r = await start_rig(harness.router, standin)
    yield r
    await stop_rig(r)
