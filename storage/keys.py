"""The keyring against the database: prove at start that the configured keys open what is
stored, and re-encrypt every sealed column under the current key (`psp-bot keys rotate`).

Rotation works in batches, each its own transaction, and skips values already sealed under
the current key; an interrupted rotation therefore resumes where it stopped when run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.adapter_state import state_aad
from storage.audit_log import SqlAlchemyAuditRepository
from storage.codec import case_aad, numbered_aad
from storage.crypto import (
    KEY_CHECK_TEXT,
    AesGcmCodec,
    KeyringError,
    SealedTextError,
    key_check_aad,
)
from storage.models import (
    AdapterStateRow,
    CaseRow,
    DecisionRow,
    EncryptionKeyRow,
    EscalationRow,
    NoteRow,
)
from storage.models_minutes import HeldMeetingRow, MeetingEntryRow
from storage.models_scheduling import MeetingRow

KEYS = cast(Table, EncryptionKeyRow.__table__)
STATE = cast(Table, AdapterStateRow.__table__)
ROTATION_STATE = "psp-bot/key-rotation"


@dataclass(frozen=True)
class SealedColumns:
    """One table's encrypted columns and how each row's associated data is formed."""

    table: Table
    columns: tuple[str, ...]
    aad: Callable[[Any, str], str]
    key: str = "id"  # the unique column rotation walks the table by


def _numbered(table: str, parent: str) -> Callable[[Any, str], str]:
    return lambda row, column: numbered_aad(table, getattr(row, parent), row.number, column)


# Every free-text column of the schema. A feature that adds one adds it here, so rotation
# and the "no plaintext on disk" test cover it.
SEALED: list[SealedColumns] = [
    SealedColumns(
        cast(Table, CaseRow.__table__),
        ("summary", "resolution"),
        lambda row, column: case_aad(row.group_id, row.ref, column),
    ),
    SealedColumns(
        cast(Table, DecisionRow.__table__), ("text", "fallback"), _numbered("decisions", "case_id")
    ),
    SealedColumns(cast(Table, NoteRow.__table__), ("text",), _numbered("notes", "case_id")),
    SealedColumns(
        cast(Table, EscalationRow.__table__),
        ("text", "answer"),
        _numbered("escalations", "group_id"),
    ),
    SealedColumns(cast(Table, MeetingRow.__table__), ("theme",), _numbered("meetings", "group_id")),
    SealedColumns(
        cast(Table, HeldMeetingRow.__table__), ("theme",), _numbered("held_meetings", "group_id")
    ),
    SealedColumns(
        cast(Table, MeetingEntryRow.__table__),
        ("facts",),
        _numbered("meeting_entries", "held_meeting_id"),
    ),
    SealedColumns(STATE, ("value",), lambda row, _column: state_aad(row.key), key="key"),
]


async def check_keyring(engine: AsyncEngine, codec: AesGcmCodec, *, at: datetime) -> None:
    """Raise KeyringError unless every key that sealed text here is configured and opens its
    check value; register the current key on first use."""
    async with engine.begin() as conn:
        rows = (await conn.execute(select(KEYS.c.key_id, KEYS.c.check_value))).all()
        registered = {row.key_id: row.check_value for row in rows}
        for key_id, check in registered.items():
            if key_id not in codec.keyring.keys:
                raise KeyringError(
                    f"encryption: the database holds text sealed with key {key_id!r}, which is "
                    "not configured; add it to the keyring"
                )
            try:
                opened = codec.unseal(check, aad=key_check_aad(key_id))
            except SealedTextError:
                opened = None
            if opened != KEY_CHECK_TEXT:
                raise KeyringError(
                    f"encryption: the configured key {key_id!r} is not the key this database "
                    "was encrypted with (wrong key)"
                )
        if codec.keyring.current not in registered:
            await _register(conn, codec, at)


async def rotation_in_progress(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        value = (
            await conn.execute(select(STATE.c.value).where(STATE.c.key == ROTATION_STATE))
        ).scalar_one_or_none()
    return str(value) if value else None


async def _set_state(conn: AsyncConnection, value: str | None, at: datetime) -> None:
    await conn.execute(delete(STATE).where(STATE.c.key == ROTATION_STATE))
    if value is not None:
        await conn.execute(insert(STATE).values(key=ROTATION_STATE, value=value, updated_at=at))


async def count_sealed_rows(engine: AsyncEngine) -> int:
    total = 0
    async with engine.connect() as conn:
        for sealed in SEALED:
            total += (
                await conn.execute(select(func.count()).select_from(sealed.table))
            ).scalar_one()
    return int(total)


async def reencrypt(
    engine: AsyncEngine,
    codec: AesGcmCodec,
    *,
    at: datetime,
    batch: int = 500,
    progress: Callable[[int], None] | None = None,
    stop_after: int | None = None,
) -> tuple[int, list[str]]:
    """Re-seal every value not yet under the current key. Returns how many values changed
    and the key ids no longer needed. `stop_after` (rows) simulates an interruption in tests.
    `codec` must open every old key (and, for a database that was plaintext, read it)."""
    async with engine.begin() as conn:
        await _register(conn, codec, at)
        await _set_state(conn, codec.keyring.current, at)
    changed = seen = 0
    for sealed in SEALED:
        table, key = sealed.table, sealed.table.c[sealed.key]
        last: Any = None
        while True:
            async with engine.begin() as conn:
                query = select(table).order_by(key).limit(batch)
                if last is not None:
                    query = query.where(key > last)
                if table is STATE:  # the rotation's own bookmark stays readable as it is
                    query = query.where(key != ROTATION_STATE)
                rows = (await conn.execute(query)).all()
                if not rows:
                    break
                updates: list[dict[str, Any]] = []
                for row in rows:
                    if all(codec.is_current(getattr(row, c)) for c in sealed.columns):
                        continue
                    params: dict[str, Any] = {"row_key": getattr(row, sealed.key)}
                    for column in sealed.columns:
                        stored = getattr(row, column)
                        if not codec.is_current(stored):
                            aad = sealed.aad(row, column)
                            stored = codec.seal(codec.unseal(stored, aad=aad), aad=aad)
                            changed += 1
                        params[f"new_{column}"] = stored
                    updates.append(params)
                if updates:
                    statement = (
                        update(table)
                        .where(key == bindparam("row_key"))
                        .values({c: bindparam(f"new_{c}") for c in sealed.columns})
                    )
                    await conn.execute(statement, updates)
                last = getattr(rows[-1], sealed.key)
                seen += len(rows)
            if progress is not None:
                progress(seen)
            if stop_after is not None and seen >= stop_after:
                raise KeyboardInterrupt
    async with engine.begin() as conn:
        retired = [k for k in codec.keyring.keys if k != codec.keyring.current]
        if retired:
            await conn.execute(delete(KEYS).where(KEYS.c.key_id.in_(retired)))
        await _set_state(conn, None, at)
        # Rotation opens every stored text: accounted for like any other access.
        await SqlAlchemyAuditRepository(conn).record(
            at=at,
            action="keys.rotate",
            actor_member_id=None,
            group_id=None,
            case_id=None,
            binding_id=None,
            detail=f"key={codec.keyring.current} values={changed}",
        )
    return changed, retired


async def _register(conn: AsyncConnection, codec: AesGcmCodec, at: datetime) -> None:
    """Record the current key with its check value; two processes starting at once may
    both try, and the second simply finds it there."""
    current = codec.keyring.current
    insert_for = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    await conn.execute(
        insert_for(KEYS)
        .values(
            key_id=current,
            check_value=codec.seal(KEY_CHECK_TEXT, aad=key_check_aad(current)),
            added_at=at,
        )
        .on_conflict_do_nothing()
    )
