"""SQLAlchemy implementations of the scheduling ports: meetings and the sent-notification
ledger (follow-up queries are in storage/followup.py, leader election in storage/leader.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import GroupId, MemberId
from bot.ports import MeetingRecord, NotificationKey
from storage import direct
from storage.codec import TextCodec, numbered_aad
from storage.models import CaseRow, DecisionRow, EscalationRow, GroupRow
from storage.models_scheduling import EscalationWatchRow, MeetingRow, SentNotificationRow

log = logging.getLogger(__name__)

MEETINGS = cast(Table, MeetingRow.__table__)
# A group's meetings in order (built once: every agenda and reminder reads them).
_ALL_MEETINGS = (
    select(MEETINGS).where(MEETINGS.c.group_id == bindparam("group_id")).order_by(MEETINGS.c.number)
)
_MEETINGS = _ALL_MEETINGS.where(MEETINGS.c.cancelled.is_(False))
SENT = cast(Table, SentNotificationRow.__table__)
WATCHES = cast(Table, EscalationWatchRow.__table__)
CASES = cast(Table, CaseRow.__table__)
DECISIONS = cast(Table, DecisionRow.__table__)
ESCALATIONS = cast(Table, EscalationRow.__table__)
GROUPS = cast(Table, GroupRow.__table__)

_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def aware_utc(value: datetime) -> datetime:
    """An aggregate bypasses the column type: SQLite hands back naive UTC (or a string)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _local(value: str) -> datetime:
    return datetime.strptime(value, _LOCAL_FORMAT)


def _local_text(value: datetime) -> str:
    return value.strftime(_LOCAL_FORMAT)


