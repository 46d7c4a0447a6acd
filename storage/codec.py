"""How free text is stored. Every free-text column goes through a TextCodec, bound to the
row it belongs to by `aad` (the row's natural key), so a stored value moved to another row
cannot be read back as if it belonged there."""

from __future__ import annotations

from typing import Protocol


class TextCodec(Protocol):
    def seal(self, text: str, *, aad: str) -> str: ...
    def unseal(self, stored: str, *, aad: str) -> str: ...


class PlainTextCodec:
    """Stores text as it is: only for tests and for a config that says allow_plaintext."""

    def seal(self, text: str, *, aad: str) -> str:
        return text

    def unseal(self, stored: str, *, aad: str) -> str:
        return stored


def case_aad(group_id: int, ref: str, column: str) -> str:
    return f"cases/{group_id}/{ref}/{column}"


def numbered_aad(table: str, parent_id: int, number: int, column: str) -> str:
    return f"{table}/{parent_id}/{number}/{column}"


def theme_aad(group_id: int, number: int) -> str:
    """A held meeting's theme, by its group and the meeting's number there."""
    return numbered_aad("held_meetings", group_id, number, "theme")


def facts_aad(held_id: int, number: int) -> str:
    """A meeting entry's facts, by its meeting and the entry's number there."""
    return numbered_aad("meeting_entries", held_id, number, "facts")
