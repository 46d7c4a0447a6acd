"""Text hygiene: what a text looks like to a reader, without the characters that disguise
it. Standard library only."""

from __future__ import annotations

import unicodedata

_ZWJ = "\u200d"


def clean_text(text: str) -> str:
    """Remove invisible format characters (zero-width, bidirectional overrides).

    They are how a text disguises what it says (a reversed case ref, a CPR number split by
    zero-width spaces). The zero-width joiner stays, because emoji sequences need it.
    """
    return "".join(ch for ch in text if ch == _ZWJ or unicodedata.category(ch) != "Cf")


def skeleton(text: str) -> str:
    """What a text looks like to a reader: compatibility-folded, no format characters,
    every decimal digit of any script as an ASCII digit. Used for the CPR guard."""
    folded = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for ch in folded:
        if unicodedata.category(ch) == "Cf":
            continue
        digit = unicodedata.decimal(ch, None)
        out.append(str(digit) if digit is not None else ch)
    return "".join(out)
