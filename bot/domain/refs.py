"""Case references: `PSP-2026-0007` (group prefix, year, sequence). Standard library only."""

from __future__ import annotations

import re

from bot.domain.text import clean_text

_REF_PATTERN = re.compile(r"^([A-Z][A-Z0-9]{1,9})-(\d{4})-(\d{4,6})$")
_PREFIX_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")


def format_case_ref(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}-{year:04d}-{sequence:04d}"


def normalise_case_ref(token: str) -> str | None:
    """The canonical form of a case ref typed by a user, or None if it is not one.

    Only ASCII letters and digits count: a ref spelt with look-alike characters is no ref.
    """
    candidate = clean_text(token).strip().upper()
    if not candidate.isascii():
        return None
    return candidate if _REF_PATTERN.match(candidate) else None


def valid_prefix(prefix: str) -> bool:
    return bool(_PREFIX_PATTERN.match(prefix))
