"""Block Kit for the core's replies: mrkdwn sections, `<@U…>` mentions, buttons from
`reply.actions`. An alert and its rewrites (sender.py) are rendered alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.messages import Action, Mention, Reply, ReplyKind

SECTION_LIMIT = 3000  # Slack's maximum for a section's text
TEXT_LIMIT = 3900  # the top-level fallback text is truncated by Slack near 4000
ACTION_PREFIX = "psp."
_BUTTON_STYLE = {"ack": "primary"}


def escape(text: str) -> str:
    """Slack's three control characters; everything else is left for mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention_line(mentions: Sequence[Mention]) -> str:
    return " ".join(f"<@{m.user_id}>" for m in mentions)


def _sections(text: str) -> list[dict[str, Any]]:
    escaped = escape(text)
    chunks: list[str] = []
    while escaped:
        if len(escaped) <= SECTION_LIMIT:
            chunks.append(escaped)
            break
        cut = escaped.rfind("\n", 0, SECTION_LIMIT)
        cut = cut if cut > 0 else SECTION_LIMIT
        chunks.append(escaped[:cut])
        escaped = escaped[cut:].lstrip("\n")
    return [{"type": "section", "text": {"type": "mrkdwn", "text": c}} for c in chunks]


def _buttons(actions: Sequence[Action]) -> dict[str, Any]:
    elements = []
    for action in actions:
        button: dict[str, Any] = {
            "type": "button",
            "action_id": ACTION_PREFIX + action.name,
            "text": {"type": "plain_text", "text": action.label[:75], "emoji": True},
            "value": action.command[:2000],
        }
        if action.name in _BUTTON_STYLE:
            button["style"] = _BUTTON_STYLE[action.name]
        elements.append(button)
    return {"type": "actions", "block_id": "psp.actions", "elements": elements}


def fallback_text(text: str, mentions: Sequence[Mention]) -> str:
    """The notification text (and what screen readers read): mentions first, so that the
    people named are notified even where blocks are not shown."""
    line = mention_line(mentions)
    full = f"{line} {escape(text)}" if line else escape(text)
    return full if len(full) <= TEXT_LIMIT else full[: TEXT_LIMIT - 1] + "…"


def render(reply: Reply) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks) for any reply."""
    blocks = _sections(reply.text)
    if reply.mentions:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": mention_line(reply.mentions)}],
            }
        )
    if reply.actions:
        blocks.append(_buttons(reply.actions))
    if reply.kind is ReplyKind.ERROR:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": escape(reply.text)}}]
    return fallback_text(reply.text, reply.mentions), blocks
