"""Repositories for the group's journal-like records: escalations, the audit log, the
platform events already handled, and the chat messages the bot posted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import AuditEntry, BindingId, CaseId, GroupId, MemberId, Platform
from bot.ports import PostedMessage
from storage.audit_chain import append
from storage.codec import TextCodec, numbered_aad
from storage.crypto import PREFIX as SEALED_PREFIX
from storage.models import (
    AdapterStateRow,
    AuditRow,
    CaseRow,
    EscalationRow,
    PostedMessageRow,
    ProcessedEventRow,
)

ESCALATIONS = cast(Table, EscalationRow.__table__)
AUDIT = cast(Table, AuditRow.__table__)
EVENTS = cast(Table, ProcessedEventRow.__table__)
POSTED = cast(Table, PostedMessageRow.__table__)
CASES = cast(Table, CaseRow.__table__)
STATE = cast(Table, AdapterStateRow.__table__)


class SqlAlchemyEscalationRepository:
    def __init__(self, conn: AsyncConnection, codec: TextCodec) -> None:
        self._conn = conn
        self._codec = codec

    async def add(self, *, group_id: GroupId, text: str, by_member: MemberId, at: datetime) -> int:
        current = (
            await self._conn.execute(
                select(func.max(ESCALATIONS.c.number)).where(ESCALATIONS.c.group_id == group_id)
            )
        ).scalar_one_or_none()
        number = int(current or 0) + 1
        await self._conn.execute(
            insert(ESCALATIONS).values(
                group_id=group_id,
                number=number,
                text=self._codec.seal(
                    text, aad=numbered_aad("escalations", group_id, number, "text")
                ),
                by_member=by_member,
                at=at,
            )
        )
        return number

    async def mark_handled(self, group_id: GroupId, number: int, *, at: datetime) -> bool | None:
        row = (
            await self._conn.execute(
                select(ESCALATIONS.c.id, ESCALATIONS.c.handled_at).where(
                    ESCALATIONS.c.group_id == group_id, ESCALATIONS.c.number == number
                )
            )
        ).first()
        if row is None:
            return None
        if row.handled_at is not None:
            return False
        await self._conn.execute(
            update(ESCALATIONS).where(ESCALATIONS.c.id == row.id).values(handled_at=at)
        )
        return True


class SqlAlchemyAuditRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(
        self,
        *,
        at: datetime,
        action: str,
        actor_member_id: MemberId | None,
        group_id: GroupId | None,
        case_id: CaseId | None,
        binding_id: BindingId | None,
        detail: str = "",
    ) -> None:
        # Tamper evidence (storage/audit_chain.py): each row hashes the one before it.
        await append(
            self._conn,
            at=at,
            action=action,
            actor_member_id=actor_member_id,
            group_id=group_id,
            case_id=case_id,
            binding_id=binding_id,
            detail=detail,
        )

    async def for_case(self, case_id: CaseId, *, limit: int) -> Sequence[AuditEntry]:
        rows = await self._conn.execute(
            select(AUDIT).where(AUDIT.c.case_id == case_id).order_by(AUDIT.c.id.desc()).limit(limit)
        )
        entries = [
            AuditEntry(
                id=r.id,
                at=r.at,
                action=r.action,
                actor_member_id=MemberId(r.actor_member_id) if r.actor_member_id else None,
                group_id=GroupId(r.group_id) if r.group_id else None,
                case_id=CaseId(r.case_id) if r.case_id else None,
                binding_id=BindingId(r.binding_id) if r.binding_id else None,
                detail=r.detail,
            )
            for r in rows
        ]
        return entries[::-1]


class SqlAlchemyEventLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def claim(self, platform: Platform, event_id: str, *, at: datetime) -> bool:
        dialect = self._conn.dialect.name
        values = {"platform": platform.value, "event_id": event_id, "at": at}
        insert_for = pg_insert if dialect == "postgresql" else sqlite_insert
        result = await self._conn.execute(
            insert_for(EVENTS).values(**values).on_conflict_do_nothing()
        )
        return result.rowcount == 1


class SqlAlchemyPostedMessageLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(
        self,
        *,
        platform: Platform,
        room_id: str,
        message_id: str,
        case_id: CaseId | None,
        message_key: str | None,
        at: datetime,
    ) -> None:
        await self._conn.execute(
            insert(POSTED).values(
                platform=platform.value,
                room_id=room_id,
                message_id=message_id,
                case_id=case_id,
                message_key=message_key,
                at=at,
            )
        )

    async def find(self, platform: Platform, room_id: str, message_key: str) -> str | None:
        row = (
            await self._conn.execute(
                select(POSTED.c.message_id)
                .where(
                    POSTED.c.platform == platform.value,
                    POSTED.c.room_id == room_id,
                    POSTED.c.message_key == message_key,
                )
                .order_by(POSTED.c.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        return str(row) if row is not None else None

    async def for_case(self, case_id: CaseId) -> Sequence[PostedMessage]:
        rows = await self._conn.execute(
            select(POSTED).where(POSTED.c.case_id == case_id).order_by(POSTED.c.id)
        )
        return [PostedMessage(r.id, Platform(r.platform), r.room_id, r.message_id) for r in rows]

    async def forget(self, ids: Sequence[int]) -> None:
        if ids:
            await self._conn.execute(delete(POSTED).where(POSTED.c.id.in_(list(ids))))

    async def pending_retraction(self, *, limit: int) -> Sequence[CaseId]:
        rows = await self._conn.execute(
            select(POSTED.c.case_id)
            .join(CASES, CASES.c.id == POSTED.c.case_id)
            .where(CASES.c.purged_at.is_not(None))
            .group_by(POSTED.c.case_id)
            .order_by(POSTED.c.case_id)
            .limit(limit)
        )
        return [CaseId(r.case_id) for r in rows]


class SqlAlchemyStateStore:
    """Adapter state can hold case text (the Matrix outbox keeps undelivered replies here), so
    values are sealed like every other free text, bound to their key. A value written before
    encryption was configured (or by maintenance code) is read as it is."""

    def __init__(self, conn: AsyncConnection, codec: TextCodec | None = None) -> None:
        self._conn = conn
        self._codec = codec

    async def get(self, key: str) -> str | None:
        row = (
            await self._conn.execute(select(STATE.c.value).where(STATE.c.key == key))
        ).scalar_one_or_none()
        if row is None:
            return None
        value = str(row)
        if self._codec is not None and value.startswith(SEALED_PREFIX + ":"):
            return self._codec.unseal(value, aad=state_aad(key))
        return value

    async def put(self, key: str, value: str, *, at: datetime) -> None:
        if self._codec is not None:
            value = self._codec.seal(value, aad=state_aad(key))
        insert_for = pg_insert if self._conn.dialect.name == "postgresql" else sqlite_insert
        stmt = insert_for(STATE).values(key=key, value=value, updated_at=at)
        await self._conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[STATE.c.key], set_={"value": value, "updated_at": at}
            )
        )


def state_aad(key: str) -> str:
    return f"adapter_state/{key}/value"
