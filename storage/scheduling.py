"""SQLAlchemy implementations of the scheduling ports: meetings, the sent-notification ledger
and the follow-up queries (leader election is in storage/leader.py)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Agency, CaseId, Decision, GroupId, MemberId, Urgency
from bot.ports import MeetingRecord, NotificationKey, OpenDecision, OpenEscalation
from storage.codec import TextCodec, numbered_aad
from storage.models import CaseRow, DecisionRow, EscalationRow, GroupRow
from storage.models_scheduling import EscalationWatchRow, MeetingRow, SentNotificationRow

log = logging.getLogger(__name__)

MEETINGS = cast(Table, MeetingRow.__table__)
SENT = cast(Table, SentNotificationRow.__table__)
WATCHES = cast(Table, EscalationWatchRow.__table__)
CASES = cast(Table, CaseRow.__table__)
DECISIONS = cast(Table, DecisionRow.__table__)
ESCALATIONS = cast(Table, EscalationRow.__table__)
GROUPS = cast(Table, GroupRow.__table__)

_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _aware(value: datetime) -> datetime:
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
        query = select(MEETINGS).where(MEETINGS.c.group_id == group_id)
        if not include_cancelled:
            query = query.where(MEETINGS.c.cancelled.is_(False))
        rows = await self._conn.execute(query.order_by(MEETINGS.c.number))
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
                kind=key.kind,
                subject=key.subject,
                occurrence=key.occurrence,
                step=key.step,
                group_id=group_id,
                state="claimed",
                late=late,
                due_at=due_at,
                claimed_at=at,
                sent_at=None,
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
                        kind=key.kind,
                        subject=key.subject,
                        occurrence=key.occurrence,
                        step=key.step,
                        group_id=group_id,
                        state="skipped",
                        late=True,
                        due_at=due_at,
                        claimed_at=at,
                        sent_at=None,
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


class SqlAlchemyFollowUpQueries:
    def __init__(self, conn: AsyncConnection, codec: TextCodec) -> None:
        self._conn = conn
        self._codec = codec

    async def discover_cases(
        self, since: datetime, *, first_steps: Mapping[Urgency, timedelta]
    ) -> int:
        rows = (
            await self._conn.execute(
                select(CASES.c.id, CASES.c.group_id, CASES.c.urgency, CASES.c.created_at)
                .outerjoin(WATCHES, WATCHES.c.case_id == CASES.c.id)
                .where(
                    CASES.c.created_at >= since,
                    CASES.c.status == "open",
                    CASES.c.urgency.in_([u.value for u in first_steps]),
                    WATCHES.c.case_id.is_(None),
                )
            )
        ).all()
        if rows:
            await self._conn.execute(
                insert(WATCHES),
                [
                    {
                        "case_id": r.id,
                        "group_id": r.group_id,
                        # Nothing can be due before the first step.
                        "next_at": r.created_at + first_steps[Urgency(r.urgency)],
                    }
                    for r in rows
                ],
            )
        return len(rows)

    async def due_watches(self, now: datetime, *, limit: int) -> Sequence[CaseId]:
        rows = await self._conn.execute(
            select(WATCHES.c.case_id)
            .where(WATCHES.c.next_at <= now)
            .order_by(WATCHES.c.next_at)
            .limit(limit)
        )
        return [CaseId(r.case_id) for r in rows]

    async def set_watch(self, case_id: CaseId, next_at: datetime | None) -> None:
        await self._conn.execute(
            update(WATCHES).where(WATCHES.c.case_id == case_id).values(next_at=next_at)
        )

    async def open_decisions(self, group_id: GroupId, *, due_by: date) -> Sequence[OpenDecision]:
        rows = await self._conn.execute(
            select(DECISIONS, CASES.c.ref, CASES.c.group_id, CASES.c.created_at.label("case_at"))
            .join(CASES, CASES.c.id == DECISIONS.c.case_id)
            .where(
                CASES.c.group_id == group_id,
                CASES.c.status == "open",
                DECISIONS.c.done_at.is_(None),
                DECISIONS.c.due.is_not(None),
                DECISIONS.c.due <= due_by,
            )
            .order_by(DECISIONS.c.due, CASES.c.id, DECISIONS.c.number)
        )
        return [
            OpenDecision(
                case_id=CaseId(r.case_id),
                case_ref=r.ref,
                group_id=GroupId(r.group_id),
                case_created_at=r.case_at,
                decision=self._decision(r),
            )
            for r in rows
        ]

    def _decision(self, r: Row[Any]) -> Decision:
        aad = numbered_aad("decisions", r.case_id, r.number, "{}")
        return Decision(
            number=r.number,
            text=self._codec.unseal(r.text, aad=aad.format("text")),
            owner=Agency(r.owner),
            due=r.due,
            fallback=(
                self._codec.unseal(r.fallback, aad=aad.format("fallback"))
                if r.fallback is not None
                else None
            ),
            fallback_owner=Agency(r.fallback_owner) if r.fallback_owner else None,
            done_at=r.done_at,
            created_at=r.created_at,
            by_member=MemberId(r.by_member) if r.by_member is not None else None,
        )

    async def open_escalations(self, group_id: GroupId) -> Sequence[OpenEscalation]:
        rows = await self._conn.execute(
            select(ESCALATIONS)
            .where(ESCALATIONS.c.group_id == group_id, ESCALATIONS.c.handled_at.is_(None))
            .order_by(ESCALATIONS.c.number)
        )
        return [
            OpenEscalation(
                r.number,
                self._codec.unseal(
                    r.text, aad=numbered_aad("escalations", group_id, r.number, "text")
                ),
                r.at,
            )
            for r in rows
        ]

    async def next_due(self) -> datetime | None:
        meetings = (await self._conn.execute(select(func.min(MEETINGS.c.next_due_at)))).scalar()
        watches = (await self._conn.execute(select(func.min(WATCHES.c.next_at)))).scalar()
        found = [_aware(v) for v in (meetings, watches) if v is not None]
        return min(found) if found else None

    async def group_zones(self) -> Sequence[tuple[GroupId, str]]:
        rows = await self._conn.execute(
            select(GROUPS.c.id, GROUPS.c.timezone).order_by(GROUPS.c.id)
        )
        return [(GroupId(r.id), r.timezone) for r in rows]
