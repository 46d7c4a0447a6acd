"""Small counts are suppressed so that no citizen can be recognised in a report: a count
from 1 to 4 is shown as "<5", and a figure derived from a suppressed count (a median, a
percentile, a share) is withheld. Every figure a report shows passes through here."""

from __future__ import annotations

from collections.abc import Callable

THRESHOLD = 5
SUPPRESSED = "<5"
NO_DATA = "–"
WITHHELD = "*"


def is_suppressed(count: int) -> bool:
    return 0 < count < THRESHOLD


def shown_count(count: int) -> str:
    return SUPPRESSED if is_suppressed(count) else str(count)


def chart_value(count: int) -> int:
    """What a chart draws for a count: a suppressed count draws nothing (it is labelled)."""
    return 0 if is_suppressed(count) else count


def shown_derived(count: int, value: float | None, formatter: Callable[[float], str]) -> str:
    """A figure computed from `count` observations."""
    if count == 0 or value is None:
        return NO_DATA
    if is_suppressed(count):
        return WITHHELD
    return formatter(value)


def shown_share(part: int, whole: int) -> str:
    """part/whole as a percentage, withheld where either count is suppressed."""
    if whole == 0:
        return NO_DATA
    if is_suppressed(part) or is_suppressed(whole):
        return WITHHELD
    return f"{round(100 * part / whole)} %"
