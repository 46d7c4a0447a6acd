"""A group's cases, a page at a time, in the listing index's order, and how many there are
(counted no further than asked)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Agency, CaseStatus, CaseSummaryRow, GroupId, Urgency
from storage import case_statements as st
from storage import direct
from storage.codec import TextCodec, case_aad
from storage.repositories import ACKS, agency_or_none


async def list_cases(
    conn: AsyncConnection,
    codec: TextCodec,
    group_id: GroupId,
    *,
    status: CaseStatus | None,
    responsible: Agency | None,
    limit: int,
    offset: int = 0,
    count_up_to: int | None = None,
    with_acknowledgements: bool = False,
) -> tuple[Sequence[CaseSummaryRow], int]:
    page, counting = st.listing(status is not None, responsible is not None)
    params = {
        "group_id": group_id,
        "status": status.value if status else None,
        "responsible": responsible.value if responsible else None,
        # Counted through the listing index, and no further than asked.
        "up_to": 2**62 if count_up_to is None else count_up_to + 1,
    }
    rows = (await direct.execute(conn, page, {**params, "limit": limit, "offset": offset})).all()
    result = await summary_rows(conn, codec, rows, with_acknowledgements)
    if len(result) < limit and (result or offset == 0):
        return result, offset + len(result)
    if rows:
        return result, int(rows[0].matching)
    # A page past the last: no row to carry the count.
    return result, int((await direct.execute(conn, counting, params)).scalar_one())


async def summary_rows(
    conn: AsyncConnection, codec: TextCodec, rows: Sequence[Any], with_acknowledgements: bool
) -> list[CaseSummaryRow]:
    """Listed cases (columns LISTED) as their summary lines; with the agencies that have
    acknowledged each, read for the whole page in one statement."""
    acknowledged: dict[int, set[Agency]] = {}
    if with_acknowledgements and rows:
        found = await conn.execute(
            select(ACKS.c.case_id, ACKS.c.agency).where(ACKS.c.case_id.in_([r.id for r in rows]))
        )
        for case_id, agency in found:
            acknowledged.setdefault(case_id, set()).add(Agency(agency))
    return [
        CaseSummaryRow(
            ref=r.ref,
            urgency=Urgency(r.urgency),
            status=CaseStatus(r.status),
            responsible=agency_or_none(r.responsible),
            summary=codec.unseal(r.summary, aad=case_aad(r.group_id, r.ref, "summary")),
            created_at=r.created_at,
            acknowledged=frozenset(acknowledged.get(r.id, ())),
        )
        for r in rows
    ]
