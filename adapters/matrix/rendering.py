"""Replies as Matrix `m.notice` events: plain `body` plus HTML `formatted_body`.

All text is HTML-escaped: a reply may quote what a user typed. Mentions become matrix.to pills
and are listed in `m.mentions`, so clients notify exactly those users and nobody else.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from bot.messages import Reply, ReplyKind
from bot.ports.delivery import Outgoing

ACK_REACTIONS = frozenset({"✅", "👍", "✅️", "👍️"})


def pill(user_id: str, display_name: str) -> str:
    href = "https://matrix.to/#/" + quote(user_id, safe="@:")
    return f'<a href="{escape(href)}">{escape(display_name)}</a>'


def _html_lines(text: str) -> str:
    return "<br/>".join(escape(line) for line in text.split("\n"))


def render(reply: Reply) -> dict[str, Any]:
    body_lines = [reply.text]
    html_parts = [_html_lines(reply.text)]
    if reply.kind is ReplyKind.ERROR:
        html_parts[0] = f"<b>⚠</b> {html_parts[0]}"
    if reply.mentions:
        body_lines.append("→ " + " ".join(m.display_name for m in reply.mentions))
        html_parts.append("→ " + " ".join(pill(m.user_id, m.display_name) for m in reply.mentions))
    if reply.actions:
        body_lines.append(" | ".join(f"{a.label}: !psp {a.command}" for a in reply.actions))
        html_parts.append(
            " | ".join(
                f"{escape(a.label)}: <code>!psp {escape(a.command)}</code>" for a in reply.actions
            )
        )
    content: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": "\n".join(body_lines),
        "format": "org.matrix.custom.html",
        "formatted_body": "<br/>".join(html_parts),
        # Always present: an empty list tells clients this notice pings nobody.
        "m.mentions": {"user_ids": sorted({m.user_id for m in reply.mentions})},
    }
    if reply.in_reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply.in_reply_to}}
    return content


def render_outgoing(message: Outgoing) -> dict[str, Any]:
    """The event content for one outbox row: a new notice, an edit of an earlier message of
    the bot (`m.replace`, Matrix spec "Event replacements"), or a reply in a thread
    (`m.thread`, with the `m.in_reply_to` fallback for clients without threads)."""
    reply = message.reply
    content = render(reply)
    if message.edit_target is not None:
        new_content = {k: v for k, v in content.items() if k != "m.relates_to"}
        return {
            "msgtype": new_content["msgtype"],
            # What clients without edits show: the new text, marked as a correction.
            "body": "* " + str(new_content["body"]),
            "format": "org.matrix.custom.html",
            "formatted_body": "* " + str(new_content["formatted_body"]),
            "m.new_content": new_content,
            # An edit pings nobody: the alert's mentions were notified when it was posted.
            "m.mentions": {},
            "m.relates_to": {"rel_type": "m.replace", "event_id": message.edit_target},
        }
    if message.thread_root is not None:
        answers = reply.in_reply_to
        content["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": message.thread_root,
            # A reply to a command stays a real reply; otherwise the root is the fallback.
            "is_falling_back": answers is None,
            "m.in_reply_to": {"event_id": answers or message.thread_root},
        }
    return content
