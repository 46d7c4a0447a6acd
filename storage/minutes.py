"""SQLAlchemy implementation of the minutes port: meetings held, their agendas, attendance,
the entries recorded while they ran, and the picks for the next agenda. Free text (the
theme, each entry's facts) is sealed through the codec, bound to its row."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Agency, CaseId, GroupId, MemberId, Urgency
from bot.ports.minutes import (
    AgendaCase,
    Attendance,
    HeldMeeting,
    ItemOrigin,
    ItemState,
    MeetingEntry,
    MeetingItem,
    Pick,
)
from storage import direct
from storage.codec import TextCodec, case_aad, facts_aad, theme_aad
from storage.minutes_agenda import agenda_page
from storage.models import CaseRow
from storage.models_minutes import (
    AgendaPickRow,
    HeldMeetingRow,
    MeetingAttendanceRow,
    MeetingEntryRow,
    MeetingItemRow,
)
from storage.repositories import UnitCache, agency_or_none, member_id_or_none

HELD = cast(Table, HeldMeetingRow.__table__)
ITEMS = cast(Table, MeetingItemRow.__table__)
ATTENDANCE = cast(Table, MeetingAttendanceRow.__table__)
ENTRIES = cast(Table, MeetingEntryRow.__table__)
PICKS = cast(Table, AgendaPickRow.__table__)
_PICKS = select(PICKS.c.case_id, PICKS.c.pick).where(PICKS.c.group_id == bindparam("group_id"))
_LAST_START = (
    select(HELD.c.started_at)
    .where(HELD.c.group_id == bindparam("group_id"))
    .order_by(HELD.c.number.desc())
    .limit(1)
)
CASES = cast(Table, CaseRow.__table__)

_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
# Built once: every note and decision asks whether a meeting is running.
_RUNNING = select(HELD).where(HELD.c.group_id == bindparam("group_id"), HELD.c.ended_at.is_(None))


class SqlAlchemyMinutesRepository:
    def __init__(self, conn: AsyncConnection, codec: TextCodec, known: UnitCache) -> None:
        self._conn = conn
        self._codec = codec
        self._known = known

    def _held(self, row: Row[Any]) -> HeldMeeting:
        theme = (
            self._codec.unseal(row.theme, aad=theme_aad(row.group_id, row.number))
            if row.theme is not None
            else None
        )
        return HeldMeeting(
            id=row.id,
            group_id=GroupId(row.group_id),
            number=row.number,
            meeting_number=row.meeting_number,
            occurrence=(
                datetime.strptime(row.occurrence, _LOCAL_FORMAT) if row.occurrence else None
            ),
            theme=theme,
            started_at=row.started_at,
            started_by=member_id_or_none(row.started_by),
            ended_at=row.ended_at,
            current_case=CaseId(row.current_case_id) if row.current_case_id else None,
        )

    async def running(self, group_id: GroupId) -> HeldMeeting | None:
        if group_id in self._known.no_meeting_running:
            return None  # the room's context, read in this transaction, found none
        row = (await direct.execute(self._conn, _RUNNING, {"group_id": group_id})).first()
        return self._held(row) if row else None

    async def get(self, group_id: GroupId, number: int) -> HeldMeeting | None:
        row = (
            await self._conn.execute(
                select(HELD).where(HELD.c.group_id == group_id, HELD.c.number == number)
            )
        ).first()
        return self._held(row) if row else None

    async def recent(self, group_id: GroupId, *, limit: int) -> Sequence[HeldMeeting]:
        rows = await self._conn.execute(
            select(HELD)
            .where(HELD.c.group_id == group_id)
            .order_by(HELD.c.number.desc())
            .limit(limit)
        )
        return [self._held(r) for r in rows]

    async def held_before(
        self, group_ids: Sequence[GroupId], end: datetime
    ) -> Sequence[HeldMeeting]:
        query = select(HELD).where(HELD.c.group_id.in_(list(group_ids)), HELD.c.started_at < end)
        rows = await self._conn.execute(query.order_by(HELD.c.started_at, HELD.c.id))
        return [self._held(r) for r in rows]

    async def last_start(self, group_id: GroupId) -> datetime | None:
        row = (await direct.execute(self._conn, _LAST_START, {"group_id": group_id})).first()
        return row.started_at if row else None

    async def start(
        self,
        *,
        group_id: GroupId,
        meeting_number: int | None,
        occurrence: datetime | None,
        theme: str | None,
        started_by: MemberId,
        at: datetime,
        items: Sequence[tuple[CaseId, ItemOrigin]],
    ) -> HeldMeeting:
        self._known.no_meeting_running.discard(group_id)
        current = (
            await self._conn.execute(
                select(func.max(HELD.c.number)).where(HELD.c.group_id == group_id)
            )
        ).scalar_one_or_none()
        number = int(current or 0) + 1
        held_id = (
            await self._conn.execute(
                insert(HELD)
                .values(
                    group_id=group_id,
                    number=number,
                    meeting_number=meeting_number,
                    occurrence=occurrence.strftime(_LOCAL_FORMAT) if occurrence else None,
                    theme=(
                        self._codec.seal(theme, aad=theme_aad(group_id, number))
                        if theme is not None
                        else None
                    ),
                    started_at=at,
                    started_by=started_by,
                )
                .returning(HELD.c.id)
            )
        ).scalar_one()
        if items:
            await self._conn.execute(
                insert(ITEMS),
                [
                    {
                        "held_meeting_id": held_id,
                        "case_id": case_id,
                        "position": position,
                        "state": ItemState.PENDING.value,
                        "origin": origin.value,
                    }
                    for position, (case_id, origin) in enumerate(items, start=1)
                ],
            )
        held = await self.get(group_id, number)
        assert held is not None
        return held

    async def end(self, held_id: int, *, by: MemberId, at: datetime) -> None:
        await self._conn.execute(
            update(HELD)
            .where(HELD.c.id == held_id)
            .values(ended_at=at, ended_by=by, current_case_id=None)
        )

    async def set_current(self, held_id: int, case_id: CaseId | None) -> None:
        await self._conn.execute(
            update(HELD).where(HELD.c.id == held_id).values(current_case_id=case_id)
        )

    async def items(self, held_id: int) -> Sequence[MeetingItem]:
        rows = await self._conn.execute(
            select(
                ITEMS.c.case_id,
                ITEMS.c.position,
                ITEMS.c.state,
                ITEMS.c.origin,
                CASES.c.group_id,
                CASES.c.ref,
                CASES.c.urgency,
                CASES.c.responsible,
                CASES.c.summary,
                CASES.c.purged_at,
                CASES.c.closed_at,
            )
            .join(CASES, CASES.c.id == ITEMS.c.case_id)
            .where(ITEMS.c.held_meeting_id == held_id)
            .order_by(ITEMS.c.position)
        )
        items = []
        for r in rows:
            purged = r.purged_at is not None and (r.closed_at is None or r.purged_at >= r.closed_at)
            summary = (
                ""
                if purged or not r.summary
                else self._codec.unseal(r.summary, aad=case_aad(r.group_id, r.ref, "summary"))
            )
            items.append(
                MeetingItem(
                    case_id=CaseId(r.case_id),
                    ref=r.ref,
                    urgency=Urgency(r.urgency),
                    responsible=agency_or_none(r.responsible),
                    summary=summary,
                    purged=purged,
                    position=r.position,
                    state=ItemState(r.state),
                    origin=ItemOrigin(r.origin),
                )
            )
        return items

    async def add_item(
        self, held_id: int, case_id: CaseId, *, origin: ItemOrigin, state: ItemState
    ) -> None:
        last = (
            await self._conn.execute(
                select(func.max(ITEMS.c.position)).where(ITEMS.c.held_meeting_id == held_id)
            )
        ).scalar_one_or_none()
        await self._conn.execute(
            insert(ITEMS).values(
                held_meeting_id=held_id,
                case_id=case_id,
                position=int(last or 0) + 1,
                state=state.value,
                origin=origin.value,
            )
        )

    async def mark(
        self, held_id: int, case_id: CaseId, state: ItemState, *, by: MemberId, at: datetime
    ) -> None:
        await self._conn.execute(
            update(ITEMS)
            .where(ITEMS.c.held_meeting_id == held_id, ITEMS.c.case_id == case_id)
            .values(state=state.value, marked_at=at, marked_by=by)
        )

    async def remove_item(self, held_id: int, case_id: CaseId) -> None:
        await self._conn.execute(
            delete(ITEMS).where(ITEMS.c.held_meeting_id == held_id, ITEMS.c.case_id == case_id)
        )

    async def attend(
        self, held_id: int, *, member_id: MemberId, agency: Agency, by: MemberId, at: datetime
    ) -> bool:
        found = (
            await self._conn.execute(
                select(ATTENDANCE.c.id).where(
                    ATTENDANCE.c.held_meeting_id == held_id, ATTENDANCE.c.member_id == member_id
                )
            )
        ).first()
        if found is not None:
            return False
        await self._conn.execute(
            insert(ATTENDANCE).values(
                held_meeting_id=held_id,
                member_id=member_id,
                agency=agency.value,
                recorded_by=by,
                at=at,
            )
        )
        return True

    async def attendance(self, held_id: int) -> Sequence[Attendance]:
        rows = await self._conn.execute(
            select(ATTENDANCE)
            .where(ATTENDANCE.c.held_meeting_id == held_id)
            .order_by(ATTENDANCE.c.id)
        )
        return [Attendance(MemberId(r.member_id), Agency(r.agency), r.at) for r in rows]

    async def add_entry(
        self,
        held_id: int,
        *,
        case_id: CaseId | None,
        discussed: CaseId | None,
        kind: str,
        facts: Mapping[str, str],
        by: MemberId | None,
        at: datetime,
    ) -> None:
        last = (
            await self._conn.execute(
                select(func.max(ENTRIES.c.number)).where(ENTRIES.c.held_meeting_id == held_id)
            )
        ).scalar_one_or_none()
        number = int(last or 0) + 1
        await self._conn.execute(
            insert(ENTRIES).values(
                held_meeting_id=held_id,
                number=number,
                case_id=case_id,
                discussed_case_id=discussed,
                kind=kind,
                facts=self._codec.seal(
                    json.dumps(dict(facts), ensure_ascii=False), aad=facts_aad(held_id, number)
                ),
                by_member=by,
                at=at,
            )
        )

    async def entries(self, held_id: int) -> Sequence[MeetingEntry]:
        rows = await self._conn.execute(
            select(ENTRIES, CASES.c.ref)
            .outerjoin(CASES, CASES.c.id == ENTRIES.c.case_id)
            .where(ENTRIES.c.held_meeting_id == held_id)
            .order_by(ENTRIES.c.number)
        )
        found = []
        for r in rows:
            facts = (
                None
                if r.facts is None
                else json.loads(self._codec.unseal(r.facts, aad=facts_aad(held_id, r.number)))
            )
            found.append(
                MeetingEntry(
                    number=r.number,
                    case_id=CaseId(r.case_id) if r.case_id is not None else None,
                    ref=r.ref,
                    discussed=(
                        CaseId(r.discussed_case_id) if r.discussed_case_id is not None else None
                    ),
                    kind=r.kind,
                    facts={str(k): str(v) for k, v in facts.items()} if facts else None,
                    by_member=member_id_or_none(r.by_member),
                    at=r.at,
                )
            )
        return found

    async def picks(self, group_id: GroupId) -> Mapping[CaseId, Pick]:
        rows = await direct.execute(self._conn, _PICKS, {"group_id": group_id})
        return {CaseId(r.case_id): Pick(r.pick) for r in rows}

    async def set_pick(
        self, group_id: GroupId, case_id: CaseId, pick: Pick, *, by: MemberId | None, at: datetime
    ) -> None:
        await self._conn.execute(
            delete(PICKS).where(PICKS.c.group_id == group_id, PICKS.c.case_id == case_id)
        )
        await self._conn.execute(
            insert(PICKS).values(
                group_id=group_id, case_id=case_id, pick=pick.value, by_member=by, at=at
            )
        )

    async def clear_picks(self, group_id: GroupId) -> None:
        await self._conn.execute(delete(PICKS).where(PICKS.c.group_id == group_id))

    async def agenda(
        self,
        group_id: GroupId,
        *,
        since: datetime | None,
        due_by: date,
        limit: int,
        count_up_to: int,
    ) -> tuple[Sequence[AgendaCase], int]:
        return await agenda_page(
            self._conn,
            self._codec,
            group_id,
            await self.picks(group_id),
            since=since,
            due_by=due_by,
            limit=limit,
            count_up_to=count_up_to,
        )
