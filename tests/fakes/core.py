"""In-memory groups, members and cases: the same ports as storage/repositories.py and
storage/cases.py, with the same orderings, numbering and unique keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from bot.domain import (
    Acknowledgement,
    Agency,
    BindingId,
    Case,
    CaseDetails,
    CaseId,
    CaseStatus,
    CaseSummaryRow,
    Decision,
    DetailLevel,
    Group,
    GroupId,
    GroupKind,
    Member,
    MemberId,
    Note,
    Platform,
    ResponsibilityChange,
    Role,
    RoomBinding,
    RoomPurpose,
    Tag,
    Urgency,
)
from bot.ports import ConcurrentUpdateError
from tests.fakes.store import MemberRow, Transaction, unique


class FakeGroupRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def get(self, group_id: GroupId) -> Group | None:
        return self._tx.tables.groups.get(group_id)

    async def get_by_name(self, name: str) -> Group | None:
        return next((g for g in self._tx.tables.groups.values() if g.name == name), None)

    async def add(self, *, name: str, kind: GroupKind, prefix: str, timezone: str) -> Group:
        unique(await self.get_by_name(name) is not None)
        tables = self._tx.write()
        group = Group(GroupId(tables.new_id("groups")), name, kind, prefix, timezone)
        tables.groups[group.id] = group
        tables.group_created[group.id] = datetime.now(UTC)
        return group

    async def binding_for_room(self, platform: Platform, room_id: str) -> RoomBinding | None:
        return next(
            (
                b
                for b in self._tx.tables.bindings.values()
                if b.platform is platform and b.room_id == room_id
            ),
            None,
        )

    async def room_context(
        self, platform: Platform, room_id: str, user_id: str, case_ref: str | None = None
    ) -> tuple[RoomBinding, Group, Member | None] | None:
        binding = await self.binding_for_room(platform, room_id)
        if binding is None:
            return None
        group = self._tx.tables.groups[binding.group_id]
        member = next(
            (
                row.member
                for _, row in sorted(self._tx.tables.members.items())
                if row.active
                and row.member.group_id == group.id
                and row.member.platform is platform
                and row.member.user_id == user_id
            ),
            None,
        )
        return binding, group, member

    async def bindings(self, group_id: GroupId) -> Sequence[RoomBinding]:
        return [b for _, b in sorted(self._tx.tables.bindings.items()) if b.group_id == group_id]

    async def bind(
        self,
        *,
        group_id: GroupId,
        platform: Platform,
        room_id: str,
        detail: DetailLevel,
        purpose: RoomPurpose,
    ) -> RoomBinding:
        unique(await self.binding_for_room(platform, room_id) is not None)
        tables = self._tx.write()
        binding = RoomBinding(
            BindingId(tables.new_id("bindings")), group_id, platform, room_id, detail, purpose
        )
        tables.bindings[binding.id] = binding
        return binding

    async def next_case_number(self, group_id: GroupId, year: int) -> int:
        tables = self._tx.write()
        number = tables.sequences.get((group_id, year), 0) + 1
        tables.sequences[(group_id, year)] = number
        return number


class FakeMemberRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def _rows(self) -> list[MemberRow]:
        return [row for _, row in sorted(self._tx.tables.members.items())]

    async def find(self, group_id: GroupId, platform: Platform, user_id: str) -> Member | None:
        return next(
            (
                r.member
                for r in self._rows()
                if r.active
                and r.member.group_id == group_id
                and r.member.platform is platform
                and r.member.user_id == user_id
            ),
            None,
        )

    async def get(self, member_id: MemberId) -> Member | None:
        row = self._tx.tables.members.get(member_id)
        return row.member if row else None

    async def list(self, group_id: GroupId) -> Sequence[Member]:
        return [r.member for r in self._rows() if r.active and r.member.group_id == group_id]

    async def memberships(self, platform: Platform, user_id: str) -> Sequence[Member]:
        return [
            r.member
            for r in self._rows()
            if r.active and r.member.platform is platform and r.member.user_id == user_id
        ]

    async def add(
        self,
        *,
        group_id: GroupId,
        platform: Platform,
        user_id: str,
        display_name: str,
        agency: Agency,
        role: Role,
    ) -> Member:
        tables = self._tx.write()
        old = next(
            (
                r.member
                for r in self._rows()
                if r.member.group_id == group_id
                and r.member.platform is platform
                and r.member.user_id == user_id
            ),
            None,
        )
        if old is not None:
            # A removed member who comes back gets their old row (and id) back.
            tables.members[old.id] = MemberRow(
                replace(old, agency=agency, role=role, away_until=None, away_deputy=None), True
            )
            member_id = old.id
        else:
            member_id = MemberId(tables.new_id("members"))
            tables.members[member_id] = MemberRow(
                Member(member_id, group_id, platform, user_id, display_name, agency, role), True
            )
        return Member(member_id, group_id, platform, user_id, display_name, agency, role)

    async def update(self, member_id: MemberId, *, agency: Agency, role: Role) -> Member:
        tables = self._tx.write()
        row = tables.members[member_id]
        tables.members[member_id] = replace(
            row, member=replace(row.member, agency=agency, role=role)
        )
        return tables.members[member_id].member

    async def set_absence(
        self, member_id: MemberId, *, until: date | None, deputy: MemberId | None
    ) -> Member:
        tables = self._tx.write()
        row = tables.members[member_id]
        member = replace(
            row.member, away_until=until, away_deputy=deputy if until is not None else None
        )
        tables.members[member_id] = replace(row, member=member)
        return member

    async def remove(self, member_id: MemberId) -> None:
        tables = self._tx.write()
        if member_id in tables.members:
            # Kept as inactive: the case history still names who did what.
            tables.members[member_id] = replace(tables.members[member_id], active=False)


class FakeCaseRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def add(
        self,
        *,
        group_id: GroupId,
        ref: str,
        urgency: Urgency,
        summary: str,
        tags: tuple[Tag, ...],
        flagged_by: MemberId,
        flagging_agency: Agency,
        at: datetime,
        acknowledged: Acknowledgement | None = None,
    ) -> Case:
        unique(await self.get_by_ref(group_id, ref) is not None)
        tables = self._tx.write()
        case = Case(
            id=CaseId(tables.new_id("cases")),
            group_id=group_id,
            ref=ref,
            urgency=urgency,
            summary=summary,
            tags=tags,
            status=CaseStatus.OPEN,
            flagged_by=flagged_by,
            flagging_agency=flagging_agency,
            responsible=None,
            proposed=None,
            proposed_by=None,
            proposed_member=None,
            resolution=None,
            created_at=at,
            updated_at=at,
            closed_at=None,
            version=1,
        )
        tables.cases[case.id] = case
        if acknowledged is not None:
            await self.add_acknowledgement(
                case.id,
                agency=acknowledged.agency,
                member_id=acknowledged.member_id,
                at=acknowledged.at,
            )
        return case

    async def get_by_ref(self, group_id: GroupId, ref: str) -> Case | None:
        return next(
            (c for c in self._tx.tables.cases.values() if c.group_id == group_id and c.ref == ref),
            None,
        )

    async def get(self, case_id: CaseId) -> Case | None:
        return self._tx.tables.cases.get(case_id)

    async def save(self, case: Case, *, expected_version: int) -> Case:
        stored = self._tx.tables.cases.get(case.id)
        if stored is None or stored.version != expected_version:
            raise ConcurrentUpdateError()
        tables = self._tx.write()
        # The same columns as the SQL update: the rest of a case never changes after flagging.
        tables.cases[case.id] = replace(
            stored,
            status=case.status,
            responsible=case.responsible,
            proposed=case.proposed,
            proposed_by=case.proposed_by,
            proposed_member=case.proposed_member,
            resolution=case.resolution,
            updated_at=case.updated_at,
            closed_at=case.closed_at,
            version=expected_version + 1,
        )
        return replace(case, version=expected_version + 1)

    async def details(self, case: Case) -> CaseDetails:
        return CaseDetails(
            case,
            tuple(await self.acknowledgements(case.id)),
            tuple(await self.history(case.id)),
            tuple(await self.decisions(case.id)),
            tuple(await self.notes(case.id)),
        )

    async def acknowledgements(self, case_id: CaseId) -> Sequence[Acknowledgement]:
        found = [v for (cid, _), v in self._tx.tables.acknowledgements.items() if cid == case_id]
        return [ack for _, ack in sorted(found, key=lambda v: v[0])]

    async def add_acknowledgement(
        self, case_id: CaseId, *, agency: Agency, member_id: MemberId | None, at: datetime
    ) -> None:
        unique((case_id, agency.value) in self._tx.tables.acknowledgements)
        tables = self._tx.write()
        tables.acknowledgements[(case_id, agency.value)] = (
            tables.new_id("acknowledgements"),
            Acknowledgement(agency, member_id, at),
        )

    async def history(self, case_id: CaseId) -> Sequence[ResponsibilityChange]:
        return [c for _, (cid, c) in sorted(self._tx.tables.history.items()) if cid == case_id]

    async def add_history(self, case_id: CaseId, change: ResponsibilityChange) -> None:
        tables = self._tx.write()
        tables.history[tables.new_id("history")] = (case_id, change)

    async def decisions(self, case_id: CaseId) -> Sequence[Decision]:
        return [d for (cid, _), d in sorted(self._tx.tables.decisions.items()) if cid == case_id]

    async def add_decision(
        self,
        case_id: CaseId,
        *,
        text: str,
        owner: Agency,
        due: date | None,
        fallback: str | None,
        fallback_owner: Agency | None,
        by_member: MemberId,
        at: datetime,
    ) -> Decision:
        tables = self._tx.write()
        number = 1 + max((n for cid, n in tables.decisions if cid == case_id), default=0)
        decision = Decision(number, text, owner, due, fallback, fallback_owner, None, at, by_member)
        tables.decisions[(case_id, number)] = decision
        return decision

    async def mark_decision_done(self, case_id: CaseId, number: int, *, at: datetime) -> None:
        tables = self._tx.write()
        decision = tables.decisions.get((case_id, number))
        if decision is not None:
            tables.decisions[(case_id, number)] = replace(decision, done_at=at)

    async def notes(self, case_id: CaseId) -> Sequence[Note]:
        return [n for (cid, _), n in sorted(self._tx.tables.notes.items()) if cid == case_id]

    async def add_note(
        self, case_id: CaseId, *, text: str, by_member: MemberId, at: datetime
    ) -> Note:
        tables = self._tx.write()
        number = 1 + max((n for cid, n in tables.notes if cid == case_id), default=0)
        note = Note(number, text, by_member, at)
        tables.notes[(case_id, number)] = note
        return note

    async def list(
        self,
        group_id: GroupId,
        *,
        status: CaseStatus | None,
        responsible: Agency | None,
        limit: int,
        offset: int = 0,
        count_up_to: int | None = None,
        with_acknowledgements: bool = False,
    ) -> tuple[Sequence[CaseSummaryRow], int]:
        acknowledged: dict[CaseId, set[Agency]] = {}
        if with_acknowledgements:
            for (case_id, agency), _ack in self._tx.tables.acknowledgements.items():
                acknowledged.setdefault(case_id, set()).add(Agency(agency))
        matching = sorted(
            (
                c
                for c in self._tx.tables.cases.values()
                if c.group_id == group_id
                and (status is None or c.status is status)
                and (responsible is None or c.responsible is responsible)
            ),
            key=lambda c: (c.urgency.rank, c.created_at, c.id),
        )
        rows = [
            CaseSummaryRow(
                ref=c.ref,
                urgency=c.urgency,
                status=c.status,
                responsible=c.responsible,
                summary=c.summary,
                created_at=c.created_at,
                acknowledged=frozenset(acknowledged.get(c.id, ())),
            )
            for c in matching[offset : offset + limit]
        ]
        total = len(matching)
        return rows, total if count_up_to is None else min(total, count_up_to + 1)
