"""In-memory minutes port, answering as storage/minutes.py does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime

from bot.domain import Agency, CaseId, CaseStatus, CaseSummaryRow, GroupId, MemberId
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
from tests.fakes.store import ItemRow, Transaction, unique


class FakeMinutesRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def _of_group(self, group_id: GroupId) -> list[HeldMeeting]:
        return sorted(
            (h for h in self._tx.tables.held.values() if h.group_id == group_id),
            key=lambda h: h.number,
        )

    async def running(self, group_id: GroupId) -> HeldMeeting | None:
        return next((h for h in self._of_group(group_id) if h.ended_at is None), None)

    async def get(self, group_id: GroupId, number: int) -> HeldMeeting | None:
        return next((h for h in self._of_group(group_id) if h.number == number), None)

    async def recent(self, group_id: GroupId, *, limit: int) -> Sequence[HeldMeeting]:
        return self._of_group(group_id)[::-1][:limit]

    async def held_before(
        self, group_ids: Sequence[GroupId], end: datetime
    ) -> Sequence[HeldMeeting]:
        chosen = set(group_ids)
        return sorted(
            (
                h
                for h in self._tx.tables.held.values()
                if h.group_id in chosen and h.started_at < end
            ),
            key=lambda h: (h.started_at, h.id),
        )

    async def last_start(self, group_id: GroupId) -> datetime | None:
        held = self._of_group(group_id)
        return held[-1].started_at if held else None

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
        held = self._of_group(group_id)
        unique(any(h.ended_at is None for h in held))
        tables = self._tx.write()
        meeting = HeldMeeting(
            id=tables.new_id("held"),
            group_id=group_id,
            number=1 + (held[-1].number if held else 0),
            meeting_number=meeting_number,
            occurrence=occurrence,
            theme=theme,
            started_at=at,
            started_by=started_by,
            ended_at=None,
            current_case=None,
        )
        tables.held[meeting.id] = meeting
        for position, (case_id, origin) in enumerate(items, start=1):
            tables.items[(meeting.id, case_id)] = ItemRow(position, ItemState.PENDING, origin)
        return meeting

    async def end(self, held_id: int, *, by: MemberId, at: datetime) -> None:
        tables = self._tx.write()
        tables.held[held_id] = replace(tables.held[held_id], ended_at=at, current_case=None)

    async def set_current(self, held_id: int, case_id: CaseId | None) -> None:
        tables = self._tx.write()
        tables.held[held_id] = replace(tables.held[held_id], current_case=case_id)

    async def items(self, held_id: int) -> Sequence[MeetingItem]:
        found = []
        for (hid, case_id), row in self._tx.tables.items.items():
            if hid != held_id:
                continue
            case = self._tx.tables.cases[case_id]
            purged = case.purged_at is not None and (
                case.closed_at is None or case.purged_at >= case.closed_at
            )
            found.append(
                MeetingItem(
                    case_id=case_id,
                    ref=case.ref,
                    urgency=case.urgency,
                    responsible=case.responsible,
                    summary="" if purged else case.summary,
                    purged=purged,
                    position=row.position,
                    state=row.state,
                    origin=row.origin,
                )
            )
        return sorted(found, key=lambda i: i.position)

    async def add_item(
        self, held_id: int, case_id: CaseId, *, origin: ItemOrigin, state: ItemState
    ) -> None:
        unique((held_id, case_id) in self._tx.tables.items)
        tables = self._tx.write()
        last = max((r.position for (h, _), r in tables.items.items() if h == held_id), default=0)
        tables.items[(held_id, case_id)] = ItemRow(last + 1, state, origin)

    async def mark(
        self, held_id: int, case_id: CaseId, state: ItemState, *, by: MemberId, at: datetime
    ) -> None:
        tables = self._tx.write()
        row = tables.items.get((held_id, case_id))
        if row is not None:
            tables.items[(held_id, case_id)] = replace(row, state=state)

    async def remove_item(self, held_id: int, case_id: CaseId) -> None:
        self._tx.write().items.pop((held_id, case_id), None)

    async def attend(
        self, held_id: int, *, member_id: MemberId, agency: Agency, by: MemberId, at: datetime
    ) -> bool:
        if (held_id, member_id) in self._tx.tables.attendance:
            return False
        self._tx.write().attendance[(held_id, member_id)] = Attendance(member_id, agency, at)
        return True

    async def attendance(self, held_id: int) -> Sequence[Attendance]:
        return [a for (h, _), a in self._tx.tables.attendance.items() if h == held_id]

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
        tables = self._tx.write()
        number = 1 + max((n for (h, n) in tables.entries if h == held_id), default=0)
        ref = tables.cases[case_id].ref if case_id is not None else None
        tables.entries[(held_id, number)] = MeetingEntry(
            number, case_id, ref, discussed, kind, dict(facts), by, at
        )

    async def entries(self, held_id: int) -> Sequence[MeetingEntry]:
        found = [e for (h, _), e in sorted(self._tx.tables.entries.items()) if h == held_id]
        # Retention strips the facts of purged cases (storage/retention.py).
        return [
            replace(e, facts=None)
            if e.case_id is not None and self._tx.tables.cases[e.case_id].purged_at is not None
            else e
            for e in found
        ]

    async def picks(self, group_id: GroupId) -> Mapping[CaseId, Pick]:
        return {c: p for (g, c), p in self._tx.tables.picks.items() if g == group_id}

    async def set_pick(
        self, group_id: GroupId, case_id: CaseId, pick: Pick, *, by: MemberId | None, at: datetime
    ) -> None:
        self._tx.write().picks[(group_id, case_id)] = pick

    async def clear_picks(self, group_id: GroupId) -> None:
        tables = self._tx.write()
        for key in [k for k in tables.picks if k[0] == group_id]:
            del tables.picks[key]

    async def agenda(
        self,
        group_id: GroupId,
        *,
        since: datetime | None,
        due_by: date,
        limit: int,
        count_up_to: int,
    ) -> tuple[Sequence[AgendaCase], int]:
        tables = self._tx.tables
        picks = await self.picks(group_id)
        due = {
            case_id
            for (case_id, _), d in tables.decisions.items()
            if d.done_at is None and d.due is not None and d.due <= due_by
        }
        chosen = []
        for case in tables.cases.values():
            if case.group_id != group_id or case.status is not CaseStatus.OPEN:
                continue
            pick = picks.get(case.id)
            if pick is Pick.REMOVE:
                continue
            if since is not None and not (
                pick is not None
                or case.responsible is None
                or case.id in due
                or case.created_at >= since
            ):
                continue
            chosen.append(case)
        chosen.sort(
            key=lambda c: (
                picks.get(c.id) is not Pick.CARRY,
                c.urgency.rank,
                c.created_at,
                c.id,
            )
        )
        rows = [
            AgendaCase(
                case_id=c.id,
                row=CaseSummaryRow(
                    ref=c.ref,
                    urgency=c.urgency,
                    status=c.status,
                    responsible=c.responsible,
                    summary=c.summary,
                    created_at=c.created_at,
                    acknowledged=frozenset(
                        Agency(a) for (cid, a) in tables.acknowledgements if cid == c.id
                    ),
                ),
                pick=picks.get(c.id),
            )
            for c in chosen[:limit]
        ]
        return rows, min(len(chosen), count_up_to + 1)
