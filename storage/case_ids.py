"""Ids for new cases on PostgreSQL, taken from the cases' sequence a batch at a time and
handed out by this process, so that a flag needs no round trip of its own for its case's id.

An id is only a key: the case's number (its ref) comes from the group's counter and stays
gapless and in order. Ids taken and not used (a batch left at exit, a flag that failed) are
gaps, as a sequence always leaves them; two processes interleave their batches, so ids follow
creation only within a process (every ordering by id is a tie-break after a time).
"""

from __future__ import annotations

import weakref

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import CaseId
from storage import case_statements as st
from storage import direct

BATCH = 16
_POOLS: weakref.WeakKeyDictionary[Engine, list[int]] = weakref.WeakKeyDictionary()


async def reserved_case_id(conn: AsyncConnection) -> CaseId:
    pool = _POOLS.setdefault(conn.engine.sync_engine, [])
    if not pool:
        taken = await direct.execute(conn, st.RESERVE_CASE_IDS, {"count": BATCH}, independent=True)
        pool.extend(int(row.id) for row in taken)
        pool.sort(reverse=True)  # handed out smallest first
    return CaseId(pool.pop())
