"""Ids that follow a command through the log: command id, platform event id, case id (a
number) and a hash of the room. Never case text, names or refs — a log line may say *which*
command and case, not *what* they hold.

`bind(...)` opens a scope (a command); `add(...)` adds to the current scope (a use case that
has found its case). The JSON log format (`[bot] log_format = "json"`) writes these fields
on every line logged inside the scope.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Fields = dict[str, str | int]

_current: ContextVar[Fields | None] = ContextVar("psp_log_fields", default=None)


@functools.lru_cache(maxsize=1024)  # every command asks; a process hears a few rooms
def room_hash(platform: str, room: str) -> str:
    """A stable short name for a room that does not reveal the room's id or name."""
    return hashlib.sha256(f"{platform}\0{room}".encode()).hexdigest()[:12]


def new_command_id() -> str:
    return os.urandom(6).hex()  # 48 random bits, as uuid4().hex[:12] gave, without its cost


@contextmanager
def bind(**fields: str | int | None) -> Iterator[Fields]:
    scope: Fields = {**(_current.get() or {})}
    scope.update({k: v for k, v in fields.items() if v is not None})
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def add(**fields: str | int | None) -> None:
    scope = _current.get()
    if scope is not None:
        scope.update({k: v for k, v in fields.items() if v is not None})


def current() -> Fields:
    return dict(_current.get() or {})
