"""Data protection: retention notices: key -> (Danish, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # --- data protection ---
    "retention.stale": (
        "Til tovholderen: {count} åbne sager er ikke rørt i {days} dage eller mere: {refs}. "
        "Luk dem med en løsning, eller skriv et notat om hvorfor de stadig er åbne.",
        "To the group lead: {count} open cases have not been touched for {days} days or more: "
        "{refs}. Close them with a resolution, or note why they are still open.",
    ),
}
