"""What every verb's parser shares: the tokeniser (prefix, cleaning, quotes), the refusal a
parser raises, and the small argument readers (counts, options, numbers, dates, free text).

Pure: no I/O. Every refusal is a catalogue key plus parameters, so the reply is localized by
the caller.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from bot.domain import MAX_TEXT_LENGTH, clean_text

PREFIXES = ("!psp", "/psp")
# shlex.split (POSIX mode, no comments): quotes and the escape character are its only
# special characters, and it splits on these four whitespace characters only.
_QUOTING = frozenset("'\"\\")
_SHLEX_WHITESPACE = re.compile(r"[ \t\r\n]+")
# Without the escape character, a word is unquoted runs and quoted stretches side by side.
_SEGMENT = re.compile(r"""([^ \t\r\n'"]+)|'([^']*)'|"([^"]*)"|([ \t\r\n]+)""")
_T = TypeVar("_T")


@dataclass(frozen=True)
class ParseError:
    key: str
    params: Mapping[str, str] = field(default_factory=dict)
    verb: str | None = None  # the verb whose usage line belongs with the error


class ParseRefusal(Exception):
    """Raised by a verb's parser; parse() turns it into a ParseError carrying the verb."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def strip_prefix(text: str) -> str | None:
    """The command text after a `!psp` or `/psp` prefix, or None if the text has none."""
    stripped = text.lstrip()
    for prefix in PREFIXES:
        if stripped.lower() == prefix:
            return ""
        if stripped.lower().startswith(prefix + " ") or stripped.lower().startswith(prefix + "\n"):
            return stripped[len(prefix) :].strip()
    return None


def tokenise(text: str) -> list[str] | ParseError:
    """One message to its words: cleaned, prefix removed, quotes honoured. Never empty."""
    cleaned = clean_text(text).strip()
    without_prefix = strip_prefix(cleaned)
    if without_prefix is not None:
        cleaned = without_prefix
    if not cleaned:
        return ParseError("error.empty")
    if len(cleaned) > MAX_TEXT_LENGTH:
        return ParseError("error.too_long", {"max": str(MAX_TEXT_LENGTH)})
    if _QUOTING.isdisjoint(cleaned):
        # What shlex.split gives for a text without quotes or escapes, without its
        # character-by-character reader (a tenth of a command's CPU).
        tokens = [word for word in _SHLEX_WHITESPACE.split(cleaned) if word]
    else:
        found = split_quoted(cleaned) if "\\" not in cleaned else None
        if found is None:
            try:
                found = shlex.split(cleaned)
            except ValueError:
                return ParseError("error.quotes")
        tokens = found
    if not tokens:
        return ParseError("error.empty")
    return tokens


def split_quoted(text: str) -> list[str] | None:
    """shlex.split(text) for a text without the escape character (a note's or a decision's
    quoted text), or None where a quote is not closed. A fifth of shlex's time."""
    tokens: list[str] = []
    word: str | None = None
    at = 0
    for found in _SEGMENT.finditer(text):
        if found.start() != at:
            return None  # a quote opened and never closed
        at = found.end()
        plain, single, double, space = found.groups()
        if space is not None:
            if word is not None:
                tokens.append(word)
                word = None
        else:
            part = plain if plain is not None else single if single is not None else double
            word = part if word is None else word + part
    if at != len(text):
        return None
    if word is not None:
        tokens.append(word)
    return tokens


def need(args: Sequence[str], count: int, what: str) -> None:
    if len(args) < count:
        raise ParseRefusal("error.missing", what=what)


def no_more(args: Sequence[str], count: int) -> None:
    if len(args) > count:
        raise ParseRefusal("error.extra", extra=" ".join(args[count:])[:60])


def split_options(
    args: Sequence[str], names: Mapping[str, str] | Sequence[str]
) -> tuple[list[str], dict[str, str]]:
    """Split `--name value` options from positional words. Each option takes one value.
    `names` lists the option names, or maps every accepted spelling to its canonical name."""
    spellings = names if isinstance(names, Mapping) else {name: name for name in names}
    positional: list[str] = []
    options: dict[str, str] = {}
    index = 0
    while index < len(args):
        token = args[index]
        if token.startswith("--") and len(token) > 2:
            name = spellings.get(token[2:].lower())
            if name is None:
                raise ParseRefusal("error.bad_option", option=token[:40])
            if index + 1 >= len(args) or not args[index + 1].strip():
                raise ParseRefusal("error.option_value", option=token)
            if name in options:
                raise ParseRefusal("error.option_twice", option=token)
            options[name] = args[index + 1]
            index += 2
            continue
        positional.append(token)
        index += 1
    return positional, options


def number(token: str, *, key: str = "error.bad_number") -> int:
    """A positive number as users type it (`3` or `#3`); `key` names what was expected."""
    digits = token.lstrip("#")
    if not digits.isascii() or not digits.isdigit() or not 0 < int(digits) < 1_000_000:
        raise ParseRefusal(key, number=token[:20])
    return int(digits)


def iso_date(token: str) -> date:
    try:
        if len(token) != 10:
            raise ValueError(token)
        return date.fromisoformat(token)
    except ValueError:
        raise ParseRefusal("error.bad_date", date=token[:40]) from None


def free_text(tokens: Sequence[str], what: str) -> str:
    text = " ".join(tokens).strip()
    if not text:
        raise ParseRefusal("error.missing", what=what)
    return text


def choice(table: Mapping[str, _T], token: str, option: str) -> _T:
    value = table.get(token.lower())
    if value is None:
        raise ParseRefusal(
            "error.bad_choice", option=option, value=token[:40], choices=", ".join(table)
        )
    return value
