"""The CPR guard: no Danish personal identity number is ever stored or echoed.
Standard library only."""

from __future__ import annotations

import re
from datetime import date

from bot.domain.text import skeleton

_CPR_PATTERN = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})[-\s]?(\d)(\d{3})(?!\d)")


def _cpr_century(year2: int, digit7: int) -> int:
    """The century of a CPR birth date, from the seventh digit (CPR-kontoret's table)."""
    if digit7 <= 3:
        return 1900
    if digit7 in (4, 9):
        return 2000 if year2 <= 36 else 1900
    return 2000 if year2 <= 57 else 1800


def contains_cpr(text: str) -> bool:
    """True if the text holds something shaped like a Danish CPR number with a real date.

    The modulus-11 check is deliberately not applied: numbers issued since 2007 need not pass.
    """
    for match in _CPR_PATTERN.finditer(skeleton(text)):
        day, month, year2, digit7 = (int(match.group(i)) for i in range(1, 5))
        try:
            date(_cpr_century(year2, digit7) + year2, month, day)
        except ValueError:
            continue
        return True
    return False
