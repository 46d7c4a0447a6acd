"""What Slack checks in a published view (https://docs.slack.dev/reference/block-kit), so that
the stand-in refuses what Slack would refuse: `views.publish` answers `invalid_arguments`."""

from __future__ import annotations

import json
from typing import Any

MAX_BLOCKS = 100
HEADER_TEXT = 150
SECTION_TEXT = 3000
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 2000
BLOCK_ID = 255
VIEW_JSON = 250_000  # the whole view, as JSON: far above what a home tab needs

_BLOCK_TYPES = {"header", "section", "context", "divider", "actions"}


def _text(obj: Any, *, kinds: set[str], limit: int) -> str | None:
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        return "a text object of the wrong type"
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return "an empty text"
    if len(text) > limit:
        return f"a text of {len(text)} characters (at most {limit})"
    return None


def _block(block: Any) -> str | None:
    if not isinstance(block, dict) or block.get("type") not in _BLOCK_TYPES:
        return "an unknown block"
    if len(str(block.get("block_id", ""))) > BLOCK_ID:
        return "a block_id too long"
    kind = block["type"]
    if kind == "header":
        return _text(block.get("text"), kinds={"plain_text"}, limit=HEADER_TEXT)
    if kind == "section":
        return _text(block.get("text"), kinds={"mrkdwn", "plain_text"}, limit=SECTION_TEXT)
    if kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= CONTEXT_ELEMENTS:
            return "a context with no or too many elements"
        for element in elements:
            problem = _text(element, kinds={"mrkdwn", "plain_text"}, limit=CONTEXT_TEXT)
            if problem:
                return problem
    return None


def view_problem(view: Any) -> str | None:
    """Why Slack would refuse this view, or None."""
    if isinstance(view, str):
        view = json.loads(view)
    if not isinstance(view, dict) or view.get("type") != "home":
        return "not a home view"
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        return "no blocks"
    if len(blocks) > MAX_BLOCKS:
        return f"{len(blocks)} blocks (at most {MAX_BLOCKS})"
    if len(json.dumps(view)) > VIEW_JSON:
        return "a view too large"
    for block in blocks:
        problem = _block(block)
        if problem:
            return problem
    return None
