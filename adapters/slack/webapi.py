"""Calls to Slack's Web API that survive rate limits: a 429 is waited out for as long as its
`Retry-After` says and the call is made again, so the message is still delivered.

Errors leave this module as `SlackCallError(method, code)`: Slack's error code only, never the
request's text (data protection rule 5)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
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
        self._max_attempts = max_attempts
        self.rate_limited = 0  # how many 429s were waited out (a metric, no content)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        for _attempt in range(self._max_attempts):
            try:
                if method in _FORM_METHODS:
                    response = await self.client.api_call(method, params=params)
                else:
                    response = await self.client.api_call(method, json=params)
                return dict(response.data) if isinstance(response.data, dict) else {}
            except SlackApiError as exc:
                if exc.response.status_code == 429:
                    wait = retry_after(exc.response.headers)
                    self.rate_limited += 1
                    log.info("Slack %s rate limited; waiting %.0f s", method, wait)
                    await self._sleep(wait)
                    continue
                code = exc.response.get("error") if isinstance(exc.response.data, dict) else None
                raise SlackCallError(method, str(code or exc.response.status_code)) from None
        raise SlackCallError(method, "rate-limited-too-long")

    async def respond(self, response_url: str, body: dict[str, Any]) -> None:
        """Answer through a slash command's or button's response_url (needs no channel
        membership; the answer is ephemeral)."""
        hook = AsyncWebhookClient(response_url, timeout=10)
        for _attempt in range(self._max_attempts):
            result = await hook.send_dict(body)
            if result.status_code == 429:
                self.rate_limited += 1
                await self._sleep(retry_after(result.headers))
                continue
            if result.status_code >= 300:
                raise SlackCallError("response_url", str(result.status_code))
            return
        raise SlackCallError("response_url", "rate-limited-too-long")
