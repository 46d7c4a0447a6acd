"""How long one answer may be. Every list, agenda and report is capped by its own rules (a page
of `list`, the agenda's caps, the daily follow-up's); this is the last guard for everything,
`show` of a case with years of notes included.

Matrix refuses events over 64 KiB, and the bot sends each text twice (plain and HTML), with
up to two bytes a character for Danish letters and more for escaped markup; Slack takes 3,000
characters a section and 50 blocks a message (adapters/slack/blocks.py splits the text into
sections). 8,000 characters is at most ~40 KiB on Matrix and three Slack sections.
"""

from __future__ import annotations

from bot.i18n import plural, translate

MAX_REPLY_CHARS = 8_000


def fit_message(text: str, locale: str) -> str:
    """`text` itself if it fits, else its first whole lines and a line saying how many
    lines were left out."""
    if len(text) <= MAX_REPLY_CHARS:
        return text
    # Leave room for the closing line.
    cut = text.rfind("\n", 0, MAX_REPLY_CHARS - 200)
    if cut <= 0:
        cut = MAX_REPLY_CHARS - 200
    left_out = text[cut:].strip("\n").count("\n") + 1
    lines = plural(locale, "count.more_lines", left_out)
    return text[:cut] + "\n" + translate(locale, "reply.cut", lines=lines)