class SqlAlchemyMeetingRepository:
    def __init__(self, conn: AsyncConnection, codec: TextCodec) -> None:
        self._conn = conn
        self._codec = codec

    def _meeting(self, row: Row[Any]) -> MeetingRecord:
        theme = (
            self._codec.unseal(
                row.theme, aad=numbered_aad("meetings", row.group_id, row.number, "theme")
            )
            if row.theme is not None
            else None
        )
        return MeetingRecord(
            id=row.id,
            group_id=GroupId(row.group_id),
            number=row.number,
            start_local=_local(row.start_local),
            timezone=row.timezone,
            duration_minutes=row.duration_minutes,
            rule=row.rule,
            theme=theme,
            remind=tuple(int(v) for v in row.remind.split(",") if v),
            exdates=frozenset(_local(v) for v in row.exdates.split(",") if v),
            sequence=row.sequence,
            cancelled=row.cancelled,
            next_due_at=row.next_due_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    async def add(
        self,
        *,
        group_id: GroupId,
        start_local: datetime,
        timezone: str,
        duration_minutes: int,
        rule: str | None,
        theme: str | None,
        remind: tuple[int, ...],
        created_by: MemberId | None,
        at: datetime,
    ) -> MeetingRecord:
        current = (
            await self._conn.execute(
                select(func.max(MEETINGS.c.number)).where(MEETINGS.c.group_id == group_id)
            )
        ).scalar_one_or_none()
        number = int(current or 0) + 1
        sealed = (
            self._codec.seal(theme, aad=numbered_aad("meetings", group_id, number, "theme"))
            if theme is not None
            else None
        )
        result = await self._conn.execute(
            insert(MEETINGS)
            .values(
                group_id=group_id,
                number=number,
                start_local=_local_text(start_local),
                timezone=timezone,
                duration_minutes=duration_minutes,
                rule=rule,
                theme=sealed,
                remind=",".join(str(v) for v in remind),
                exdates="",
                sequence=0,
                cancelled=False,
                next_due_at=None,
                created_by=created_by,
                created_at=at,
                updated_at=at,
            )
            .returning(MEETINGS.c.id)
        )
        meeting = await self.by_id(int(result.scalar_one()))
        assert meeting is not None
        return meeting

    async def get(self, group_id: GroupId, number: int) -> MeetingRecord | None:
        row = (
            await self._conn.execute(
                select(MEETINGS).where(MEETINGS.c.group_id == group_id, MEETINGS.c.number == number)
            )
        ).first()
        return self._meeting(row) if row else None

    async def by_id(self, meeting_id: int) -> MeetingRecord | None:
        row = (
            await self._conn.execute(select(MEETINGS).where(MEETINGS.c.id == meeting_id))
        ).first()
        return self._meeting(row) if row else None

    async def list(
        self, group_id: GroupId, *, include_cancelled: bool = False
    ) -> Sequence[MeetingRecord]:
        query = _ALL_MEETINGS if include_cancelled else _MEETINGS
        rows = await direct.execute(self._conn, query, {"group_id": group_id})
        return [self._meeting(r) for r in rows]

    async def save(self, meeting: MeetingRecord) -> None:
        await self._conn.execute(
            update(MEETINGS)
            .where(MEETINGS.c.id == meeting.id)
            .values(
                exdates=",".join(sorted(_local_text(d) for d in meeting.exdates)),
                sequence=meeting.sequence,
                cancelled=meeting.cancelled,
                next_due_at=meeting.next_due_at,
                updated_at=meeting.updated_at,
            )
        )

    async def set_next_due(self, meeting_id: int, next_due_at: datetime | None) -> None:
        await self._conn.execute(
            update(MEETINGS).where(MEETINGS.c.id == meeting_id).values(next_due_at=next_due_at)
        )

    async def due(self, now: datetime, *, limit: int) -> Sequence[MeetingRecord]:
        rows = await self._conn.execute(
            select(MEETINGS)
            .where(MEETINGS.c.next_due_at <= now)
            .order_by(MEETINGS.c.next_due_at)
            .limit(limit)
        )
        return [self._meeting(r) for r in rows]


def _ledger_row(
    key: NotificationKey,
    group_id: GroupId,
    *,
    state: str,
    late: bool,
    due_at: datetime,
    at: datetime,
) -> dict[str, Any]:
    """A new row of the sent-notification ledger, claimed or skipped at `at`."""
    return {
        "kind": key.kind,
        "subject": key.subject,
        "occurrence": key.occurrence,
        "step": key.step,
        "group_id": group_id,
        "state": state,
        "late": late,
        "due_at": due_at,
        "claimed_at": at,
        "sent_at": None,
    }


def _key_filter(key: NotificationKey) -> Any:
    return and_(
        SENT.c.kind == key.kind,
        SENT.c.subject == key.subject,
        SENT.c.occurrence == key.occurrence,
        SENT.c.step == key.step,
    )


class SqlAlchemyNotificationLedger:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def claim(
        self,
        key: NotificationKey,
        *,
        group_id: GroupId,
        due_at: datetime,
        late: bool,
        at: datetime,
        stale_before: datetime,
    ) -> bool:
        found = (
            await self._conn.execute(
                select(SENT.c.id, SENT.c.state, SENT.c.claimed_at).where(_key_filter(key))
            )
        ).first()
        if found is not None:
            if found.state != "claimed" or found.claimed_at >= stale_before:
                return False
            # Compare-and-set: of two processes taking over the same stale claim, one wins.
            taken = await self._conn.execute(
                update(SENT)
                .where(SENT.c.id == found.id, SENT.c.claimed_at == found.claimed_at)
                .values(claimed_at=at, late=True)
            )
            return taken.rowcount == 1
        # A concurrent insert of the same key fails on the unique constraint; the unit of
        # work turns that into ConcurrentUpdateError and the caller treats it as "taken".
        await self._conn.execute(
            insert(SENT).values(
                **_ledger_row(key, group_id, state="claimed", late=late, due_at=due_at, at=at)
            )
        )
        return True

    async def mark_sent(self, key: NotificationKey, *, at: datetime) -> None:
        await self.mark_all_sent([key], at=at)

    async def mark_all_sent(self, keys: Sequence[NotificationKey], *, at: datetime) -> None:
        for key in keys:
            await self._conn.execute(
                update(SENT).where(_key_filter(key)).values(state="sent", sent_at=at)
            )

    async def record_sent(
        self, keys: Sequence[NotificationKey], *, group_id: GroupId, at: datetime
    ) -> None:
        if not keys:
            return
        await self._conn.execute(
            insert(SENT),
            [
                {
                    "kind": k.kind,
                    "subject": k.subject,
                    "occurrence": k.occurrence,
                    "step": k.step,
                    "group_id": group_id,
                    "state": "sent",
                    "late": False,
                    "due_at": at,
                    "claimed_at": at,
                    "sent_at": at,
                }
                for k in keys
            ],
        )

    async def skip(
        self, key: NotificationKey, *, group_id: GroupId, due_at: datetime, at: datetime
    ) -> None:
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(
                    insert(SENT).values(
                        **_ledger_row(
                            key, group_id, state="skipped", late=True, due_at=due_at, at=at
                        )
                    )
                )
        except IntegrityError:
            pass  # someone recorded it first: nothing more to do

    async def known(self, kind: str, subjects: Sequence[str]) -> set[NotificationKey]:
        if not subjects:
            return set()
        rows = await self._conn.execute(
            select(SENT.c.kind, SENT.c.subject, SENT.c.occurrence, SENT.c.step).where(
                SENT.c.kind == kind, SENT.c.subject.in_(list(subjects))
            )
        )
        return {NotificationKey(r.kind, r.subject, r.occurrence, r.step) for r in rows}

    async def stale_claims(self, before: datetime, *, limit: int) -> Sequence[NotificationKey]:
        rows = await self._conn.execute(
            select(SENT.c.kind, SENT.c.subject, SENT.c.occurrence, SENT.c.step)
            .where(SENT.c.state == "claimed", SENT.c.claimed_at < before)
            .order_by(SENT.c.claimed_at)
            .limit(limit)
        )
        return [NotificationKey(r.kind, r.subject, r.occurrence, r.step) for r in rows]
