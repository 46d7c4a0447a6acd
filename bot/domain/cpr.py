"""The CPR guard: no Danish personal identity number is ever stored or echoed.
Standard library only.

The rule (README "Data protection" and SECURITY.md say the same): after `cpr_skeleton`, a
run of ten digits DDMMYY NNNN whose first six are a real date, with at most one separator
between its four parts (day, month, year, serial) and no digit right before or after it, is
a CPR number. The serial's four digits stand together.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import date
from urllib.parse import unquote

# After cpr_skeleton every run of separators is one space, so "at most one separator
# between parts" is an optional space. A lookahead finds overlapping candidates: a run that
# is no date must not hide a real one starting two digits later.
_CPR_PATTERN = re.compile(r"(?<!\d)(?=(\d\d) ?(\d\d) ?(\d\d) ?(\d)(\d{3})(?!\d))")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_SPACES = re.compile(r" {2,}")
_DIGIT = re.compile(r"\d")
_CPR_DIGITS = 10

# Characters that separate the parts of a number to a reader, beyond every dash (Pd), space
# (Zs, Zl, Zp), quotation mark (Pi, Pf) and connector (Pc, e.g. "_") of Unicode. A quote
# stands for the gap between two shell words: `"010190" "1234"` is stored as "010190 1234".
_SEPARATORS = frozenset(
    "-./\\'\"`´¨"  # ASCII and Latin-1 marks
    "\u2212\u2796\u02d7\u2043\u2010\u2011\ufe63\uff0d"  # minus signs and hyphens
    "\u00b7\u2027\u2024\u2219\u22c5\u30fb\uff65\u3002\uff61\u0701\u0702"  # dots
    "\u2044\u2215\u29f8\u2571\uff0f"  # slashes
    "\u2216\u29f5\u29f9\ufe68\uff3c\u2572"  # backslashes
    "\u201a\u201e\u2e42\u301d\u301e\u301f"  # quotation marks that Unicode files as brackets
    "\u2800\u3164\uffa0\u115f\u1160"  # blanks that render as nothing
)
_SEPARATOR_CATEGORIES = frozenset({"Pd", "Zs", "Zl", "Zp", "Pi", "Pf", "Pc"})
# Invisible: format characters (zero-width, bidi), combining marks and variation selectors
# (Mn, Me) and control characters. They disguise a number without showing.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me", "Cc"})


def _decoded(text: str) -> str:
    """Undo percent-encoding (`%2D`, `%E2%80%93`) and HTML character references, repeatedly,
    so that an encoded number reads as what a browser or a copy-paste would show."""
    for _round in range(4):
        decoded = html.unescape(text)
        if _PERCENT.search(decoded):
            decoded = unquote(decoded, errors="replace")
        if decoded == text:
            break
        text = decoded
    return text


def cpr_skeleton(text: str) -> str:
    """The digits and separators of a text as a reader sees them: decoded, NFKC-folded,
    invisible characters dropped, every script's digits as ASCII digits, every separator as
    one space and runs of them as one."""
    folded = unicodedata.normalize("NFKC", _decoded(text))
    out: list[str] = []
    for ch in folded:
        if ch in ("\n", "\t", "\r"):
            out.append(" ")
            continue
        category = unicodedata.category(ch)
        if category in _INVISIBLE_CATEGORIES:
            continue
        digit = unicodedata.decimal(ch, None)
        if digit is not None:
            out.append(str(digit))
        elif ch in _SEPARATORS or category in _SEPARATOR_CATEGORIES or ch.isspace():
            out.append(" ")
        else:
            out.append(ch)
    return _SPACES.sub(" ", "".join(out))


def _cpr_century(year2: int, digit7: int) -> int:
    """The century of a CPR birth date, from the seventh digit (CPR-kontoret's table)."""
    if digit7 <= 3:
        return 1900
    if digit7 in (4, 9):
        return 2000 if year2 <= 36 else 1900
    return 2000 if year2 <= 57 else 1800


def _fewer_digits_than_a_cpr(text: str) -> bool:
    """True if the text's skeleton cannot hold ten digits: most texts a command carries (a
    case ref has eight). Decoding only ever acts on `&` and `%`; after NFKC the skeleton's
    digits are exactly the decimal digits (Nd) that `\\d` finds, so counting them there
    decides without building the skeleton character by character."""
    if "&" in text or "%" in text:
        return False  # decoding could make digits: let the skeleton decide
    return len(_DIGIT.findall(unicodedata.normalize("NFKC", text))) < _CPR_DIGITS


def contains_cpr(text: str) -> bool:
    """True if the text holds something shaped like a Danish CPR number with a real date.

    The modulus-11 check is deliberately not applied: numbers issued since 2007 need not pass.
    """
    if _fewer_digits_than_a_cpr(text):
        return False
    for match in _CPR_PATTERN.finditer(cpr_skeleton(text)):
        day, month, year2, digit7 = (int(match.group(i)) for i in range(1, 5))
        try:
            date(_cpr_century(year2, digit7) + year2, month, day)
        except ValueError:
            continue
        return True
    return False


_MAX_CPR_WORDS = 4  # day, month, year and serial, each a word of its own at the most


def without_cpr(text: str, *, mark: str = "…") -> str | None:
    """The text with every word that forms part of a CPR number replaced by `mark`, or None
    when no such cut removes the number (the caller must then refuse the text whole). Words
    are cut, never characters: what remains is exactly what the writer typed."""
    words = text.split()
    kept = [True] * len(words)
    for size in range(1, _MAX_CPR_WORDS + 1):
        for start in range(len(words) - size + 1):
            span = range(start, start + size)
            if kept[start] and contains_cpr(" ".join(words[i] for i in span if kept[i])):
                for i in span:
                    kept[i] = False
    out: list[str] = []
    for word, keep in zip(words, kept, strict=True):
        if keep:
            out.append(word)
        elif not out or out[-1] != mark:
            out.append(mark)
    result = " ".join(out)
    return None if contains_cpr(result) else result
