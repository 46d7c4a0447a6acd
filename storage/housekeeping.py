"""Pruning rows that have served their purpose, one bounded batch per transaction.

Each kind selects the keys of at most `limit` old rows, then deletes exactly those: short
transactions, and the same statements on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ports import housekeeping as h
from storage.models import AdapterStateRow, ProcessedEventRow
from storage.models_outbox import OutboxRow
from storage.models_scheduling import SentNotificationRow

# Per-message adapter state: which chat message shows a case (edited in place on changes),
# and how far a Slack message with files got (needed only while its outbox row is owed).
# Other adapter state (sync checkpoints, pinned keys) is never pruned.
ALERT_STATE_PREFIXES = ("matrix:alert:", "slack.alert:", "slack.upload:")
# Once-only notices whose subject can stay open for ever (a decision's fallback plan): the
# ledger row is what keeps them from being sent again.
KEEP_KINDS = ("fallback",)


class SqlAlchemyHousekeeper:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def prune(self, what: str, *, before: datetime, limit: int) -> int:
        if what == h.PROCESSED_EVENTS:
            key: Any = tuple_(ProcessedEventRow.platform, ProcessedEventRow.event_id)
            old: Any = select(ProcessedEventRow.platform, ProcessedEventRow.event_id).where(
                ProcessedEventRow.at < before
            )
            return await self._delete(ProcessedEventRow, key, old, limit, composite=True)
        if what == h.NOTIFICATIONS:
            row = SentNotificationRow
            old = select(row.id).where(
                row.claimed_at < before,
                row.state.in_(("sent", "skipped")),  # never a claim still in flight
                row.kind.not_in(KEEP_KINDS),
            )
            return await self._delete(row, row.id, old, limit)
        if what == h.ALERT_STATE:
            state = AdapterStateRow
            old = select(state.key).where(
                state.updated_at < before,
                or_(*(state.key.startswith(prefix) for prefix in ALERT_STATE_PREFIXES)),
            )
            return await self._delete(state, state.key, old, limit)
        if what in (h.OUTBOX, h.OUTBOX_DROPPED):
            outbox = OutboxRow
            old = select(outbox.id).where(
                outbox.settled_at < before,
                # Never a row still owed.
                outbox.status == ("delivered" if what == h.OUTBOX else "dropped"),
            )
            return await self._delete(outbox, outbox.id, old, limit)
        return 0  # a kind this database does not keep

    async def _delete(
        self, table: Any, key: Any, old: Any, limit: int, *, composite: bool = False
    ) -> int:
        async with self._engine.begin() as conn:
            keys = (await conn.execute(old.limit(limit))).all()
            if not keys:
                return 0
            values = [tuple(k) for k in keys] if composite else [k[0] for k in keys]
            await conn.execute(delete(table).where(key.in_(values)))
            return len(keys)
