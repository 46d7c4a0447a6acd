"""Slack request signing (https://api.slack.com/authentication/verifying-requests-from-slack),
checked by our own code rather than bolt's: bolt logs request bodies and answers a non-numeric
timestamp with a 500, and every refusal here must be a quiet 401.

The result is a reason code, never the body: the caller logs the code only."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

# Slack's documented replay window. A request exactly 300 s away is accepted; 301 s is not.
MAX_SKEW_SECONDS = 300
_MAX_TIMESTAMP_DIGITS = 12


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # "ok" or a short code for the log: "bad-signature", "stale-timestamp", …
    text: str = ""  # the decoded body, when ok


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        # Plain dicts (tests, other servers) are case-sensitive; aiohttp's are not.
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Slack-Signature` value Slack computes for this body."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: float) -> Verdict:
    timestamp = _header(headers, "X-Slack-Request-Timestamp")
    signature = _header(headers, "X-Slack-Signature")
    if not timestamp or not signature:
        return Verdict(False, "missing-headers")
    # ASCII digits only: int() would also accept " 12", "+12", "1_2" and Unicode digits.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        return Verdict(False, "malformed-timestamp")
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        return Verdict(False, "stale-timestamp")
    if not signature.isascii():
        return Verdict(False, "bad-signature")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature):
        return Verdict(False, "bad-signature")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Verdict(False, "malformed-body")
    return Verdict(True, "ok", text)
