"""What a Matrix message says to the bot, and whom it names, as clients send it.

A command is `!psp …`, or a message that begins by naming the bot — its pill picked from the
autocomplete (`psp-bot: help`), as people address bots in Element; a reply that merely
mentions the bot is no command.

Picking someone from Element's @-autocomplete sends a pill: `formatted_body` holds
`<a href="https://matrix.to/#/@dave:example.org">dave</a>`, `body` only "dave", and
`m.mentions.user_ids` the id. The command the core reads is the body with each pill's text
replaced by the user id it stands for, so `member add dave school rep` means @dave:example.org
wherever the argument stands. An `m.mentions` entry without a pill replaces the first word
that is that user's name. Display names typed by hand are resolved by the core, which knows
which arguments name a person (the room's people come with the message).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

from nio import MatrixRoom

_PERMALINK = re.compile(r"^https?://matrix\.to/#/(@[^/?#\s]+)")
_USER_ID = re.compile(r"^@[^:\s]+:\S+$")


@dataclass
class _Pill:
    user_id: str
    text: str
    before: int  # how often its text occurs in the plain text before it


class _Reader(HTMLParser):
    """The text of formatted_body as a reader sees it, and where its user pills stand."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.plain: list[str] = []
        self.pills: list[_Pill] = []
        self._open: tuple[str, int, list[str]] | None = None
        self._reply = 0  # inside a reply fallback (`<mx-reply>`), which is not the message

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mx-reply":
            self._reply += 1
        elif tag == "a" and not self._reply:
            match = _PERMALINK.match(dict(attrs).get("href") or "")
            user = unquote(match.group(1)) if match else ""
            if _USER_ID.match(user):
                self._open = (user, len(self.plain), [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "mx-reply" and self._reply:
            self._reply -= 1
        elif tag == "a" and self._open is not None:
            user, start, parts = self._open
            self._open = None
            text = "".join(parts).strip()
            if text:
                before = "".join(self.plain[:start]).count(text)
                self.pills.append(_Pill(user, text, before))

    def handle_data(self, data: str) -> None:
        if self._reply:
            return
        self.plain.append(data)
        if self._open is not None:
            self._open[2].append(data)


def _nth(haystack: str, needle: str, n: int) -> int:
    """Where the n-th (0-based) occurrence of needle starts, or -1."""
    at = -1
    for _ in range(n + 1):
        at = haystack.find(needle, at + 1)
        if at < 0:
            return -1
    return at


def _pills(formatted: str) -> list[_Pill]:
    reader = _Reader()
    try:
        reader.feed(formatted)
        reader.close()
    except Exception:  # a malformed body names nobody; the plain body still counts
        return []
    return reader.pills


def _replace_pills(body: str, pills: list[_Pill]) -> tuple[str, set[str]]:
    spans: list[tuple[int, int, str]] = []
    for pill in pills:
        if pill.text == pill.user_id:
            continue  # the body already says the id
        start = _nth(body, pill.text, pill.before)
        end = start + len(pill.text)
        if start < 0 or any(s < end and start < e for s, e, _u in spans):
            continue
        spans.append((start, end, pill.user_id))
    for start, end, user in sorted(spans, reverse=True):
        body = body[:start] + user + body[end:]
    return body, {p.user_id for p in pills}


def _mentioned_ids(content: Mapping[str, Any]) -> list[str]:
    mentions = content.get("m.mentions")
    ids = mentions.get("user_ids") if isinstance(mentions, Mapping) else None
    if not isinstance(ids, list):
        return []
    return [i for i in ids if isinstance(i, str) and _USER_ID.match(i)]


def _replace_named(body: str, user_id: str, names: Iterable[str]) -> str:
    if user_id in body:
        return body
    for name in names:
        if not name:
            continue
        word = re.compile(r"(?<![\w@])@?" + re.escape(name) + r"(?![\w:])", re.IGNORECASE)
        replaced, count = word.subn(user_id, body, count=1)
        if count:
            return replaced
    return body


def command_text(content: Mapping[str, Any], body: str, names: Mapping[str, str]) -> str:
    """The command as the core should read it: the body, each person picked from the
    autocomplete written as their user id. `names`: user id -> display name in the room."""
    formatted = content.get("formatted_body")
    text = body
    placed: set[str] = set()
    if content.get("format") == "org.matrix.custom.html" and isinstance(formatted, str):
        text, placed = _replace_pills(body, _pills(formatted))
    for user_id in _mentioned_ids(content):
        if user_id not in placed:
            localpart = user_id[1:].split(":", 1)[0]
            text = _replace_named(text, user_id, (names.get(user_id, ""), localpart))
    return text


def room_people(room: MatrixRoom) -> tuple[tuple[str, str], ...]:
    """(user id, display name) of everyone in the room, for names typed by hand."""
    return tuple(
        (user_id, user.display_name or user_id[1:].split(":", 1)[0])
        for user_id, user in sorted(room.users.items())
    )


def is_command(body: str) -> bool:
    head = body.lstrip()[:5].lower()
    return head == "!psp" or head.startswith("!psp ") or head.startswith("!psp\n")


def message_command(content: object, body: str, room: MatrixRoom, bot_id: str) -> str | None:
    """The command text of a message (pills as user ids), or None when it is none."""
    names = {u: p.display_name or "" for u, p in room.users.items()}
    text = command_text(content if isinstance(content, dict) else {}, body, names)
    if is_command(body):
        return text
    head = text.lstrip()
    if not head.startswith(bot_id):
        return None
    rest = head[len(bot_id) :].lstrip(" :,\u00a0\t\n")
    return rest or "help"
