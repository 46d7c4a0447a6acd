"""Data protection: retention notices: key -> (Danish, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # --- data protection ---
    "retention.stale": (
        "Til tovholderen: {cases} ikke rørt i {days} eller mere: {refs}. "
        "Luk dem med en løsning, eller skriv et notat om hvorfor de stadig er åbne.",
        "To the group lead: {cases} not been touched for {days} or more: "
        "{refs}. Close them with a resolution, or note why they are still open.",
    ),
}
