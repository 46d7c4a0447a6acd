"""How patiently the delivery worker retries: exponential backoff with jitter, capped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DeliveryPolicy:
    first_backoff_seconds: float = 2.0
    max_backoff_seconds: float = 300.0
    # How long a claimed room is left alone by other processes while one sends to it; a
    # process that died mid-send gives its rows back after this.
    lease_seconds: float = 60.0
    # A message that reaches its room this much later than it was written says so.
    late_after_seconds: float = 60.0
    # A room that has received nothing for this long while messages wait: its group's lead
    # is told in the group's other rooms.
    stuck_after_seconds: float = 300.0
    # How often the worker looks for such rooms.
    stuck_check_seconds: float = 60.0

    def backoff(self, attempts: int, random: Callable[[], float]) -> float:
        """Seconds before attempt `attempts + 1`: 2, 4, 8 … up to 5 minutes, each drawn
        from its upper half so that rooms failing together do not retry in lockstep."""
        ceiling: float = min(
            self.max_backoff_seconds, self.first_backoff_seconds * 2 ** (attempts - 1)
        )
        return ceiling * (0.5 + 0.5 * float(random()))
