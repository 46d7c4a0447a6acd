"""The App Home tab: drawn fresh from the core's home view each time a person opens it
(`app_home_opened` -> `views.publish`), one block group per PSP group they belong to.

Block Kit's limits hold whatever the view holds: at most 100 blocks, 150 characters in a
header, 3,000 in a section's text; a group that does not fit says so instead of breaking the
view (Slack refuses an oversized view whole)."""

from __future__ import annotations

from typing import Any

from adapters.slack.blocks import SECTION_LIMIT, escape
from bot.usecases.home import HomePart, HomeView

MAX_BLOCKS = 100
HEADER_LIMIT = 150


def _header(text: str) -> dict[str, Any]:
    clipped = text if len(text) <= HEADER_LIMIT else text[: HEADER_LIMIT - 1] + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": clipped, "emoji": True}}


def _section(text: str) -> dict[str, Any]:
    if len(text) > SECTION_LIMIT:
        cut = text.rfind("\n", 0, SECTION_LIMIT - 2)
        text = text[: cut if cut > 0 else SECTION_LIMIT - 2] + "\n…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(text)[:2000]}]}


def _part(part: HomePart) -> dict[str, Any]:
    lines = [f"*{escape(part.heading)}*"]
    if part.lines:
        lines.extend(f"• {escape(line)}" for line in part.lines)
    else:
        lines.append(f"_{escape(part.empty)}_")
    if part.more:
        lines.append(escape(part.more))
    return _section("\n".join(lines))


def home_tab(view: HomeView) -> dict[str, Any]:
    """The `view` argument of views.publish."""
    blocks: list[dict[str, Any]] = [_header(view.title)]
    for group in view.groups:
        group_blocks = [{"type": "divider"}, _header(group.title)]
        group_blocks.extend(_part(part) for part in group.parts)
        if len(blocks) + len(group_blocks) > MAX_BLOCKS - 1:
            break  # the footer says how many groups were left out by the core's own cap
        blocks.extend(group_blocks)
    blocks.append(_context(view.footer))
    return {"type": "home", "blocks": blocks}
