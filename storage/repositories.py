"""SQLAlchemy implementations of the core's repository ports, on one AsyncConnection that the
unit of work owns. Core SQL statements, not the ORM session: every command is a handful of
statements and this keeps them cheap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Select, Table, and_, bindparam, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import (
    Acknowledgement,
    Agency,
    Case,
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
from storage.codec import TextCodec, case_aad, numbered_aad
from storage.models import (
    AcknowledgementRow,
    CaseRow,
    CaseSequenceRow,
    DecisionRow,
    GroupRow,
    MemberRow,
    NoteRow,
    ResponsibilityRow,
    RoomBindingRow,
)

GROUPS = cast(Table, GroupRow.__table__)
BINDINGS = cast(Table, RoomBindingRow.__table__)
MEMBERS = cast(Table, MemberRow.__table__)
SEQUENCES = cast(Table, CaseSequenceRow.__table__)
CASES = cast(Table, CaseRow.__table__)
ACKS = cast(Table, AcknowledgementRow.__table__)
HISTORY = cast(Table, ResponsibilityRow.__table__)
DECISIONS = cast(Table, DecisionRow.__table__)
NOTES = cast(Table, NoteRow.__table__)


def _room_context_query() -> Select[Any]:
    """Built once: every command starts with it, and building a statement costs more than
    running it on SQLite. One row per active member of the room's group (the group's
    member list is needed by most commands; the sender is picked from it)."""
    member = MEMBERS.alias("m")
    return (
        select(
            BINDINGS,
            GROUPS.c.name,
            GROUPS.c.kind,
            GROUPS.c.prefix,
            GROUPS.c.timezone,
            *(column.label(f"m_{column.name}") for column in member.c),
        )
        .join(GROUPS, GROUPS.c.id == BINDINGS.c.group_id)
        .outerjoin(
            member,
            (member.c.group_id == BINDINGS.c.group_id) & member.c.active.is_(True),
        )
        .where(
            BINDINGS.c.platform == bindparam("platform"),
            BINDINGS.c.room_id == bindparam("room_id"),
        )
        .order_by(member.c.id)
    )


class MemberCache:
    """A group's members, read once per unit of work and forgotten on any change."""

    def __init__(self) -> None:
        self.by_group: dict[GroupId, list[Member]] = {}


def _member_from(row: Row[Any], prefix: str = "") -> Member:
    return Member(
        id=MemberId(getattr(row, f"{prefix}id")),
        group_id=GroupId(getattr(row, f"{prefix}group_id")),
        platform=Platform(getattr(row, f"{prefix}platform")),
        user_id=getattr(row, f"{prefix}user_id"),
        display_name=getattr(row, f"{prefix}display_name"),
        agency=Agency(getattr(row, f"{prefix}agency")),
        role=Role(getattr(row, f"{prefix}role")),
    )


_ROOM_CONTEXT = _room_context_query()


def _agency(value: str | None) -> Agency | None:
    return Agency(value) if value is not None else None


def _member_id(value: int | None) -> MemberId | None:
    return MemberId(value) if value is not None else None


