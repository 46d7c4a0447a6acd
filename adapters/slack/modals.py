"""The two forms: `/psp flag` without arguments and `/psp decide <case>` without text.

A submitted form becomes the same text command a user could have typed, so the core parses and
checks it exactly like any other (one grammar, one set of refusals)."""

from __future__ import annotations

import json
import shlex
from typing import Any

from bot.domain import Agency, Tag, Urgency
from bot.i18n import translate

FLAG_CALLBACK = "psp.flag"
DECIDE_CALLBACK = "psp.decide"
_SUMMARY_MAX = 1000
_DECISION_MAX = 2000


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150], "emoji": True}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text[:75]), "value": value}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {**element, "action_id": "value"},
        "optional": optional,
    }


def _view(
    locale: str, callback: str, title_key: str, blocks: list[dict[str, Any]], meta: dict[str, str]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback,
        "title": _plain(translate(locale, title_key)[:24]),
        "submit": _plain(translate(locale, "slack.modal.submit")),
        "close": _plain(translate(locale, "slack.modal.cancel")),
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }


def _agency_select(locale: str) -> dict[str, Any]:
    return {
        "type": "static_select",
        "options": [_option(translate(locale, f"agency.{a.value}"), a.value) for a in Agency],
    }


def flag_view(locale: str, *, channel: str) -> dict[str, Any]:
    urgencies = [_option(translate(locale, f"urgency.{u.value}"), u.value) for u in Urgency]
    blocks = [
        _input(
            "urgency",
            translate(locale, "slack.modal.urgency"),
            {"type": "static_select", "options": urgencies, "initial_option": urgencies[0]},
        ),
        _input(
            "summary",
            translate(locale, "slack.modal.summary"),
            {"type": "plain_text_input", "multiline": True, "max_length": _SUMMARY_MAX},
        ),
        _input(
            "tags",
            translate(locale, "slack.modal.tags"),
            {
                "type": "multi_static_select",
                "options": [_option(translate(locale, f"tag.{t.value}"), t.value) for t in Tag],
            },
            optional=True,
        ),
    ]
    return _view(locale, FLAG_CALLBACK, "slack.modal.flag_title", blocks, {"channel": channel})


def decide_view(locale: str, *, channel: str, ref: str) -> dict[str, Any]:
    blocks = [
        {"type": "context", "elements": [_plain(translate(locale, "slack.modal.case", ref=ref))]},
        _input(
            "decision",
            translate(locale, "slack.modal.decision"),
            {"type": "plain_text_input", "multiline": True, "max_length": _DECISION_MAX},
        ),
        _input(
            "owner", translate(locale, "slack.modal.owner"), _agency_select(locale), optional=True
        ),
        _input("due", translate(locale, "slack.modal.due"), {"type": "datepicker"}, optional=True),
        _input(
            "fallback",
            translate(locale, "slack.modal.fallback"),
            {"type": "plain_text_input", "multiline": True, "max_length": _DECISION_MAX},
            optional=True,
        ),
        _input(
            "fallback_owner",
            translate(locale, "slack.modal.fallback_owner"),
            _agency_select(locale),
            optional=True,
        ),
    ]
    meta = {"channel": channel, "ref": ref}
    return _view(locale, DECIDE_CALLBACK, "slack.modal.decide_title", blocks, meta)


# --- submissions --------------------------------------------------------------------------


def metadata(view: dict[str, Any]) -> dict[str, str]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _value(view: dict[str, Any], block: str) -> dict[str, Any]:
    values = view.get("state", {}).get("values", {})
    item = values.get(block, {}).get("value", {})
    return item if isinstance(item, dict) else {}


def _text(view: dict[str, Any], block: str) -> str:
    value = _value(view, block).get("value")
    return value.strip() if isinstance(value, str) else ""


def _selected(view: dict[str, Any], block: str) -> str:
    option = _value(view, block).get("selected_option") or {}
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else ""


def _quote(text: str) -> str:
    # One shell word, whatever the text holds; the core's parser splits it back exactly.
    return shlex.quote(" ".join(text.split()))


def flag_command(view: dict[str, Any]) -> str:
    urgency = _selected(view, "urgency") or "normal"
    summary = _text(view, "summary")
    tags = [
        o.get("value", "")
        for o in (_value(view, "tags").get("selected_options") or [])
        if isinstance(o, dict)
    ]
    parts = ["flag", shlex.quote(urgency)]
    if summary:
        parts.append(_quote(summary))
    parts.extend(shlex.quote("#" + t) for t in tags if t)
    return " ".join(parts)


def decide_command(view: dict[str, Any], ref: str) -> str:
    parts = ["decide", shlex.quote(ref)]
    decision = _text(view, "decision")
    if decision:
        parts.append(_quote(decision))
    owner = _selected(view, "owner")
    if owner:
        parts += ["--owner", shlex.quote(owner)]
    due = _value(view, "due").get("selected_date")
    if isinstance(due, str) and due:
        parts += ["--due", shlex.quote(due)]
    fallback = _text(view, "fallback")
    if fallback:
        parts += ["--fallback", _quote(fallback)]
    fallback_owner = _selected(view, "fallback_owner")
    if fallback_owner:
        parts += ["--fallback-owner", shlex.quote(fallback_owner)]
    return " ".join(parts)
