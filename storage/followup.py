"""SQLAlchemy implementation of the follow-up queries of the scheduling work: which cases to
watch for escalation, decisions due, open escalations, when anything is next due."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Agency, CaseId, Decision, GroupId, Urgency
from bot.ports import OpenDecision, OpenEscalation
from storage import direct
from storage.case_rows import decision_from_row
from storage.codec import TextCodec, numbered_aad
from storage.scheduling import (
    CASES,
    DECISIONS,
    ESCALATIONS,
    GROUPS,
    MEETINGS,
    WATCHES,
    aware_utc,
)

_ALL_OPEN_ESCALATIONS = (
    select(ESCALATIONS)
    .where(ESCALATIONS.c.group_id == bindparam("group_id"), ESCALATIONS.c.handled_at.is_(None))
    .order_by(ESCALATIONS.c.number)
)
# SQLite takes no NULL for LIMIT: with a limit, a statement of its own.
_OPEN_ESCALATIONS = _ALL_OPEN_ESCALATIONS.limit(bindparam("limit"))


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
        # Acute before urgent, then the longest due first (the scheduler works through a
        # backlog in this order).
        rows = await self._conn.execute(
            select(WATCHES.c.case_id)
            .join(CASES, CASES.c.id == WATCHES.c.case_id)
            .where(WATCHES.c.next_at <= now)
            .order_by(CASES.c.urgency_rank, WATCHES.c.next_at, WATCHES.c.case_id)
            .limit(limit)
        )
        return [CaseId(r.case_id) for r in rows]

    async def set_watch(self, case_id: CaseId, next_at: datetime | None) -> None:
        await self._conn.execute(
            update(WATCHES).where(WATCHES.c.case_id == case_id).values(next_at=next_at)
        )

    async def open_decisions(
        self, group_id: GroupId, *, due_by: date, limit: int | None = None
    ) -> Sequence[OpenDecision]:
        return await self._open_decisions(
            group_id,
            (DECISIONS.c.due.is_not(None), DECISIONS.c.due <= due_by),
            (DECISIONS.c.due, CASES.c.id, DECISIONS.c.number),
            limit,
        )

    async def decisions_owned(
        self, group_id: GroupId, owner: Agency, *, limit: int
    ) -> Sequence[OpenDecision]:
        # Dated first (by due date), then the undated: `is_(None)` sorts false before true.
        return await self._open_decisions(
            group_id,
            (DECISIONS.c.owner == owner.value,),
            (DECISIONS.c.due.is_(None), DECISIONS.c.due, CASES.c.id, DECISIONS.c.number),
            limit,
        )

    async def _open_decisions(
        self,
        group_id: GroupId,
        where: tuple[ColumnElement[bool], ...],
        order: tuple[Any, ...],
        limit: int | None,
    ) -> Sequence[OpenDecision]:
        """Decisions not done on the group's open cases, narrowed and ordered as asked."""
        rows = await self._conn.execute(
            select(DECISIONS, CASES.c.ref, CASES.c.group_id, CASES.c.created_at.label("case_at"))
            .join(CASES, CASES.c.id == DECISIONS.c.case_id)
            .where(
                CASES.c.group_id == group_id,
                CASES.c.status == "open",
                DECISIONS.c.done_at.is_(None),
                *where,
            )
            .order_by(*order)
            .limit(limit)
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
        return decision_from_row(r, self._codec)

    async def open_escalations(
        self, group_id: GroupId, *, limit: int | None = None
    ) -> Sequence[OpenEscalation]:
        rows = await direct.execute(
            self._conn,
            _ALL_OPEN_ESCALATIONS if limit is None else _OPEN_ESCALATIONS,
            {"group_id": group_id} if limit is None else {"group_id": group_id, "limit": limit},
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
        found = [aware_utc(v) for v in (meetings, watches) if v is not None]
        return min(found) if found else None

    async def group_zones(self) -> Sequence[tuple[GroupId, str]]:
        rows = await self._conn.execute(
            select(GROUPS.c.id, GROUPS.c.timezone).order_by(GROUPS.c.id)
        )
        return [(GroupId(r.id), r.timezone) for r in rows]
