"""The structured facts of the yearly evaluation, read per group and period in a handful of
bulk queries. Structured columns only: no summary, resolution, note or decision text is
ever selected (so nothing here needs the text codec)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Agency, CaseId, CaseStatus, GroupId, Tag, Urgency
from bot.domain.outcome import Outcome
from bot.ports.evaluation import (
    AckFact,
    CaseFact,
    ClosureFact,
    DecisionFact,
    EscalationFact,
    NoticeFact,
    Period,
    PeriodFacts,
    ResponsibilityFact,
)
from storage.models import (
    AcknowledgementRow,
    CaseRow,
    DecisionRow,
    EscalationRow,
    ResponsibilityRow,
)
from storage.models_evaluation import CaseClosureRow
from storage.models_scheduling import SentNotificationRow

CASES = cast(Table, CaseRow.__table__)
ACKS = cast(Table, AcknowledgementRow.__table__)
HISTORY = cast(Table, ResponsibilityRow.__table__)
DECISIONS = cast(Table, DecisionRow.__table__)
ESCALATIONS = cast(Table, EscalationRow.__table__)
CLOSURES = cast(Table, CaseClosureRow.__table__)
SENT = cast(Table, SentNotificationRow.__table__)
NOTICE_KINDS = ("escalation", "fallback")


class SqlAlchemyStatisticsQueries:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def facts(self, group_ids: Sequence[GroupId], period: Period) -> PeriodFacts:
        groups = list(group_ids)
        if not groups:
            return PeriodFacts((), (), (), (), (), (), ())
        # Cases alive at some moment of the period: flagged before its end, not closed
        # before its start.
        relevant = and_(
            CASES.c.group_id.in_(groups),
            CASES.c.created_at < period.end,
            or_(CASES.c.closed_at.is_(None), CASES.c.closed_at >= period.start),
        )
        case_rows = await self._conn.execute(
            select(
                CASES.c.id,
                CASES.c.group_id,
                CASES.c.urgency,
                CASES.c.tags,
                CASES.c.flagging_agency,
                CASES.c.status,
                CASES.c.responsible,
                CASES.c.created_at,
                CASES.c.closed_at,
            ).where(relevant)
        )
        cases = [
            CaseFact(
                case_id=CaseId(r.id),
                group_id=GroupId(r.group_id),
                urgency=Urgency(r.urgency),
                tags=tuple(Tag(t) for t in r.tags.split()) if r.tags else (),
                flagging_agency=Agency(r.flagging_agency),
                status=CaseStatus(r.status),
                responsible=Agency(r.responsible) if r.responsible else None,
                created_at=r.created_at,
                closed_at=r.closed_at,
            )
            for r in case_rows
        ]
        # Acknowledgements and history only matter for cases flagged in the period (time to
        # first acknowledgement and to responsibility, proposals declined).
        # Joins rather than `IN (subquery)`: the planner picks a hash join either way, also
        # on tables whose statistics are not yet gathered.
        flagged = (
            CASES.c.group_id.in_(groups),
            CASES.c.created_at >= period.start,
            CASES.c.created_at < period.end,
        )
        acks = [
            AckFact(CaseId(r.case_id), Agency(r.agency), r.at)
            for r in await self._conn.execute(
                select(ACKS.c.case_id, ACKS.c.agency, ACKS.c.at)
                .join(CASES, CASES.c.id == ACKS.c.case_id)
                .where(*flagged)
            )
        ]
        history = [
            ResponsibilityFact(
                CaseId(r.case_id), Agency(r.agency) if r.agency else None, r.how, r.at
            )
            for r in await self._conn.execute(
                select(HISTORY.c.case_id, HISTORY.c.agency, HISTORY.c.how, HISTORY.c.at)
                .join(CASES, CASES.c.id == HISTORY.c.case_id)
                .where(*flagged)
            )
        ]
        decisions = [
            DecisionFact(
                CaseId(r.case_id),
                GroupId(r.group_id),
                Agency(r.owner),
                r.due,
                r.done_at,
                r.created_at,
            )
            for r in await self._conn.execute(
                select(
                    DECISIONS.c.case_id,
                    CASES.c.group_id,
                    DECISIONS.c.owner,
                    DECISIONS.c.due,
                    DECISIONS.c.done_at,
                    DECISIONS.c.created_at,
                )
                .join(CASES, CASES.c.id == DECISIONS.c.case_id)
                .where(
                    CASES.c.group_id.in_(groups),
                    or_(
                        and_(
                            DECISIONS.c.created_at >= period.start,
                            DECISIONS.c.created_at < period.end,
                        ),
                        and_(
                            DECISIONS.c.due >= period.first_day,
                            DECISIONS.c.due <= period.last_day,
                        ),
                    ),
                )
            )
        ]
        notices = [
            NoticeFact(GroupId(r.group_id), r.kind, r.step, r.claimed_at)
            for r in await self._conn.execute(
                select(SENT.c.group_id, SENT.c.kind, SENT.c.step, SENT.c.claimed_at).where(
                    SENT.c.kind.in_(NOTICE_KINDS),
                    SENT.c.state != "skipped",
                    SENT.c.group_id.in_(groups),
                    SENT.c.claimed_at >= period.start,
                    SENT.c.claimed_at < period.end,
                )
            )
        ]
        closures = [
            ClosureFact(
                CaseId(r.case_id),
                GroupId(r.group_id),
                r.event,
                Outcome(r.outcome) if r.outcome else None,
                r.at,
            )
            for r in await self._conn.execute(
                select(
                    CLOSURES.c.case_id,
                    CLOSURES.c.group_id,
                    CLOSURES.c.event,
                    CLOSURES.c.outcome,
                    CLOSURES.c.at,
                ).where(
                    CLOSURES.c.group_id.in_(groups),
                    CLOSURES.c.at >= period.start,
                    CLOSURES.c.at < period.end,
                )
            )
        ]
        escalations = [
            EscalationFact(GroupId(r.group_id), r.at, r.answered_at, r.handled_at)
            for r in await self._conn.execute(
                select(
                    ESCALATIONS.c.group_id,
                    ESCALATIONS.c.at,
                    ESCALATIONS.c.answered_at,
                    ESCALATIONS.c.handled_at,
                ).where(
                    ESCALATIONS.c.group_id.in_(groups),
                    ESCALATIONS.c.at >= period.start,
                    ESCALATIONS.c.at < period.end,
                )
            )
        ]
        return PeriodFacts(cases, acks, history, decisions, notices, closures, escalations)


class SqlAlchemyOutcomeLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(
        self,
        case_id: CaseId,
        *,
        group_id: GroupId,
        event: str,
        outcome: Outcome | None,
        at: datetime,
    ) -> None:
        await self._conn.execute(
            insert(CLOSURES).values(
                case_id=case_id,
                group_id=group_id,
                event=event,
                outcome=outcome.value if outcome else None,
                at=at,
            )
        )