class SqlAlchemyGroupRepository:
    def __init__(self, conn: AsyncConnection, members: MemberCache | None = None) -> None:
        self._conn = conn
        self._members = members or MemberCache()

    @staticmethod
    def _group(row: Row[Any]) -> Group:
        return Group(GroupId(row.id), row.name, GroupKind(row.kind), row.prefix, row.timezone)

    @staticmethod
    def _binding(row: Row[Any]) -> RoomBinding:
        return RoomBinding(
            id=row.id,
            group_id=GroupId(row.group_id),
            platform=Platform(row.platform),
            room_id=row.room_id,
            detail=DetailLevel(row.detail),
            purpose=RoomPurpose(row.purpose),
        )

    async def get(self, group_id: GroupId) -> Group | None:
        row = (await self._conn.execute(select(GROUPS).where(GROUPS.c.id == group_id))).first()
        return self._group(row) if row else None

    async def get_by_name(self, name: str) -> Group | None:
        row = (await self._conn.execute(select(GROUPS).where(GROUPS.c.name == name))).first()
        return self._group(row) if row else None

    async def all(self) -> Sequence[Group]:
        rows = await self._conn.execute(select(GROUPS).order_by(GROUPS.c.id))
        return [self._group(r) for r in rows]

    async def add(self, *, name: str, kind: GroupKind, prefix: str, timezone: str) -> Group:
        result = await self._conn.execute(
            insert(GROUPS)
            .values(
                name=name,
                kind=kind.value,
                prefix=prefix,
                timezone=timezone,
                created_at=datetime.now(UTC),
            )
            .returning(GROUPS.c.id)
        )
        return Group(GroupId(result.scalar_one()), name, kind, prefix, timezone)

    async def binding_for_room(self, platform: Platform, room_id: str) -> RoomBinding | None:
        row = (
            await self._conn.execute(
                select(BINDINGS).where(
                    BINDINGS.c.platform == platform.value, BINDINGS.c.room_id == room_id
                )
            )
        ).first()
        return self._binding(row) if row else None

    async def room_context(
        self, platform: Platform, room_id: str, user_id: str
    ) -> tuple[RoomBinding, Group, Member | None] | None:
        query = _ROOM_CONTEXT
        params = {"platform": platform.value, "room_id": room_id}
        rows = (await self._conn.execute(query, params)).all()
        if not rows:
            return None
        first = rows[0]
        binding = self._binding(first)
        group = Group(
            binding.group_id, first.name, GroupKind(first.kind), first.prefix, first.timezone
        )
        members = [_member_from(row, "m_") for row in rows if row.m_id is not None]
        self._members.by_group[group.id] = members
        member = next((m for m in members if m.platform is platform and m.user_id == user_id), None)
        return binding, group, member

    async def bindings(self, group_id: GroupId) -> Sequence[RoomBinding]:
        rows = await self._conn.execute(
            select(BINDINGS).where(BINDINGS.c.group_id == group_id).order_by(BINDINGS.c.id)
        )
        return [self._binding(r) for r in rows]

    async def bind(
        self,
        *,
        group_id: GroupId,
        platform: Platform,
        room_id: str,
        detail: DetailLevel,
        purpose: RoomPurpose,
    ) -> RoomBinding:
        result = await self._conn.execute(
            insert(BINDINGS)
            .values(
                group_id=group_id,
                platform=platform.value,
                room_id=room_id,
                detail=detail.value,
                purpose=purpose.value,
            )
            .returning(BINDINGS.c.id)
        )
        return RoomBinding(result.scalar_one(), group_id, platform, room_id, detail, purpose)

    async def next_case_number(self, group_id: GroupId, year: int) -> int:
        result = await self._conn.execute(
            update(SEQUENCES)
            .where(SEQUENCES.c.group_id == group_id, SEQUENCES.c.year == year)
            .values(last=SEQUENCES.c.last + 1)
            .returning(SEQUENCES.c.last)
        )
        number = result.scalar_one_or_none()
        if number is not None:
            return int(number)
        # First case of the year; a concurrent first insert loses on the primary key and the
        # unit of work retries the command.
        await self._conn.execute(insert(SEQUENCES).values(group_id=group_id, year=year, last=1))
        return 1


