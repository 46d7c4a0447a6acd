"""Short-lived memory of what Slack already delivered: event ids, trigger ids, action ids.

Slack retries an event it did not see acknowledged in 3 s (up to three times, `X-Slack-Retry-Num`)
and a nervous user double-clicks; within `ttl` seconds the second delivery is acknowledged and
dropped. The core's event claim (in the database) catches re-deliveries across restarts too."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")

# Slack's retries come within about five minutes; ten is the floor the issue sets.
DEFAULT_TTL = 15 * 60.0
MAX_ENTRIES = 100_000


class TtlMap(Generic[V]):
    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        *,
        now: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._ttl = ttl
        self._now = now
        self._max = max_entries
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def _expire(self) -> None:
        limit = self._now() - self._ttl
        while self._items:
            key, (at, _value) = next(iter(self._items.items()))
            if at >= limit and len(self._items) <= self._max:
                break
            del self._items[key]

    def put(self, key: str, value: V) -> None:
        self._expire()
        self._items[key] = (self._now(), value)
        self._items.move_to_end(key)

    def pop(self, key: str) -> None:
        self._items.pop(key, None)

    def get(self, key: str) -> V | None:
        self._expire()
        item = self._items.get(key)
        return item[1] if item else None

    def __len__(self) -> int:
        self._expire()
        return len(self._items)


class Deduplicator:
    """`first(key)` is True exactly once per key within the ttl."""

    def __init__(self, ttl: float = DEFAULT_TTL, *, now: Callable[[], float] = time.monotonic):
        self._seen: TtlMap[bool] = TtlMap(ttl, now=now)
        self.dropped = 0

    def first(self, key: str) -> bool:
        if self._seen.get(key):
            self.dropped += 1
            return False
        self._seen.put(key, True)
        return True

    def forget(self, key: str) -> None:
        """A delivery that failed before it was kept: its retry must not be dropped."""
        self._seen.pop(key)
