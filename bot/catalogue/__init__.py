"""The message catalogue: key -> (Danish, English), one module per area so that each part
of the bot keeps its texts together. Placeholders use str.format names."""

from __future__ import annotations

from bot.catalogue import (
    access,
    actions,
    adapters,
    cases,
    counts,
    delivery,
    duty,
    evaluation,
    home,
    meetings,
    minutes,
    names,
    protection,
    refusals,
    report,
    screening,
    usage,
)

_PARTS = (
    names.TEXTS,
    refusals.TEXTS,
    cases.TEXTS,
    usage.TEXTS,
    meetings.TEXTS,
    minutes.TEXTS,
    protection.TEXTS,
    adapters.TEXTS,
    access.TEXTS,
    screening.TEXTS,
    counts.TEXTS,
    evaluation.TEXTS,
    report.TEXTS,
    delivery.TEXTS,
    actions.TEXTS,
    home.TEXTS,
    duty.TEXTS,
)


def _merge() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for part in _PARTS:
        clash = merged.keys() & part.keys()
        if clash:
            raise RuntimeError(f"catalogue keys defined twice: {sorted(clash)}")
        merged.update(part)
    return merged


CATALOGUE = _merge()
