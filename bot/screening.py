"""What the core refuses to read at all: unreadable characters and CPR numbers, in the
message as typed and in every text its command would store (after shell-style splitting,
which removes the quotes that can split a number into two words)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from bot.domain import contains_cpr, has_unreadable_characters
from bot.messages import Incoming


@dataclass(frozen=True)
class Screened:
    key: str  # the catalogue key of the one-line refusal
    redact: bool = False  # ask the adapter to take the message down (it holds a CPR number)


UNREADABLE = Screened("error.unreadable")
CPR = Screened("error.cpr", redact=True)
DISPLAY_NAME = Screened("error.display_name")


def screen_message(incoming: Incoming) -> Screened | None:
    """Checked before parsing: a refusal of the parser may quote a word of the message."""
    if has_unreadable_characters(incoming.text):
        return UNREADABLE
    if contains_cpr(incoming.text):
        return CPR
    name = incoming.display_name or ""
    if has_unreadable_characters(name) or contains_cpr(name):
        return DISPLAY_NAME
    return None


def screen_command(command: object) -> Screened | None:
    """Checked after parsing, on every text the command carries: what would be stored."""
    for text in texts_of(command):
        if has_unreadable_characters(text):
            return UNREADABLE
        if contains_cpr(text):
            return CPR
    return None


def texts_of(value: object) -> Iterator[str]:
    """Every string inside a command value: its fields, and theirs, however nested."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from texts_of(getattr(value, field.name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from texts_of(key)
            yield from texts_of(item)
    elif isinstance(value, (tuple, list, set, frozenset)):
        for item in value:
            yield from texts_of(item)


def screen_arguments(arguments: Sequence[str]) -> Screened | None:
    """Command-line arguments (group names, export references): each one, and all of them
    together, since the shell splits `010190 1234` into two."""
    return screen_command(tuple(arguments)) or screen_command(" ".join(arguments))
