"""The two forms: `/psp flag` (or any of its aliases) without a summary and `/psp decide <case>`
without text; the flag form also opens from the message shortcut, holding the message's text.

A submitted form is checked field by field first (a CPR number, unreadable characters, a
summary of blanks): a refusal keeps the form open with the error under the field and the typed
text kept (Slack's `response_action: "errors"`). What passes becomes the same text command a
user could have typed, so the core parses and checks it like any other (one grammar, one set
of refusals, the CPR guard once more); a refusal of the core is shown the same way, under the
field it concerns (`refusal_field`)."""

from __future__ import annotations

import json
import shlex
from typing import Any

from bot.domain import URGENCY_ALIASES, Agency, Tag, Urgency, without_cpr
from bot.i18n import translate
from bot.parsing.verbs import WORD_TO_VERB
from bot.screening import CPR, screen_command

FLAG_CALLBACK = "psp.flag"
DECIDE_CALLBACK = "psp.decide"
FLAG_MESSAGE_CALLBACK = "psp.flag_message"
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


def flag_view(
    locale: str,
    *,
    channel: str,
    urgency: Urgency | None = None,
    summary: str = "",
    notice: str = "",
) -> dict[str, Any]:
    """`summary` prefills the text (never with a CPR number: the caller removed it and says
    so in `notice`, shown above the fields)."""
    urgencies = [_option(translate(locale, f"urgency.{u.value}"), u.value) for u in Urgency]
    chosen = urgencies[list(Urgency).index(urgency)] if urgency is not None else urgencies[0]
    summary_input: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": _SUMMARY_MAX,
    }
    if summary:
        summary_input["initial_value"] = summary[:_SUMMARY_MAX]
    blocks = [
        _input(
            "urgency",
            translate(locale, "slack.modal.urgency"),
            {"type": "static_select", "options": urgencies, "initial_option": chosen},
        ),
        _input("summary", translate(locale, "slack.modal.summary"), summary_input),
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
    if notice:
        blocks.insert(0, {"type": "context", "elements": [_plain(notice)]})
    return _view(locale, FLAG_CALLBACK, "slack.modal.flag_title", blocks, {"channel": channel})


def message_flag_view(locale: str, *, channel: str, text: str) -> dict[str, Any]:
    """The flag form for the message shortcut, holding the message's text. A CPR number in
    it is cut out (whole words) and the form says so; a text that cannot be made safe is
    left out whole."""
    # Cut to length first: a cut after the check could turn "… 010190 12345" into a number.
    summary = " ".join(text.split())[:_SUMMARY_MAX]
    screened = screen_command(summary)
    if screened is None:
        return flag_view(locale, channel=channel, summary=summary)
    cut = without_cpr(summary) if screened is CPR else None
    if cut is None or screen_command(cut) is not None:
        # Nothing of the message can be kept safely: an empty form that says why.
        notice = translate(locale, "slack.modal.message_refused")
        return flag_view(locale, channel=channel, notice=notice)
    notice = translate(locale, "slack.modal.cpr_removed")
    return flag_view(locale, channel=channel, summary=cut, notice=notice)


def form_for(locale: str, text: str, *, channel: str) -> dict[str, Any] | None:
    """The form a slash command's text asks for, if any: a flag verb or alias alone
    (`flag`, `akut`, `haster`, `normal`, or `flag <urgency>`), or `decide <case>` alone. Text
    the guard refuses (a CPR number written as the case) opens no form, which would show it:
    it goes to the core, which refuses it without repeating it."""
    if screen_command(text) is not None:
        return None
    words = text.split()
    verb = WORD_TO_VERB.get(words[0].lower()) if words else None
    if verb == "flag" and len(words) == 1:
        return flag_view(locale, channel=channel, urgency=URGENCY_ALIASES.get(words[0].lower()))
    if verb == "flag" and len(words) == 2 and words[0].lower() == "flag":
        urgency = URGENCY_ALIASES.get(words[1].lower())
        return None if urgency is None else flag_view(locale, channel=channel, urgency=urgency)
    if verb == "decide" and len(words) == 2:
        return decide_view(locale, channel=channel, ref=words[1])
    return None


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


def _field_errors(
    locale: str, view: dict[str, Any], *, required: tuple[str, ...], free: tuple[str, ...]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for block in free:
        raw = _value(view, block).get("value")
        screened = screen_command(raw) if isinstance(raw, str) else None
        if screened is not None:
            key = "slack.modal.error.cpr" if screened is CPR else "slack.modal.error.unreadable"
            errors[block] = translate(locale, key)
        elif block in required and not _text(view, block):
            errors[block] = translate(locale, "slack.modal.error.required")
    return errors


def flag_errors(locale: str, view: dict[str, Any]) -> dict[str, str]:
    """block_id -> the one-line error shown under that field; empty when the form may go."""
    return _field_errors(locale, view, required=("summary",), free=("summary",))


def decide_errors(locale: str, view: dict[str, Any]) -> dict[str, str]:
    errors = _field_errors(locale, view, required=("decision",), free=("decision", "fallback"))
    if (
        "fallback" not in errors
        and _selected(view, "fallback_owner")
        and not _text(view, "fallback")
    ):
        errors["fallback"] = translate(locale, "slack.modal.error.fallback_needed")
    return errors


# Where a refusal of the core goes in each form: under the field of the part of the command
# it names (`RefusedCommand.about`), else under the form's main text field.
_FIELDS: dict[str, tuple[str, dict[str, str]]] = {
    FLAG_CALLBACK: ("summary", {"urgency": "urgency", "text": "summary", "tags": "tags"}),
    DECIDE_CALLBACK: (
        "decision",
        {
            "text": "decision",
            "owner": "owner",
            "due": "due",
            "fallback": "fallback",
            "fallback_owner": "fallback_owner",
        },
    ),
}


def refusal_field(callback: str, about: str | None) -> str:
    """The block id under which the form shows a refusal of the core."""
    main, fields = _FIELDS.get(callback, ("summary", {}))
    return fields.get(about or "", main)


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
