"""The port through which the housekeeping job prunes rows that have served their purpose."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

# What can be pruned, by name (also the metric label):
PROCESSED_EVENTS = "processed_events"  # event ids kept to answer a re-delivery once
NOTIFICATIONS = "sent_notifications"  # the scheduler's ledger of past occurrences
ALERT_STATE = "alert_state"  # per-alert adapter state (which chat message shows a case)
OUTBOX = "outbox"  # messages delivered long ago
# Messages dropped long ago: kept longer than delivered ones, for `psp-bot outbox` and its
# `retry` after an outage an operator fixes later.
OUTBOX_DROPPED = "outbox_dropped"


class Housekeeper(Protocol):
    async def prune(self, what: str, *, before: datetime, limit: int) -> int:
        """Delete at most `limit` rows of `what` older than `before`, in one transaction;
        return how many went. Rows still needed (a claim in flight, a once-only notice
        whose subject is still open) are never touched."""
        ...
