"""Text hygiene: what a text looks like to a reader, without the characters that disguise
it. Standard library only."""

from __future__ import annotations

import re
import unicodedata

_ZWJ = "\u200d"


def clean_text(text: str) -> str:
    """Remove invisible format characters (zero-width, bidirectional overrides).

    They are how a text disguises what it says (a reversed case ref, a CPR number split by
    zero-width spaces). The zero-width joiner stays, because emoji sequences need it.
    """
    if text.isascii():
        return text  # no ASCII character is a format character (Cf)
    return "".join(ch for ch in text if ch == _ZWJ or unicodedata.category(ch) != "Cf")


# Lone surrogates (what a JSON body's "\ud800" or undecodable bytes become) and control
# characters other than newline and tab: no reader can see them, and no database should keep
# them (PostgreSQL refuses NUL in text, SQLite keeps it silently).
_UNREADABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def has_unreadable_characters(text: str) -> bool:
    return _UNREADABLE.search(text) is not None
