"""The next agenda's cases in one page query and one bounded count (storage/minutes.py's
`agenda`): those the last meeting did not reach first, then by urgency and age."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import CaseId, CaseStatus, GroupId
from bot.ports.minutes import AgendaCase, Pick
from storage import direct
from storage.case_listing import summary_rows
from storage.case_statements import LISTED
from storage.codec import TextCodec
from storage.models import CaseRow, DecisionRow

CASES = cast(Table, CaseRow.__table__)
DECISIONS = cast(Table, DecisionRow.__table__)


async def agenda_page(
    conn: AsyncConnection,
    codec: TextCodec,
    group_id: GroupId,
    picks: Mapping[CaseId, Pick],
    *,
    since: datetime | None,
    due_by: date,
    limit: int,
    count_up_to: int,
) -> tuple[Sequence[AgendaCase], int]:
    if not picks:
        return await _unpicked_page(
            conn, codec, group_id, since=since, due_by=due_by, limit=limit, up_to=count_up_to
        )
    wanted = [c for c, p in picks.items() if p is not Pick.REMOVE]
    removed = [c for c, p in picks.items() if p is Pick.REMOVE]
    carried = [c for c, p in picks.items() if p is Pick.CARRY]
    due = select(DECISIONS.c.case_id).where(
        DECISIONS.c.done_at.is_(None), DECISIONS.c.due <= due_by
    )
    reasons: list[Any] = [
        CASES.c.id.in_(wanted),
        CASES.c.responsible.is_(None),
        CASES.c.id.in_(due),
    ]
    conditions: list[Any] = [
        CASES.c.group_id == group_id,
        CASES.c.status == CaseStatus.OPEN.value,
    ]
    if since is not None:
        # Before a group's first meeting every open case is on it.
        conditions.append(or_(*reasons, CASES.c.created_at >= since))
    if removed:
        conditions.append(CASES.c.id.not_in(removed))
    where = and_(*conditions)
    # The listing index's order (urgency, age) serves the page straight off the index; the
    # cases the last meeting did not reach come first from a query of their own, since an
    # expression in ORDER BY would sort every open case of the group (1M cases: 160 ms on
    # SQLite against 3 ms).
    order = (CASES.c.urgency_rank, CASES.c.created_at, CASES.c.id)
    rows: list[Any] = []
    if carried:
        first = select(*LISTED).where(where, CASES.c.id.in_(carried)).order_by(*order)
        rows = list((await conn.execute(first.limit(limit))).all())
    if len(rows) < limit:
        rest = select(*LISTED).where(where).order_by(*order)
        if carried:
            rest = rest.where(CASES.c.id.not_in(carried))
        rows += (await conn.execute(rest.limit(limit - len(rows)))).all()
    counting = select(CASES.c.id).where(where).limit(count_up_to + 1).subquery()
    total = (await conn.execute(select(func.count()).select_from(counting))).scalar_one()
    return await _agenda_cases(conn, codec, rows, picks), int(total)


async def _agenda_cases(
    conn: AsyncConnection, codec: TextCodec, rows: Sequence[Any], picks: Mapping[CaseId, Pick]
) -> list[AgendaCase]:
    summaries = await summary_rows(conn, codec, rows, with_acknowledgements=True)
    return [
        AgendaCase(case_id=CaseId(r.id), row=summary, pick=picks.get(CaseId(r.id)))
        for r, summary in zip(rows, summaries, strict=True)
    ]


@functools.cache
def _unpicked(with_since: bool) -> tuple[Any, Any]:
    """The page and the bounded count when no one picked a case for the agenda (the usual
    case): built once, run on the driver (storage/direct.py)."""
    due = select(DECISIONS.c.case_id).where(
        DECISIONS.c.done_at.is_(None), DECISIONS.c.due <= bindparam("due_by")
    )
    conditions: list[Any] = [
        CASES.c.group_id == bindparam("group_id"),
        CASES.c.status == CaseStatus.OPEN.value,
    ]
    if with_since:
        conditions.append(
            or_(
                CASES.c.responsible.is_(None),
                CASES.c.id.in_(due),
                CASES.c.created_at >= bindparam("since"),
            )
        )
    page = (
        select(*LISTED)
        .where(*conditions)
        .order_by(CASES.c.urgency_rank, CASES.c.created_at, CASES.c.id)
        .limit(bindparam("limit"))
    )
    matching = select(CASES.c.id).where(*conditions).limit(bindparam("up_to")).subquery()
    return page, select(func.count()).select_from(matching)


async def _unpicked_page(
    conn: AsyncConnection,
    codec: TextCodec,
    group_id: GroupId,
    *,
    since: datetime | None,
    due_by: date,
    limit: int,
    up_to: int,
) -> tuple[Sequence[AgendaCase], int]:
    page, counting = _unpicked(since is not None)
    params: dict[str, Any] = {"group_id": group_id}
    if since is not None:
        params.update(since=since, due_by=due_by)
    rows = (await direct.execute(conn, page, {**params, "limit": limit})).all()
    total = (await direct.execute(conn, counting, {**params, "up_to": up_to + 1})).scalar_one()
    return await _agenda_cases(conn, codec, rows, {}), int(total)
