"""The statements that write a command's replies to the outbox, built once (storage/direct.py):
each row leased to the writing process unless its room already has a pending row."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, case, exists, insert, null, select, text
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import LargeBinary

from storage.audit_chain import PG_APPEND_CLAUSES
from storage.base import UtcDateTime
from storage.outbox_overview import OUTBOX, PENDING

# One statement, built once (so compiled once): the row's own lease unless its room already
# has a pending row. Sent as one multi-row INSERT (SQLAlchemy's insertmanyvalues).
INSERT_CLAIMING = (
    insert(OUTBOX)
    .values(
        leased_until=case(
            (
                exists().where(
                    OUTBOX.c.status == PENDING,
                    OUTBOX.c.platform == bindparam("busy_platform"),
                    OUTBOX.c.room_id == bindparam("busy_room"),
                ),
                null(),
            ),
            else_=bindparam("leased_until", type_=UtcDateTime()),
        )
    )
    .returning(OUTBOX.c.id, OUTBOX.c.idempotency_key, OUTBOX.c.leased_until)
)
# SQLite: a room has a backlog if any of its rows is pending; the first one found answers.
ROOM_BUSY = (
    select(OUTBOX.c.id)
    .where(
        OUTBOX.c.status == PENDING,
        OUTBOX.c.platform == bindparam("platform"),
        OUTBOX.c.room_id == bindparam("room_id"),
    )
    .limit(1)
)
INSERT_RETURNING_KEYS = insert(OUTBOX).returning(OUTBOX.c.id, OUTBOX.c.idempotency_key)
INSERT = insert(OUTBOX)


# PostgreSQL, a command that recorded one audit row: the row is appended by the same
# statement (storage/audit_log.py), one round trip instead of two. The same rows as
# INSERT_CLAIMING, per number of rows.
COLUMNS = (
    "platform",
    "room_id",
    "kind",
    "payload",
    "idempotency_key",
    "group_id",
    "case_id",
    "ledger_key",
    "status",
    "created_at",
    "due_at",
    "attempts",
    "next_attempt_at",
)


@functools.cache
def claiming_with_audit(count: int) -> TextClause:
    values = ",".join(
        "("
        + ", ".join(f":o{i}_{column}" for column in COLUMNS)
        + f", CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE status = '{PENDING}'"
        + f" AND platform = :o{i}_busy_platform AND room_id = :o{i}_busy_room)"
        + " THEN NULL ELSE CAST(:lease AS TIMESTAMP WITH TIME ZONE) END)"
        for i in range(count)
    )
    return text(
        f"WITH {PG_APPEND_CLAUSES} INSERT INTO outbox ({', '.join(COLUMNS)}, leased_until)"
        f" VALUES {values} RETURNING id, idempotency_key, leased_until"
    ).bindparams(bindparam("content", type_=LargeBinary))