class SqlAlchemyMemberRepository:
    def __init__(self, conn: AsyncConnection, cache: MemberCache | None = None) -> None:
        self._conn = conn
        self._cache = cache or MemberCache()

    @staticmethod
    def _member(row: Row[Any]) -> Member:
        return _member_from(row)

    async def find(self, group_id: GroupId, platform: Platform, user_id: str) -> Member | None:
        row = (
            await self._conn.execute(
                select(MEMBERS).where(
                    MEMBERS.c.group_id == group_id,
                    MEMBERS.c.platform == platform.value,
                    MEMBERS.c.user_id == user_id,
                    MEMBERS.c.active.is_(True),
                )
            )
        ).first()
        return self._member(row) if row else None

    async def get(self, member_id: MemberId) -> Member | None:
        row = (await self._conn.execute(select(MEMBERS).where(MEMBERS.c.id == member_id))).first()
        return self._member(row) if row else None

    async def list(self, group_id: GroupId) -> Sequence[Member]:
        cached = self._cache.by_group.get(group_id)
        if cached is not None:
            return list(cached)
        rows = await self._conn.execute(
            select(MEMBERS)
            .where(MEMBERS.c.group_id == group_id, MEMBERS.c.active.is_(True))
            .order_by(MEMBERS.c.id)
        )
        members = [self._member(r) for r in rows]
        self._cache.by_group[group_id] = members
        return list(members)

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
        self._cache.by_group.pop(group_id, None)
        # A removed member who comes back gets their old row (and id) back.
        old = (
            await self._conn.execute(
                select(MEMBERS.c.id).where(
                    MEMBERS.c.group_id == group_id,
                    MEMBERS.c.platform == platform.value,
                    MEMBERS.c.user_id == user_id,
                )
            )
        ).scalar_one_or_none()
        if old is not None:
            await self._conn.execute(
                update(MEMBERS)
                .where(MEMBERS.c.id == old)
                .values(active=True, agency=agency.value, role=role.value)
            )
            member_id = MemberId(old)
        else:
            result = await self._conn.execute(
                insert(MEMBERS)
                .values(
                    group_id=group_id,
                    platform=platform.value,
                    user_id=user_id,
                    display_name=display_name,
                    agency=agency.value,
                    role=role.value,
                    active=True,
                )
                .returning(MEMBERS.c.id)
            )
            member_id = MemberId(result.scalar_one())
        return Member(member_id, group_id, platform, user_id, display_name, agency, role)

    async def update(self, member_id: MemberId, *, agency: Agency, role: Role) -> Member:
        self._cache.by_group.clear()
        await self._conn.execute(
            update(MEMBERS)
            .where(MEMBERS.c.id == member_id)
            .values(agency=agency.value, role=role.value)
        )
        member = await self.get(member_id)
        assert member is not None
        return member

    async def remove(self, member_id: MemberId) -> None:
        self._cache.by_group.clear()
        # Kept as inactive: the case history still names who did what.
        await self._conn.execute(
            update(MEMBERS).where(MEMBERS.c.id == member_id).values(active=False)
        )


