"""In-memory ports of the steering level: outcomes, the statistics query over the fake
tables, steering groups and case transfers, as storage/statistics.py, storage/steering.py and
storage/transfers.py answer them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain import CaseId, CaseStatus, GroupId, Platform
from bot.domain.outcome import Outcome
from bot.ports.evaluation import (
    AckFact,
    CaseFact,
    ClosureFact,
    DecisionFact,
    EscalationAnswer,
    EscalationFact,
    NoticeFact,
    PendingTransfer,
    Period,
    PeriodFacts,
    ResponsibilityFact,
    SteeringGroup,
    SteeringId,
)
from tests.fakes.store import Transaction, unique


class FakeOutcomeLog:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def record(
        self,
        case_id: CaseId,
        *,
        group_id: GroupId,
        event: str,
        outcome: Outcome | None,
        at: datetime,
    ) -> None:
        tables = self._tx.write()
        tables.closures[tables.new_id("closures")] = ClosureFact(
            case_id, group_id, event, outcome, at
        )


class FakeStatisticsQueries:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def facts(self, group_ids: Sequence[GroupId], period: Period) -> PeriodFacts:
        t = self._tx.tables
        groups = set(group_ids)

        def inside(at: datetime) -> bool:
            return period.start <= at < period.end

        cases = [
            CaseFact(
                c.id,
                c.group_id,
                c.urgency,
                c.tags,
                c.flagging_agency,
                c.status,
                c.responsible,
                c.created_at,
                c.closed_at,
            )
            for c in t.cases.values()
            if c.group_id in groups
            and c.created_at < period.end
            and (c.closed_at is None or c.closed_at >= period.start)
        ]
        flagged = {c.case_id for c in cases if inside(c.created_at)}
        owner = {c.id: c.group_id for c in t.cases.values()}
        escalations = [
            EscalationFact(
                e.group_id,
                e.at,
                t.answers.get((e.group_id, e.number), (None, None))[1],
                e.handled_at,
            )
            for e in t.escalations.values()
            if e.group_id in groups and inside(e.at)
        ]
        return PeriodFacts(
            cases,
            [
                AckFact(cid, a.agency, a.at)
                for (cid, _), (_, a) in t.acknowledgements.items()
                if cid in flagged
            ],
            [
                ResponsibilityFact(cid, h.agency, h.how, h.at)
                for cid, h in t.history.values()
                if cid in flagged
            ],
            [
                DecisionFact(cid, owner[cid], d.owner, d.due, d.done_at, d.created_at)
                for (cid, _), d in t.decisions.items()
                if owner.get(cid) in groups
                and (
                    inside(d.created_at)
                    or (d.due is not None and period.first_day <= d.due <= period.last_day)
                )
            ],
            [
                NoticeFact(row.group_id, key.kind, key.step, row.claimed_at)
                for key, row in t.ledger.items()
                if key.kind in ("escalation", "fallback")
                and row.state != "skipped"
                and row.group_id in groups
                and inside(row.claimed_at)
            ],
            [c for c in t.closures.values() if c.group_id in groups and inside(c.at)],
            escalations,
        )


class FakeSteeringRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(
        self, *, name: str, platform: Platform, room_id: str, at: datetime
    ) -> SteeringGroup:
        tables = self._tx.write()
        unique(
            any(
                s.name == name or (s.platform, s.room_id) == (platform, room_id)
                for s in tables.steering.values()
            )
        )
        steering = SteeringGroup(tables.new_id("steering"), name, platform, room_id)
        tables.steering[steering.id] = steering
        return steering

    async def by_name(self, name: str) -> SteeringGroup | None:
        return next((s for s in self._tx.tables.steering.values() if s.name == name), None)

    async def by_room(self, platform: Platform, room_id: str) -> SteeringGroup | None:
        return next(
            (
                s
                for s in self._tx.tables.steering.values()
                if (s.platform, s.room_id) == (platform, room_id)
            ),
            None,
        )

    async def all(self) -> Sequence[SteeringGroup]:
        return sorted(self._tx.tables.steering.values(), key=lambda s: s.id)

    async def of_group(self, group_id: GroupId) -> SteeringGroup | None:
        steering_id = self._tx.tables.steering_links.get(group_id)
        return self._tx.tables.steering.get(steering_id) if steering_id else None

    async def groups(self, steering_id: SteeringId) -> Sequence[GroupId]:
        links = self._tx.tables.steering_links
        return sorted(g for g, s in links.items() if s == steering_id)

    async def link(self, steering_id: SteeringId, group_id: GroupId, *, at: datetime) -> None:
        tables = self._tx.write()
        unique(group_id in tables.steering_links)
        tables.steering_links[group_id] = steering_id

    async def unlink(self, group_id: GroupId) -> None:
        self._tx.write().steering_links.pop(group_id, None)

    async def answer(
        self, group_id: GroupId, number: int, *, text: str, at: datetime
    ) -> bool | None:
        if (group_id, number) not in self._tx.tables.escalations:
            return None
        if (group_id, number) in self._tx.tables.answers:
            return False
        self._tx.write().answers[(group_id, number)] = (text, at)
        return True

    async def answers(self, group_id: GroupId) -> Sequence[EscalationAnswer]:
        t = self._tx.tables
        return [
            EscalationAnswer(group_id, number, at, text)
            for (g, number), (text, at) in sorted(t.answers.items())
            if g == group_id and t.escalations[(g, number)].handled_at is None
        ]


class FakeTransferRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def request(
        self,
        case_id: CaseId,
        *,
        source_group_id: GroupId,
        target_group_id: GroupId,
        requested_by: int,
        at: datetime,
    ) -> None:
        tables = self._tx.write()
        pending = PendingTransfer(
            tables.new_id("transfers"), case_id, source_group_id, target_group_id
        )
        tables.transfers[pending.id] = (pending, None)

    async def pending_for_case(self, case_id: CaseId) -> PendingTransfer | None:
        return next(
            (
                p
                for p, moved in self._tx.tables.transfers.values()
                if p.case_id == case_id and moved is None
            ),
            None,
        )

    async def pending_to(self, target_group_id: GroupId, ref: str) -> PendingTransfer | None:
        cases = self._tx.tables.cases
        return next(
            (
                p
                for p, moved in self._tx.tables.transfers.values()
                if moved is None
                and p.target_group_id == target_group_id
                and cases[p.case_id].ref == ref
                and cases[p.case_id].status is CaseStatus.OPEN
            ),
            None,
        )

    async def accept(self, transfer_id: int, *, new_case_id: CaseId, at: datetime) -> None:
        tables = self._tx.write()
        pending, _ = tables.transfers[transfer_id]
        tables.transfers[transfer_id] = (pending, new_case_id)
