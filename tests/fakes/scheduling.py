"""In-memory scheduling ports: meetings, the sent-notification ledger and the follow-up
queries, as storage/scheduling.py and storage/followup.py answer them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from bot.domain import Agency, CaseId, CaseStatus, GroupId, MemberId, Urgency
from bot.ports import MeetingRecord, NotificationKey, OpenDecision, OpenEscalation
from tests.fakes.store import LedgerRow, Transaction, WatchRow, unique


class FakeMeetingRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

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
        tables = self._tx.write()
        number = 1 + max(
            (m.number for m in tables.meetings.values() if m.group_id == group_id), default=0
        )
        meeting = MeetingRecord(
            id=tables.new_id("meetings"),
            group_id=group_id,
            number=number,
            # Stored to the minute, as the SQL column keeps it.
            start_local=start_local.replace(second=0, microsecond=0),
            timezone=timezone,
            duration_minutes=duration_minutes,
            rule=rule,
            theme=theme,
            remind=remind,
            exdates=frozenset(),
            sequence=0,
            cancelled=False,
            next_due_at=None,
            created_at=at,
            updated_at=at,
        )
        tables.meetings[meeting.id] = meeting
        return meeting

    async def get(self, group_id: GroupId, number: int) -> MeetingRecord | None:
        return next(
            (
                m
                for m in self._tx.tables.meetings.values()
                if m.group_id == group_id and m.number == number
            ),
            None,
        )

    async def by_id(self, meeting_id: int) -> MeetingRecord | None:
        return self._tx.tables.meetings.get(meeting_id)

    async def list(
        self, group_id: GroupId, *, include_cancelled: bool = False
    ) -> Sequence[MeetingRecord]:
        return sorted(
            (
                m
                for m in self._tx.tables.meetings.values()
                if m.group_id == group_id and (include_cancelled or not m.cancelled)
            ),
            key=lambda m: m.number,
        )

    async def save(self, meeting: MeetingRecord) -> None:
        tables = self._tx.write()
        stored = tables.meetings.get(meeting.id)
        if stored is not None:
            tables.meetings[meeting.id] = replace(
                stored,
                exdates=frozenset(d.replace(second=0, microsecond=0) for d in meeting.exdates),
                sequence=meeting.sequence,
                cancelled=meeting.cancelled,
                next_due_at=meeting.next_due_at,
                updated_at=meeting.updated_at,
            )

    async def set_next_due(self, meeting_id: int, next_due_at: datetime | None) -> None:
        tables = self._tx.write()
        stored = tables.meetings.get(meeting_id)
        if stored is not None:
            tables.meetings[meeting_id] = replace(stored, next_due_at=next_due_at)

    async def due(self, now: datetime, *, limit: int) -> Sequence[MeetingRecord]:
        due = [
            m
            for m in self._tx.tables.meetings.values()
            if m.next_due_at is not None and m.next_due_at <= now
        ]
        return sorted(due, key=lambda m: (m.next_due_at or now, m.id))[:limit]


class FakeNotificationLedger:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def _insert(
        self,
        key: NotificationKey,
        *,
        group_id: GroupId,
        state: str,
        late: bool,
        due_at: datetime,
        at: datetime,
    ) -> None:
        unique(key in self._tx.tables.ledger)
        tables = self._tx.write()
        tables.ledger[key] = LedgerRow(
            id=tables.new_id("ledger"),
            group_id=group_id,
            state=state,
            late=late,
            due_at=due_at,
            claimed_at=at,
            sent_at=at if state == "sent" else None,
        )

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
        found = self._tx.tables.ledger.get(key)
        if found is not None:
            if found.state != "claimed" or found.claimed_at >= stale_before:
                return False
            self._tx.write().ledger[key] = replace(found, claimed_at=at, late=True)
            return True
        self._insert(key, group_id=group_id, state="claimed", late=late, due_at=due_at, at=at)
        return True

    async def mark_sent(self, key: NotificationKey, *, at: datetime) -> None:
        await self.mark_all_sent([key], at=at)

    async def mark_all_sent(self, keys: Sequence[NotificationKey], *, at: datetime) -> None:
        tables = self._tx.write()
        for key in keys:
            if key in tables.ledger:
                tables.ledger[key] = replace(tables.ledger[key], state="sent", sent_at=at)

    async def record_sent(
        self, keys: Sequence[NotificationKey], *, group_id: GroupId, at: datetime
    ) -> None:
        for key in keys:
            self._insert(key, group_id=group_id, state="sent", late=False, due_at=at, at=at)

    async def skip(
        self, key: NotificationKey, *, group_id: GroupId, due_at: datetime, at: datetime
    ) -> None:
        if key not in self._tx.tables.ledger:  # someone recorded it first: nothing to do
            self._insert(key, group_id=group_id, state="skipped", late=True, due_at=due_at, at=at)

    async def known(self, kind: str, subjects: Sequence[str]) -> set[NotificationKey]:
        wanted = set(subjects)
        return {k for k in self._tx.tables.ledger if k.kind == kind and k.subject in wanted}

    async def stale_claims(self, before: datetime, *, limit: int) -> Sequence[NotificationKey]:
        stale = [
            (row.claimed_at, row.id, key)
            for key, row in self._tx.tables.ledger.items()
            if row.state == "claimed" and row.claimed_at < before
        ]
        return [key for _, _, key in sorted(stale)[:limit]]


class FakeFollowUpQueries:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def discover_cases(
        self, since: datetime, *, first_steps: Mapping[Urgency, timedelta]
    ) -> int:
        tables = self._tx.tables
        found = [
            c
            for c in tables.cases.values()
            if c.created_at >= since
            and c.status is CaseStatus.OPEN
            and c.urgency in first_steps
            and c.id not in tables.watches
        ]
        if found:
            watches = self._tx.write().watches
            for case in found:
                # Nothing can be due before the first step.
                watches[case.id] = WatchRow(
                    case.group_id, case.created_at + first_steps[case.urgency]
                )
        return len(found)

    async def due_watches(self, now: datetime, *, limit: int) -> Sequence[CaseId]:
        tables = self._tx.tables
        due = [
            (case.urgency.rank, w.next_at, case_id)
            for case_id, w in tables.watches.items()
            if w.next_at is not None
            and w.next_at <= now
            and (case := tables.cases.get(case_id)) is not None
        ]
        return [case_id for _, _, case_id in sorted(due)[:limit]]

    async def set_watch(self, case_id: CaseId, next_at: datetime | None) -> None:
        tables = self._tx.write()
        if case_id in tables.watches:
            tables.watches[case_id] = replace(tables.watches[case_id], next_at=next_at)

    def _open_decisions(self, group_id: GroupId) -> list[OpenDecision]:
        tables = self._tx.tables
        return [
            OpenDecision(case.id, case.ref, case.group_id, case.created_at, decision)
            for (case_id, _), decision in tables.decisions.items()
            if (case := tables.cases.get(case_id)) is not None
            and case.group_id == group_id
            and case.status is CaseStatus.OPEN
            and decision.done_at is None
        ]

    async def open_decisions(
        self, group_id: GroupId, *, due_by: date, limit: int | None = None
    ) -> Sequence[OpenDecision]:
        found = [
            d
            for d in self._open_decisions(group_id)
            if d.decision.due is not None and d.decision.due <= due_by
        ]
        found.sort(key=lambda d: (d.decision.due, d.case_id, d.decision.number))
        return found[:limit]

    async def decisions_owned(
        self, group_id: GroupId, owner: Agency, *, limit: int
    ) -> Sequence[OpenDecision]:
        found = [d for d in self._open_decisions(group_id) if d.decision.owner is owner]
        found.sort(
            key=lambda d: (
                d.decision.due is None,
                d.decision.due or date.min,
                d.case_id,
                d.decision.number,
            )
        )
        return found[:limit]

    async def open_escalations(
        self, group_id: GroupId, *, limit: int | None = None
    ) -> Sequence[OpenEscalation]:
        rows = sorted(
            (
                r
                for r in self._tx.tables.escalations.values()
                if r.group_id == group_id and r.handled_at is None
            ),
            key=lambda r: r.number,
        )
        return [OpenEscalation(r.number, r.text, r.at) for r in rows[:limit]]

    async def next_due(self) -> datetime | None:
        tables = self._tx.tables
        found = [m.next_due_at for m in tables.meetings.values() if m.next_due_at is not None]
        found += [w.next_at for w in tables.watches.values() if w.next_at is not None]
        return min(found) if found else None

    async def group_zones(self) -> Sequence[tuple[GroupId, str]]:
        return [(g.id, g.timezone) for _, g in sorted(self._tx.tables.groups.items())]
