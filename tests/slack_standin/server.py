"""The stand-in server: the Web API (`/api/<method>`), response_url hooks (`/respond/<id>`)
and the Socket Mode websocket (`/socket`), on 127.0.0.1 only. It records every call and can
answer a method with 429 + Retry-After, a 5xx or an error code a given number of times."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.slack_standin.blockkit import view_problem

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
    # Private channels the bot was not invited to: conversations.info cannot see them.
    hidden_channels: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    rate_limits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    retry_after: str = "1"
    # Answers to give a method's next calls instead of the real one: (HTTP status, error).
    failures: dict[str, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    # A method whose gate is set waits until the test opens it: a slow Slack, without sleeps.
    gates: dict[str, asyncio.Event] = field(default_factory=dict)
    # The gated methods called so far (each call waits at its gate).
    waiting: list[str] = field(default_factory=list)
    url: str = ""
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    socket_connects: int = 0
    acks: list[dict[str, Any]] = field(default_factory=list)
    # App Home: the last view published for each user, and why views were refused.
    home_views: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused_views: list[str] = field(default_factory=list)
    # When each response_url hook was first called (perf_counter; for the benchmark).
    received_at: dict[str, float] = field(default_factory=dict)
    posted_at: list[tuple[float, str]] = field(default_factory=list)
    # Files uploaded through files.getUploadURLExternal: id -> (name, content).
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    # Each time files.completeUploadExternal showed a file in a channel: (channel, file id).
    # Completing a file already shared shows it again (the pessimistic reading of Slack).
    shares: list[tuple[str, str]] = field(default_factory=list)
    # A method whose answer is lost: Slack does what it was asked, then the answer waits
    # until the test sets the event (the app dies meanwhile, or gives up).
    answers_lost: dict[str, asyncio.Event] = field(default_factory=dict)
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
        app.router.add_post("/upload/{file_id}", self._upload)
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
        if self.failures[method]:
            status, error = self.failures[method].pop(0)
            self.calls.append(Call(f"{method}:{error or status}", params))
            await self._notify()
            return web.json_response({"ok": False, "error": error}, status=status)
        if method in self.gates:
            self.waiting.append(method)
            await self._notify()
            await self.gates[method].wait()
        self.calls.append(Call(method, params))
        if method == "chat.postMessage":
            self.posted_at.append((time.perf_counter(), str(params.get("text", ""))))
        result = self._answer(method, params)
        await self._notify()
        if method in self.answers_lost:
            await self.answers_lost[method].wait()
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
        if method == "views.publish":
            problem = view_problem(params.get("view"))
            if problem or not params.get("user_id"):
                self.refused_views.append(problem or "no user_id")
                return {"ok": False, "error": "invalid_arguments"}
            view = params["view"]
            self.home_views[str(params["user_id"])] = (
                json.loads(view) if isinstance(view, str) else view
            )
            return {"ok": True, "view": {"id": "V" + uuid.uuid4().hex[:8].upper()}}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V" + uuid.uuid4().hex[:8].upper()}}
        if method == "conversations.info":
            channel = str(params.get("channel"))
            if channel in self.hidden_channels:
                return {"ok": False, "error": "channel_not_found"}
            return {
                "ok": True,
                "channel": {
                    "id": channel,
                    "is_private": channel in self.private_channels,
                    "is_im": channel.startswith("D"),
                    "is_mpim": False,
                },
            }
        if method == "files.getUploadURLExternal":
            file_id = "F" + uuid.uuid4().hex[:10].upper()
            self.files[file_id] = (str(params.get("filename", "")), b"")
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            wanted = _files(params)
            if any(f.get("id") not in self.files for f in wanted):
                return {"ok": False, "error": "file_not_found"}
            channel = str(params.get("channel_id") or "")
            if channel:
                self.shares.extend((channel, str(f["id"])) for f in wanted)
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in wanted]}
        if method == "files.info":
            file_id = str(params.get("file"))
            if file_id not in self.files:
                return {"ok": False, "error": "file_not_found"}
            where = sorted({c for c, f in self.shares if f == file_id})
            private = {c: [{"ts": self._next_ts()}] for c in where if c in self.private_channels}
            public = {c: [{"ts": self._next_ts()}] for c in where if c not in private}
            return {
                "ok": True,
                "file": {
                    "id": file_id,
                    "name": self.files[file_id][0],
                    "channels": [c for c in where if c in public],
                    "groups": [c for c in where if c in private],
                    "ims": [],
                    "shares": {"public": public, "private": private},
                },
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http", "ws") + "/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self.files:
            return web.Response(status=404, text="unknown upload")
        self.files[file_id] = (self.files[file_id][0], await request.read())
        await self._notify()
        return web.Response(text="OK - " + str(len(self.files[file_id][1])))

    def shared(self, channel: str) -> list[str]:
        """The names of the files shown in a channel, once for each time they were shown."""
        return sorted(self.files[f][0] for c, f in self.shares if c == channel)

    def uploaded(self) -> dict[str, bytes]:
        """What the app shared in channels: file name -> content (completed uploads)."""
        shared = {f["id"] for p in self.of("files.completeUploadExternal") for f in _files(p)}
        return {name: data for fid, (name, data) in self.files.items() if fid in shared}

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received_at.setdefault(request.match_info["hook"], time.perf_counter())
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


def _files(params: dict[str, Any]) -> list[dict[str, Any]]:
    listed = params.get("files")
    found = json.loads(listed) if isinstance(listed, str) else listed or []
    return [f for f in found if isinstance(f, dict)]
