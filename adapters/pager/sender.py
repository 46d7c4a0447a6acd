"""The `pager` platform's sender: one outbox row is one page to one target (an agency's duty
contact, or the lead), sent to the configured gateway and answered like every sender's send:
`Sent`, `Retry` (timeout, connection refused, 408/425/429, 5xx; Retry-After honoured) or
`Dropped` (another 4xx, an SMS target without a number). The delivery worker retries with
backoff from its background loop only (attached with `inline=False`), so a hanging gateway
never holds up a command or a scheduler tick, and the scheduler's ledger never builds the
same page twice.

Webhook (kind = "webhook"): `POST <url>` with a JSON body and

    Content-Type: application/json
    X-PSP-Timestamp: <Unix seconds when sent>
    X-PSP-Page-Id: <stable id: the same on every retry of one page, for de-duplication>
    X-PSP-Signature: v1=<hex HMAC-SHA256(secret, "v1:" + timestamp + ":" + body)>

SMS (kind = "sms"): `POST` to the URL template with {to}, {text} (and {token}) filled in,
URL-encoded; the token goes as `Authorization: Bearer` unless the template carries it.

The page carries no personal data and no case text (bot/paging.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.paging_config import PagerConfig
from bot.ports.delivery import Dropped, Outgoing, Retry, SendResult, Sent

RETRY_STATUSES = frozenset({408, 425, 429})
SIGNATURE_VERSION = "v1"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v1=<hex>`: HMAC-SHA256 over `v1:<timestamp>:<body>` (what a receiver recomputes)."""
    base = f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def page_body(message: Outgoing) -> dict[str, Any]:
    """The webhook's JSON: the page's fields (bot/paging.py), its id and its text."""
    fields = dict(message.reply.fields)
    return {
        "version": 1,
        "id": message.idempotency_key,
        "kind": fields.get("kind", "page"),
        "group": fields.get("group", ""),
        "case": fields.get("case", ""),
        "urgency": fields.get("urgency", ""),
        "agency": fields.get("agency", ""),
        "recipient": fields.get("recipient", ""),
        "target": message.reply.room.room_id,
        "step": fields.get("step", ""),
        "text": message.reply.text,
        "rooms": [r for r in fields.get("rooms", "").split("\n") if r],
    }


class PagerSender:
    def __init__(self, config: PagerConfig, *, wall: Callable[[], float] = time.time) -> None:
        self._config = config
        self._wall = wall

    async def send(self, message: Outgoing) -> SendResult:
        request = self._request(message)
        if isinstance(request, Dropped):
            return request
        url, body, headers = request
        timeout = aiohttp.ClientTimeout(total=self._config.timeout_seconds)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(url, data=body, headers=headers, allow_redirects=False) as response,
            ):
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except TimeoutError:
            return Retry("pager:timeout")
        except aiohttp.ClientError as exc:
            return Retry(f"pager:{type(exc).__name__}")
        if 200 <= status < 300:
            return Sent(None)
        if status in RETRY_STATUSES or status >= 500:
            after = float(retry_after) if retry_after and retry_after.isdigit() else None
            return Retry(f"pager:http-{status}", after=after)
        return Dropped(f"pager:http-{status}")

    def _request(self, message: Outgoing) -> tuple[str, bytes, dict[str, str]] | Dropped:
        config = self._config
        if config.kind == "webhook":
            assert config.secret is not None
            body = json.dumps(page_body(message), ensure_ascii=False, separators=(",", ":"))
            raw = body.encode()
            stamp = str(int(self._wall()))
            return (
                config.url,
                raw,
                {
                    "Content-Type": "application/json",
                    "X-PSP-Timestamp": stamp,
                    "X-PSP-Page-Id": message.idempotency_key,
                    "X-PSP-Signature": signature(config.secret, stamp, raw),
                },
            )
        number = config.numbers.get(message.reply.room.room_id)
        if number is None:
            return Dropped("pager:no-number")
        token = config.token or ""
        url = config.url.format(
            to=quote(number, safe=""),
            text=quote(message.reply.text, safe=""),
            token=quote(token, safe=""),
        )
        headers = {"X-PSP-Page-Id": message.idempotency_key}
        if "{token}" not in config.url:
            headers["Authorization"] = f"Bearer {token}"
        return url, b"", headers
