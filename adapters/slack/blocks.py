"""Block Kit for the core's replies: mrkdwn sections, `<@U…>` mentions, buttons from
`reply.actions`, and the alert message that is rewritten in place as the case moves on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.messages import Action, Mention, Reply, ReplyKind

SECTION_LIMIT = 3000  # Slack's maximum for a section's text
TEXT_LIMIT = 3900  # the top-level fallback text is truncated by Slack near 4000
ACTION_PREFIX = "psp."
_BUTTON_STYLE = {"ack": "primary"}
# Updates that change who holds the case or whether it is open: shown on the alert itself.
_STATE_CHANGES = frozenset({"assign", "accept", "decline", "take", "close", "reopen"})


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


@dataclass
class AlertState:
    """What the alert message of one case in one channel shows. Its place and status lines are
    kept in the adapter state, so that an update after a restart still rewrites the right
    message; the alert's own text (the case summary) is not: the adapter state is neither
    encrypted nor purged like case text, so the text stays in memory only (see sender.py)."""

    channel: str
    ts: str
    text: str
    actions: list[tuple[str, str, str]]
    mentions: list[tuple[str, str]] = field(default_factory=list)
    ack_line: str = ""
    state_line: str = ""
    closed: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["text"]  # case text never goes into the adapter state
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AlertState:
        return cls(
            channel=str(data["channel"]),
            ts=str(data["ts"]),
            text=str(data.get("text", "")),
            actions=[(str(a), str(b), str(c)) for a, b, c in data.get("actions", [])],
            mentions=[(str(a), str(b)) for a, b in data.get("mentions", [])],
            ack_line=str(data.get("ack_line", "")),
            state_line=str(data.get("state_line", "")),
            closed=bool(data.get("closed", False)),
        )

    def apply(self, reply: Reply) -> bool:
        """Fold a later UPDATE of the same case into the alert: acknowledgements on one line,
        the latest change of responsibility or status on another; no buttons once closed.
        Other updates (decisions, notes) leave the alert as it is: False."""
        key = (reply.message_key or "").split(":", 1)[0]
        if key.startswith("ack."):
            self.ack_line = reply.text
            return True
        if key.split(".", 1)[0] not in _STATE_CHANGES:
            return False
        self.state_line = reply.text
        if key.startswith("close."):
            self.closed = True
        elif key.startswith("reopen."):
            self.closed = False
        return True

    def render(self) -> tuple[str, list[dict[str, Any]]]:
        mentions = tuple(Mention(u, n) for u, n in self.mentions)
        blocks = _sections(self.text)
        if mentions:
            blocks.append(
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": mention_line(mentions)}],
                }
            )
        status = [line for line in (self.ack_line, self.state_line) if line]
        if status:
            blocks.append({"type": "divider"})
            blocks.extend(_sections("\n".join(status)))
        if self.actions and not self.closed:
            blocks.append(_buttons([Action(n, label, cmd) for n, label, cmd in self.actions]))
        return fallback_text(self.text, ()), blocks


def alert_state(reply: Reply, channel: str, ts: str) -> AlertState:
    return AlertState(
        channel=channel,
        ts=ts,
        text=reply.text,
        actions=[(a.name, a.label, a.command) for a in reply.actions],
        mentions=[(m.user_id, m.display_name) for m in reply.mentions],
    )
