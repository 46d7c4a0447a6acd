"""Calls to Slack's Web API. `call` survives rate limits: a 429 is waited out for as long as
its `Retry-After` says and the call is made again. The waiting is slack_sdk's own retry
machinery (`AsyncRateLimitErrorRetryHandler`), told to read the header as Slack documents it
(seconds, possibly fractional) and to cap absurd asks. `call_once` does not wait: it reports
the 429 with its Retry-After, and the outbox's delivery worker tries the row again then.

Errors leave this module as `SlackCallError(method, code)`: Slack's error code only, never the
request's text (data protection rule 5)."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
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
_FORM_METHODS = frozenset(
    {
        "conversations.info",
        "auth.test",
        "apps.connections.open",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "files.info",
    }
)
# Sending a file's bytes to the URL Slack gave for it.
_UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=60)


# Set while `call_once` runs: its 429 goes back to the caller instead of being waited out.
_NO_WAIT: contextvars.ContextVar[bool] = contextvars.ContextVar("slack_no_wait", default=False)
NETWORK_ERRORS = (aiohttp.ClientError, OSError, TimeoutError)


class SlackCallError(Exception):
    """`code` is Slack's error code, the HTTP status or "network"; `retry_after` is set when
    Slack asked us to wait (429) and the call did not wait it out itself."""

    def __init__(self, method: str, code: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"Slack {method} failed: {code}")
        self.method = method
        self.code = code
        self.retry_after = retry_after


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

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _NO_WAIT.get():
            return False
        return await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )

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
        self.deferred = 0  # 429s handed back to the delivery worker by `call_once`

    @property
    def rate_limited(self) -> int:
        """How many 429s were met: waited out here, or handed back to be retried later."""
        return self._waits.waited + self.deferred

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a method, waiting out rate limits (for calls no outbox row stands behind)."""
        try:
            if method in _FORM_METHODS:
                response = await self.client.api_call(method, params=params)
            else:
                response = await self.client.api_call(method, json=params)
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                wait = retry_after(exc.response.headers)
                raise SlackCallError(method, "rate-limited-too-long", retry_after=wait) from None
            code = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            raise SlackCallError(method, str(code or exc.response.status_code)) from None
        except NETWORK_ERRORS:
            raise SlackCallError(method, "network") from None
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def call_once(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a method without waiting out a rate limit: a 429 raises SlackCallError with
        its `retry_after` (the delivery worker decides when to try again)."""
        token = _NO_WAIT.set(True)
        try:
            return await self.call(method, **params)
        except SlackCallError as exc:
            if exc.retry_after is None:
                raise
            self.deferred += 1
            raise SlackCallError(method, "ratelimited", retry_after=exc.retry_after) from None
        finally:
            _NO_WAIT.reset(token)

    async def stage(self, files: list[tuple[str, bytes]]) -> list[str]:
        """Hand files to Slack without showing them anywhere yet: files.getUploadURLExternal
        for each, then its bytes to the URL given. Their ids, for `share`; a file staged and
        never shared is seen by nobody."""
        ids: list[str] = []
        for name, data in files:
            answer = await self.call_once(
                "files.getUploadURLExternal", filename=name, length=len(data)
            )
            url, file_id = answer.get("upload_url"), answer.get("file_id")
            if not isinstance(url, str) or not isinstance(file_id, str):
                raise SlackCallError("files.getUploadURLExternal", "no-upload-url")
            try:
                async with (
                    aiohttp.ClientSession() as session,
                    session.post(url, data=data, timeout=_UPLOAD_TIMEOUT) as response,
                ):
                    status = response.status
            except NETWORK_ERRORS:
                raise SlackCallError("files.upload", "network") from None
            if status != 200:
                raise SlackCallError("files.upload", str(status))
            ids.append(file_id)
        return ids

    async def share(
        self, channel: str, files: list[tuple[str, str]], *, thread_ts: str | None = None
    ) -> None:
        """files.completeUploadExternal: the staged files (id, title) appear in the channel,
        in the thread of `thread_ts` if given."""
        params: dict[str, Any] = {
            "files": json.dumps([{"id": file_id, "title": title} for file_id, title in files]),
            "channel_id": channel,
        }
        if thread_ts:
            params["thread_ts"] = thread_ts
        await self.call_once("files.completeUploadExternal", **params)

    async def shared_in(self, file_id: str, channel: str) -> bool | None:
        """Whether a staged file is shared in the channel (files.info): True, False (staged,
        not shared), None (Slack no longer has it: never shared, discarded)."""
        try:
            answer = await self.call_once("files.info", file=file_id)
        except SlackCallError as exc:
            if exc.code == "file_not_found":
                return None
            raise
        info = answer.get("file") or {}
        shares = info.get("shares") or {}
        where = {
            *(info.get("channels") or ()),
            *(info.get("groups") or ()),
            *(info.get("ims") or ()),
            *(shares.get("public") or {}),
            *(shares.get("private") or {}),
        }
        return channel in where

    async def respond(self, response_url: str, body: dict[str, Any]) -> None:
        """Answer through a slash command's or button's response_url (needs no channel
        membership; the answer is ephemeral)."""
        hook = AsyncWebhookClient(
            response_url, timeout=10, retry_handlers=[*self.client.retry_handlers]
        )
        try:
            result = await hook.send_dict(body)
        except NETWORK_ERRORS:
            raise SlackCallError("response_url", "network") from None
        if result.status_code == 429:
            raise SlackCallError("response_url", "rate-limited-too-long")
        if result.status_code >= 300:
            raise SlackCallError("response_url", str(result.status_code))
