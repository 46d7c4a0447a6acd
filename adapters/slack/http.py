"""HTTP mode: events, slash commands and interactivity on one aiohttp endpoint.

The signature is checked here, before bolt sees anything: a bad request gets 401 with
`X-Slack-No-Retry: 1` and a reason code in the log, never its body and never a 500. While the
bot is stopping, every request gets 503 with `Retry-After` (and without `X-Slack-No-Retry`),
so that Slack sends it again to the bot's next start. A signed request that is not shaped like
anything Slack sends gets 400 with `X-Slack-No-Retry: 1` (shape.py): resending cannot mend it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.bolt_app import NO_RETRY, RETRY_LATER, SlackAdapter
from adapters.slack.shape import parse_request
from adapters.slack.signature import verify

log = logging.getLogger(__name__)

# Slack's payloads are small; a larger body is not Slack.
MAX_BODY = 512 * 1024


def make_http_app(
    adapter: SlackAdapter, *, now: Callable[[], float] = time.time
) -> web.Application:
    secret = adapter.config.signing_secret
    if not secret:
        raise ValueError("HTTP mode needs the signing secret")
    path = adapter.config.http_path

    async def events(request: web.Request) -> web.StreamResponse:
        if not adapter.accepting:
            return web.Response(status=503, text="", headers=RETRY_LATER)
        with adapter.router.in_flight.track():
            return await handle(request)

    async def handle(request: web.Request) -> web.StreamResponse:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _refuse(413, "too-large")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _refuse(413, "too-large")
        verdict = verify(secret, request.headers, body, now=now())
        if not verdict.ok:
            return _refuse(401, verdict.reason)
        shape = parse_request(verdict.text, request.headers.get("Content-Type"))
        if not shape.ok:
            return _refuse(400, shape.reason)
        try:
            bolt_request = AsyncBoltRequest(
                body=verdict.text, query=request.query_string, headers=dict(request.headers)
            )
            if bolt_request.body != shape.body:
                # bolt's parser misreads a command whose text contains "payload": use ours.
                bolt_request.body = shape.body
                bolt_request.context = build_async_context(AsyncBoltContext({}), shape.body)
            bolt_response = await adapter.app.async_dispatch(bolt_request)
        except Exception as exc:  # bolt handles listener errors; this is a last line
            log.error("Slack request failed: %s", type(exc).__name__)
            return web.Response(status=200, text="")
        return await to_aiohttp_response(bolt_response)

    async def health(_request: web.Request) -> web.StreamResponse:
        return web.Response(text="ok")

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(path, events)
    app.router.add_get("/healthz", health)
    return app


def _refuse(status: int, reason: str) -> web.Response:
    log.warning("refused a Slack request: %s", reason)
    return web.Response(status=status, text="", headers=NO_RETRY)
