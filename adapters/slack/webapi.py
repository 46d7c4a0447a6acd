"""Calls to Slack's Web API that survive rate limits: a 429 is waited out for as long as its
`Retry-After` says and the call is made again, so the message is still delivered. The waiting
is slack_sdk's own retry machinery (`AsyncRateLimitErrorRetryHandler`), told to read the
header as Slack documents it (seconds, possibly fractional) and to cap absurd asks.

Errors leave this module as `SlackCallError(method, code)`: Slack's error code only, never the
request's text (data protection rule 5)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
# Slack asks for waits of seconds to a minute; a longer ask is capped so that one bad header
# cannot park the delivery of every later reply for hours.
MAX_RETRY_AFTER = 120.0
MAX_ATTEMPTS = 30
# Methods Slack documents as taking form or query arguments only (no JSON body).
_FORM_METHODS = frozenset({"conversations.info", "auth.test", "apps.connections.open"})


class SlackCallError(Exception):
    def __init__(self, method: str, code: str) -> None:
        super().__init__(f"Slack {method} failed: {code}")
        self.method = method
        self.code = code


def retry_after(headers: Mapping[str, Any] | None) -> float:
    raw = None
    if headers is not None:
        raw = headers.get("Retry-After") or headers.get("retry-after")
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    try:
        seconds = float(str(raw))
    except (TypeError, ValueError):
        seconds = 1.0
    if seconds != seconds or seconds < 0:  # NaN or negative: Slack never sends these
        seconds = 1.0
    return min(seconds, MAX_RETRY_AFTER)


class RateLimitWaits(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler with the wait read by `retry_after`, a sleep the tests can
    replace, and a count of the waits (a metric, no content)."""

    def __init__(self, *, max_retry_count: int, sleep: Callable[[], Sleep]) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep
        self.waited = 0

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:  # only a 429 response gets here
            raise error or RuntimeError("retry without a response")
        state.next_attempt_requested = True
        wait = retry_after(response.headers)
        self.waited += 1
        log.info("Slack rate limited; waiting %.0f s", wait)
        await self._sleep()(wait)
        state.increment_current_attempt()


class SlackApi:
    def __init__(
        self,
        client: AsyncWebClient,
        *,
        sleep: Sleep = asyncio.sleep,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.client = client
        self._sleep = sleep
        self._waits = RateLimitWaits(max_retry_count=max_attempts - 1, sleep=lambda: self._sleep)
        client.retry_handlers = [*client.retry_handlers, self._waits]

    @property
    def rate_limited(self) -> int:
        """How many 429s were waited out."""
        return self._waits.waited

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        try:
            if method in _FORM_METHODS:
                response = await self.client.api_call(method, params=params)
            else:
                response = await self.client.api_call(method, json=params)
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                raise SlackCallError(method, "rate-limited-too-long") from None
            code = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            raise SlackCallError(method, str(code or exc.response.status_code)) from None
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def respond(self, response_url: str, body: dict[str, Any]) -> None:
        """Answer through a slash command's or button's response_url (needs no channel
        membership; the answer is ephemeral)."""
        hook = AsyncWebhookClient(
            response_url, timeout=10, retry_handlers=[*self.client.retry_handlers]
        )
        result = await hook.send_dict(body)
        if result.status_code == 429:
            raise SlackCallError("response_url", "rate-limited-too-long")
        if result.status_code >= 300:
            raise SlackCallError("response_url", str(result.status_code))
