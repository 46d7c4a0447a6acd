"""Requests exactly as Slack signs and shapes them, and readers for what the app posted."""

from __future__ import annotations

import json
import time
import urllib.parse
import uuid
from typing import Any

from adapters.slack.signature import sign
from tests.slack_standin.server import BOT_USER, SECRET, TEAM

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
    view: dict[str, Any],
    values: dict[str, Any],
    *,
    user: str,
    team: str = TEAM,
    view_id: str | None = None,
) -> dict[str, Any]:
    """A form sent; `view_id`: the form's id, which Slack keeps while the form stays open
    (each submission of it has a trigger id of its own)."""
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "psp"},
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "api_app_id": "APSP",
        "trigger_id": uuid.uuid4().hex,
        "view": {
            **view,
            "id": view_id or "V" + uuid.uuid4().hex[:8].upper(),
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


def app_home_opened(user: str, *, tab: str = "home", team: str = TEAM) -> dict[str, Any]:
    """Slack's event when a person opens the app's Home (or Messages) tab."""
    return {
        "token": "unused",
        "team_id": team,
        "api_app_id": "APSP",
        "event": {
            "type": "app_home_opened",
            "user": user,
            "channel": "D" + user[1:],
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
        },
        "type": "event_callback",
        "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": int(time.time()),
        "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}],
    }


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
