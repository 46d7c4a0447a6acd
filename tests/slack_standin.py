"""A local stand-in for Slack: the Web API (`/api/<method>`), response_url hooks
(`/respond/<id>`) and the Socket Mode websocket (`/socket`), on 127.0.0.1 only.

It records every call, can answer a method with 429 + Retry-After a given number of times, and
signs requests exactly as Slack does for driving an app in HTTP mode."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from multidict import CIMultiDict

from adapters.slack.signature import sign

TEAM = "T0PSP"
BOT_USER = "UPSPBOT"
SECRET = "test-signing-secret"


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class SlackStandIn:
    private_channels: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    rate_limits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    retry_after: str = "1"
    # A method whose gate is set waits until the test opens it: a slow Slack, without sleeps.
    gates: dict[str, asyncio.Event] = field(default_factory=dict)
    url: str = ""
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    socket_connects: int = 0
    acks: list[dict[str, Any]] = field(default_factory=list)
    _ts: int = 0
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition | None = None

    # --- server ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{hook}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Any, limit: float = 15.0) -> None:
        """Until predicate(self) holds (events, not sleeps; the timeout only ends a hang)."""
        assert self._changed is not None

        async def wait() -> None:
            assert self._changed is not None
            async with self._changed:
                await self._changed.wait_for(lambda: predicate(self))

        await asyncio.wait_for(wait(), limit)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json":
                params.update(json.loads(raw))
            else:
                params.update(dict(urllib.parse.parse_qsl(raw.decode())))
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if self.rate_limits[method] > 0:
            self.rate_limits[method] -= 1
            self.calls.append(Call(method + ":429", params))
            await self._notify()
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": self.retry_after},
            )
        if method in self.gates:
            await self.gates[method].wait()
        self.calls.append(Call(method, params))
        result = self._answer(method, params)
        await self._notify()
        return web.json_response(result)

    def _next_ts(self) -> str:
        self._ts += 1
        return f"1700000000.{self._ts:06d}"

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "BPSPBOT", "team_id": TEAM}
        if method == "chat.postMessage":
            return {"ok": True, "channel": params.get("channel"), "ts": self._next_ts()}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.delete":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V" + uuid.uuid4().hex[:8].upper()}}
        if method == "conversations.info":
            channel = str(params.get("channel"))
            return {
                "ok": True,
                "channel": {
                    "id": channel,
                    "is_private": channel in self.private_channels,
                    "is_im": channel.startswith("D"),
                    "is_mpim": False,
                },
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http", "ws") + "/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append((request.match_info["hook"], body))
        await self._notify()
        return web.Response(text="ok")

    # --- what the app did -----------------------------------------------------------------

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def texts(self, method: str = "chat.postMessage") -> list[str]:
        return [str(p.get("text", "")) for p in self.of(method)]

    def response_texts(self) -> list[str]:
        return [str(body.get("text", "")) for _hook, body in self.responses]

    # --- Socket Mode ----------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        self.socket_connects += 1
        await ws.send_json(
            {"type": "hello", "num_connections": 1, "debug_info": {"host": "standin"}}
        )
        await self._notify()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.acks.append(json.loads(message.data))
                    await self._notify()
        finally:
            if ws in self.sockets:
                self.sockets.remove(ws)
            await self._notify()
        return ws

    async def push(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        envelope_id: str | None = None,
        retry_attempt: int = 0,
    ) -> str:
        """Send one envelope to the connected app; returns its envelope id."""
        envelope = envelope_id or uuid.uuid4().hex
        ws = self.sockets[-1]
        await ws.send_json(
            {
                "envelope_id": envelope,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return envelope

    async def drop_connection(self) -> None:
        for ws in list(self.sockets):
            await ws.close()


# --- requests exactly as Slack signs them -------------------------------------------------


def signed_headers(
    body: bytes,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(secret, ts, body),
    }


def command_body(
    text: str,
    *,
    user: str,
    channel: str,
    team: str = TEAM,
    trigger: str | None = None,
    response_url: str = "",
) -> bytes:
    return urllib.parse.urlencode(
        {
            "token": "unused",
            "team_id": team,
            "team_domain": "psp",
            "channel_id": channel,
            "channel_name": "privategroup",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/psp",
            "text": text,
            "api_app_id": "APSP",
            "response_url": response_url,
            "trigger_id": trigger or uuid.uuid4().hex,
        }
    ).encode()


def interactive_body(payload: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def block_action(
    command: str,
    action: str,
    *,
    user: str,
    channel: str,
    message_ts: str,
    team: str = TEAM,
    response_url: str = "",
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": "psp"},
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "api_app_id": "APSP",
        "trigger_id": uuid.uuid4().hex,
        "channel": {"id": channel, "name": "privategroup"},
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
        "message": {"ts": message_ts, "type": "message"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": f"psp.{action}",
                "block_id": "psp.actions",
                "value": command,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def view_submission(
    view: dict[str, Any], values: dict[str, Any], *, user: str, team: str = TEAM
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "psp"},
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "api_app_id": "APSP",
        "trigger_id": uuid.uuid4().hex,
        "view": {
            **view,
            "id": "V" + uuid.uuid4().hex[:8].upper(),
            "team_id": team,
            "hash": uuid.uuid4().hex,
            "state": {"values": values},
        },
    }


def app_mention(
    text: str,
    *,
    user: str,
    channel: str,
    team: str = TEAM,
    event_id: str | None = None,
    bot_id: str | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
        "channel": channel,
        "team": team,
    }
    if bot_id:
        event["bot_id"] = bot_id
    return {
        "token": "unused",
        "team_id": team,
        "api_app_id": "APSP",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": int(time.time()),
        "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}],
    }


# --- the app under test, served over real HTTP on loopback ---------------------------------

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
    return SlackRig(
        standin,
        adapter,
        router,
        f"http://127.0.0.1:{port}/slack/events",
        session,
        runner,
        fixed_now,
    )


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


def alert_blocks_text(params: dict[str, Any]) -> str:
    """Everything a reader sees in a posted message's blocks."""
    blocks = params.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    out: list[str] = []
    for block in blocks or []:
        if block.get("type") == "section":
            out.append(block["text"]["text"])
        elif block.get("type") == "context":
            out.extend(e.get("text", "") for e in block["elements"])
        elif block.get("type") == "actions":
            out.extend(f"[{e['text']['text']}]" for e in block["elements"])
    return "\n".join(out)


def buttons(params: dict[str, Any]) -> dict[str, str]:
    """action_id -> the command the button runs."""
    blocks = params.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return {
        e["action_id"]: e["value"]
        for block in blocks or []
        if block.get("type") == "actions"
        for e in block["elements"]
    }