class SqlAlchemyCaseRepository:
    def __init__(self, conn: AsyncConnection, codec: TextCodec) -> None:
        self._conn = conn
        self._codec = codec

    def _case(self, row: Row[Any]) -> Case:
        resolution = (
            self._codec.unseal(row.resolution, aad=case_aad(row.group_id, row.ref, "resolution"))
            if row.resolution is not None
            else None
        )
        return Case(
            id=CaseId(row.id),
            group_id=GroupId(row.group_id),
            ref=row.ref,
            urgency=Urgency(row.urgency),
            summary=self._codec.unseal(row.summary, aad=case_aad(row.group_id, row.ref, "summary")),
            tags=tuple(Tag(t) for t in row.tags.split()) if row.tags else (),
            status=CaseStatus(row.status),
            flagged_by=_member_id(row.flagged_by),
            flagging_agency=Agency(row.flagging_agency),
            responsible=_agency(row.responsible),
            proposed=_agency(row.proposed),
            proposed_by=_member_id(row.proposed_by),
            proposed_member=_member_id(row.proposed_member),
            resolution=resolution,
            created_at=row.created_at,
            updated_at=row.updated_at,
            closed_at=row.closed_at,
            version=row.version,
        )

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
    ) -> Case:
        values: dict[str, Any] = {
            "group_id": group_id,
            "ref": ref,
            "urgency": urgency.value,
            "urgency_rank": urgency.rank,
            "summary": self._codec.seal(summary, aad=case_aad(group_id, ref, "summary")),
            "tags": " ".join(t.value for t in tags),
            "status": CaseStatus.OPEN.value,
            "flagged_by": flagged_by,
            "flagging_agency": flagging_agency.value,
            "created_at": at,
            "updated_at": at,
            "version": 1,
        }
        result = await self._conn.execute(insert(CASES).values(**values).returning(CASES.c.id))
        return Case(
            id=CaseId(result.scalar_one()),
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

    async def get_by_ref(self, group_id: GroupId, ref: str) -> Case | None:
        row = (
            await self._conn.execute(
                select(CASES).where(CASES.c.group_id == group_id, CASES.c.ref == ref)
            )
        ).first()
        return self._case(row) if row else None

    async def get(self, case_id: CaseId) -> Case | None:
        row = (await self._conn.execute(select(CASES).where(CASES.c.id == case_id))).first()
        return self._case(row) if row else None

    async def save(self, case: Case, *, expected_version: int) -> Case:
        resolution = (
            self._codec.seal(case.resolution, aad=case_aad(case.group_id, case.ref, "resolution"))
            if case.resolution is not None
            else None
        )
        result = await self._conn.execute(
            update(CASES)
            .where(CASES.c.id == case.id, CASES.c.version == expected_version)
            .values(
                status=case.status.value,
                responsible=case.responsible.value if case.responsible else None,
                proposed=case.proposed.value if case.proposed else None,
                proposed_by=case.proposed_by,
                proposed_member=case.proposed_member,
                resolution=resolution,
                updated_at=case.updated_at,
                closed_at=case.closed_at,
                version=expected_version + 1,
            )
        )
        if result.rowcount != 1:
            raise ConcurrentUpdateError()
        return replace(case, version=expected_version + 1)

    async def acknowledgements(self, case_id: CaseId) -> Sequence[Acknowledgement]:
        rows = await self._conn.execute(
            select(ACKS).where(ACKS.c.case_id == case_id).order_by(ACKS.c.id)
        )
        return [Acknowledgement(Agency(r.agency), _member_id(r.member_id), r.at) for r in rows]

    async def add_acknowledgement(
        self, case_id: CaseId, *, agency: Agency, member_id: MemberId | None, at: datetime
    ) -> None:
        await self._conn.execute(
            insert(ACKS).values(case_id=case_id, agency=agency.value, member_id=member_id, at=at)
        )

    async def history(self, case_id: CaseId) -> Sequence[ResponsibilityChange]:
        rows = await self._conn.execute(
            select(HISTORY).where(HISTORY.c.case_id == case_id).order_by(HISTORY.c.id)
        )
        return [
            ResponsibilityChange(
                _agency(r.agency), _agency(r.previous), _member_id(r.by_member), r.how, r.at
            )
            for r in rows
        ]

    async def add_history(self, case_id: CaseId, change: ResponsibilityChange) -> None:
        await self._conn.execute(
            insert(HISTORY).values(
                case_id=case_id,
                agency=change.agency.value if change.agency else None,
                previous=change.previous.value if change.previous else None,
                by_member=change.by_member,
                how=change.how,
                at=change.at,
            )
        )

    async def _next_number(self, table: Any, case_id: CaseId) -> int:
        current = (
            await self._conn.execute(
                select(func.max(table.c.number)).where(table.c.case_id == case_id)
            )
        ).scalar_one_or_none()
        return int(current or 0) + 1

    async def decisions(self, case_id: CaseId) -> Sequence[Decision]:
        rows = await self._conn.execute(
            select(DECISIONS).where(DECISIONS.c.case_id == case_id).order_by(DECISIONS.c.number)
        )
        return [self._decision(r) for r in rows]

    def _decision(self, r: Row[Any]) -> Decision:
        aad = numbered_aad("decisions", r.case_id, r.number, "{}")
        return Decision(
            number=r.number,
            text=self._codec.unseal(r.text, aad=aad.format("text")),
            owner=Agency(r.owner),
            due=r.due,
            fallback=(
                self._codec.unseal(r.fallback, aad=aad.format("fallback"))
                if r.fallback is not None
                else None
            ),
            fallback_owner=_agency(r.fallback_owner),
            done_at=r.done_at,
            created_at=r.created_at,
            by_member=_member_id(r.by_member),
        )

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
        number = await self._next_number(DECISIONS, case_id)
        aad = numbered_aad("decisions", case_id, number, "{}")
        await self._conn.execute(
            insert(DECISIONS).values(
                case_id=case_id,
                number=number,
                text=self._codec.seal(text, aad=aad.format("text")),
                owner=owner.value,
                due=due,
                fallback=(
                    self._codec.seal(fallback, aad=aad.format("fallback"))
                    if fallback is not None
                    else None
                ),
                fallback_owner=fallback_owner.value if fallback_owner else None,
                by_member=by_member,
                created_at=at,
            )
        )
        return Decision(number, text, owner, due, fallback, fallback_owner, None, at, by_member)

    async def mark_decision_done(self, case_id: CaseId, number: int, *, at: datetime) -> None:
        await self._conn.execute(
            update(DECISIONS)
            .where(and_(DECISIONS.c.case_id == case_id, DECISIONS.c.number == number))
            .values(done_at=at)
        )

    async def notes(self, case_id: CaseId) -> Sequence[Note]:
        rows = await self._conn.execute(
            select(NOTES).where(NOTES.c.case_id == case_id).order_by(NOTES.c.number)
        )
        return [
            Note(
                r.number,
                self._codec.unseal(r.text, aad=numbered_aad("notes", case_id, r.number, "text")),
                _member_id(r.by_member),
                r.at,
            )
            for r in rows
        ]

    async def add_note(
        self, case_id: CaseId, *, text: str, by_member: MemberId, at: datetime
    ) -> Note:
        number = await self._next_number(NOTES, case_id)
        await self._conn.execute(
            insert(NOTES).values(
                case_id=case_id,
                number=number,
                text=self._codec.seal(text, aad=numbered_aad("notes", case_id, number, "text")),
                by_member=by_member,
                at=at,
            )
        )
        return Note(number, text, by_member, at)

    async def list(
        self,
        group_id: GroupId,
        *,
        status: CaseStatus | None,
        responsible: Agency | None,
        limit: int,
    ) -> tuple[Sequence[CaseSummaryRow], int]:
        conditions = [CASES.c.group_id == group_id]
        if status is not None:
            conditions.append(CASES.c.status == status.value)
        if responsible is not None:
            conditions.append(CASES.c.responsible == responsible.value)
        rows = await self._conn.execute(
            select(
                CASES.c.group_id,
                CASES.c.ref,
                CASES.c.urgency,
                CASES.c.status,
                CASES.c.responsible,
                CASES.c.summary,
                CASES.c.created_at,
            )
            .where(*conditions)
            .order_by(CASES.c.urgency_rank, CASES.c.created_at, CASES.c.id)
            .limit(limit)
        )
        result = [
            CaseSummaryRow(
                ref=r.ref,
                urgency=Urgency(r.urgency),
                status=CaseStatus(r.status),
                responsible=_agency(r.responsible),
                summary=self._codec.unseal(r.summary, aad=case_aad(r.group_id, r.ref, "summary")),
                created_at=r.created_at,
            )
            for r in rows
        ]
        if len(result) < limit:
            return result, len(result)
        total = (
            await self._conn.execute(select(func.count()).select_from(CASES).where(*conditions))
        ).scalar_one()
        return result, int(total)
