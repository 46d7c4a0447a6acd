"""The statements every delivered reply runs, built once (storage/direct.py): its outbox rows
marked settled, and the message id it was posted under looked up or kept. Built per call they
cost more of the bot's CPU than the command that wrote the reply."""

from __future__ import annotations

import functools
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.sql.dml import Update

from storage.models import PostedMessageRow
from storage.outbox_overview import OUTBOX

POSTED = cast(Table, PostedMessageRow.__table__)

# Rows settled by one statement, one shape per count: a room's batch of sent rows is at most
# 50 (bot/delivery/worker.py); more are settled 50 at a time.
MAX_SETTLED_AT_ONCE = 50

FIND_POSTED = (
    select(POSTED.c.message_id)
    .where(
        POSTED.c.platform == bindparam("platform"),
        POSTED.c.room_id == bindparam("room_id"),
        POSTED.c.message_key == bindparam("message_key"),
    )
    .order_by(POSTED.c.id.desc())
    .limit(1)
)
INSERT_POSTED = insert(POSTED)


@functools.lru_cache(maxsize=2 * MAX_SETTLED_AT_ONCE)
def settled(count: int, *, delivered: bool) -> Update:
    """`count` rows (ids `id0`, `id1`, …) settled with `status`, `settled_at` and `reason`;
    a delivered row keeps no copy of its text (it is in the room now)."""
    values: dict[str, object] = {
        "status": bindparam("status", type_=OUTBOX.c.status.type),
        "attempts": OUTBOX.c.attempts + 1,
        "leased_until": None,
        "settled_at": bindparam("settled_at", type_=OUTBOX.c.settled_at.type),
        "reason": bindparam("reason", type_=OUTBOX.c.reason.type),
    }
    if delivered:
        values["payload"] = ""
    ids = [bindparam(f"id{i}", type_=OUTBOX.c.id.type) for i in range(count)]
    return update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(values)
