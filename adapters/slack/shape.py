"""The shape of a signed request's body, checked before bolt sees it.

A request that is signed but not what Slack sends (a `payload` that is not a JSON object, an
event body that is not JSON, a slash command without `user_id`) is refused with a reason code:
bolt would otherwise answer it with a 200 that does nothing, or a 500. The parsed body is
handed to bolt as is, so a command whose text merely contains the word "payload" is read as
the command it is (bolt's own parser takes such a body for an interaction and drops it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

_INTERACTIONS_WITH_A_USER = frozenset(
    {"block_actions", "view_submission", "view_closed", "shortcut", "message_action"}
)


@dataclass(frozen=True)
class Shape:
    ok: bool
    reason: str  # "ok" or a short code for the log
    body: dict[str, Any] = field(default_factory=dict)


def _refuse(reason: str) -> Shape:
    return Shape(False, reason)


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _text(body: dict[str, Any], key: str) -> bool:
    value = body.get(key)
    return isinstance(value, str) and bool(value.strip())


def _event(body: dict[str, Any]) -> Shape:
    if not _text(body, "type"):
        return _refuse("event-without-type")
    if body["type"] == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not _text(event, "type"):
            return _refuse("malformed-event")
    if body["type"] == "url_verification" and not _text(body, "challenge"):
        return _refuse("malformed-challenge")
    return Shape(True, "ok", body)


def _interaction(body: dict[str, Any]) -> Shape:
    if not _text(body, "type"):
        return _refuse("payload-without-type")
    if body["type"] in _INTERACTIONS_WITH_A_USER:
        user = body.get("user")
        if not isinstance(user, dict) or not _text(user, "id"):
            return _refuse("payload-without-user")
    return Shape(True, "ok", body)


def parse_request(text: str, content_type: str | None) -> Shape:
    """The body as bolt would read it, or the reason it is not a Slack request."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "application/json" or text.lstrip().startswith(("{", "[")):
        body = _json_object(text)
        return _refuse("malformed-json") if body is None else _event(body)
    form = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in form:
        body = _json_object(form["payload"])
        return _refuse("malformed-payload") if body is None else _interaction(body)
    if "command" in form:
        if not _text(form, "user_id"):
            return _refuse("command-without-user")
        if not _text(form, "channel_id"):
            return _refuse("command-without-channel")
        return Shape(True, "ok", dict(form))
    if form.get("ssl_check") == "1":
        return Shape(True, "ok", dict(form))  # Slack's certificate check: bolt answers it
    return _refuse("unknown-shape")
