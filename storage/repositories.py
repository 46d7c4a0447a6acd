"""SQLAlchemy implementations of the core's repository ports, on one AsyncConnection that the
unit of work owns. Core SQL statements, not the ORM session: every command is a handful of
statements and this keeps them cheap."""

from __future__ import annotations

import time
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    Integer,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine, Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import (
    Acknowledgement,
    Agency,
    Case,
    CaseId,
    Decision,
    DetailLevel,
    Group,
    GroupId,
    GroupKind,
    GuestGrant,
    Member,
    MemberId,
    Platform,
    RoomBinding,
    RoomPurpose,
)
from bot.ports import KnownMember
from storage import direct
from storage.member_rows import member_of
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
from storage.models_minutes import HeldMeetingRow
from storage.room_context import (
    CASE_COLUMNS_AT,
    CASE_ROW,
    ROOM_CONTEXT,
    ROOM_CONTEXT_WITH_CASE,
    Roster,
    binding_and_group,
    binding_of,
    built_roster,
    rosters_of,
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
HELD = cast(Table, HeldMeetingRow.__table__)


class UnitCache:
    """What one unit of work has read, kept to the end of its transaction:
    - a group's members and room bindings, read once (with the room's context) and
      forgotten on any change of a member or binding;
    - a case as read or last written by this unit of work (the announcer reads the case a
      use case has just saved);
    - a case's acknowledgements, decisions and guests. A command renders a case's alert after
      recording on it (a flag, an ack), and each rendering read back what the command had
      just written. The cases repository keeps the acknowledgements and decisions it read up
      to date as it adds or changes one; a change of a grant or of a member forgets every
      guest list; a case created in this unit of work has no acknowledgements or guests
      until they are added here.
    Other transactions cannot change what a command saves in between: an ack saves its case
    under the case's version, SQLite serialises writers."""

    def __init__(self) -> None:
        self.by_group: dict[GroupId, list[Member]] = {}
        self.bindings: dict[GroupId, list[RoomBinding]] = {}
        self.cases: dict[CaseId, Case] = {}
        self.acknowledgements: dict[CaseId, list[Acknowledgement]] = {}
        self.decisions: dict[CaseId, list[Decision]] = {}
        self.guests: dict[tuple[CaseId, datetime], list[GuestGrant]] = {}
        self.created: set[CaseId] = set()
        # Cases read with no grant that has not been ended: no guests, whenever asked.
        self.without_grants: set[CaseId] = set()
        # A group's members as recorded, also those who left (read with a case's details).
        self.known_members: dict[GroupId, list[KnownMember]] = {}
        # The number of a case's last note, as read with the case or written since.
        self.last_note: dict[CaseId, int] = {}
        # The number of a case's last decision, likewise.
        self.last_decision: dict[CaseId, int] = {}
        # A case read with the room's context, by the ref the command names: (group, ref,
        # its rows). The command's first read of a case by ref takes it, whichever case that
        # asks for; a command reads its case before it writes anything to it.
        self.case_read_along: tuple[GroupId, str, list[Any]] | None = None
        # Groups the room's context found in no meeting. A meeting started by another
        # transaction after that read is not seen by this command: the same as if it had
        # started a moment after the command.
        self.no_meeting_running: set[GroupId] = set()
        # A group's case counter as the room's context read it: (year, last number), and the
        # groups whose case this unit numbered from it.
        self.case_counter: dict[GroupId, tuple[int, int]] = {}
        self.numbered_optimistically: set[GroupId] = set()
        # Audit rows recorded and not yet appended (PostgreSQL; storage/audit_log.py).
        self.audit: list[dict[str, Any]] = []

    def members_changed(self) -> None:
        self.by_group.clear()
        self.known_members.clear()
        self.forget_guests()

    def forget_guests(self) -> None:
        self.guests.clear()
        self.created.clear()
        self.without_grants.clear()


def member_from(row: Row[Any], prefix: str = "") -> Member:
    return member_of(
        *(
            getattr(row, f"{prefix}{name}")
            for name in (
                "id",
                "group_id",
                "platform",
                "user_id",
                "display_name",
                "agency",
                "role",
                "away_until",
                "away_deputy",
            )
        )
    )


_NEXT_NUMBER = (
    update(SEQUENCES)
    .where(SEQUENCES.c.group_id == bindparam("b_group"), SEQUENCES.c.year == bindparam("b_year"))
    .values(last=SEQUENCES.c.last + 1)
    .returning(SEQUENCES.c.last)
)
_NEXT_NUMBER_CHECKED = (
    update(SEQUENCES)
    .where(SEQUENCES.c.group_id == bindparam("b_group"), SEQUENCES.c.year == bindparam("b_year"))
    .values(last=func.psp_next_version(SEQUENCES.c.last, bindparam("expected", type_=Integer)))
)
_GROUP_BINDINGS = (
    select(BINDINGS).where(BINDINGS.c.group_id == bindparam("group_id")).order_by(BINDINGS.c.id)
)


# Per database (engine): groups whose flag lost its number to another's lately, until when
# (time.monotonic()). Their flags take the counter's row lock at once and wait their turn
# instead of running again.
_CONTENDED: weakref.WeakKeyDictionary[Engine, dict[GroupId, float]] = weakref.WeakKeyDictionary()
CONTENTION_SECONDS = 10.0


def numbering_contended(conn: AsyncConnection, known: UnitCache) -> None:
    """A unit of work ended in a clash: the groups it numbered a case of without the lock
    take it for a while."""
    until = time.monotonic() + CONTENTION_SECONDS
    contended = _CONTENDED.setdefault(conn.engine.sync_engine, {})
    for group_id in known.numbered_optimistically:
        contended[group_id] = until


def _contended(conn: AsyncConnection, group_id: GroupId) -> bool:
    until = _CONTENDED.get(conn.engine.sync_engine, {}).get(group_id, 0.0)
    return until > time.monotonic()


def agency_or_none(value: str | None) -> Agency | None:
    return Agency(value) if value is not None else None


def member_id_or_none(value: int | None) -> MemberId | None:
    return MemberId(value) if value is not None else None


class SqlAlchemyGroupRepository:
    def __init__(self, conn: AsyncConnection, members: UnitCache | None = None) -> None:
        self._conn = conn
        self._members = members or UnitCache()

    @staticmethod
    def _group(row: Row[Any]) -> Group:
        return Group(GroupId(row.id), row.name, GroupKind(row.kind), row.prefix, row.timezone)

    @staticmethod
    def _binding(row: Row[Any]) -> RoomBinding:
        return binding_of(row.id, row.group_id, row.platform, row.room_id, row.detail, row.purpose)

    async def get(self, group_id: GroupId) -> Group | None:
        row = (await self._conn.execute(select(GROUPS).where(GROUPS.c.id == group_id))).first()
        return self._group(row) if row else None

    async def get_by_name(self, name: str) -> Group | None:
        row = (await self._conn.execute(select(GROUPS).where(GROUPS.c.name == name))).first()
        return self._group(row) if row else None

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
        self, platform: Platform, room_id: str, user_id: str, case_ref: str | None = None
    ) -> tuple[RoomBinding, Group, Member | None] | None:
        rosters = rosters_of(self._conn.engine.sync_engine)
        room = (platform.value, room_id)
        held = rosters.by_group.get(rosters.group_of_room.get(room, GroupId(0)))
        rows, case_rows = await self._room_context_rows(room, held, case_ref)
        if not rows:
            return None
        head = next(r for r in rows if r.x_kind == "h")
        binding, group = binding_and_group(head)
        if len(rows) > 1:
            # The group's rooms include this one: more rows mean the roster came along.
            held = rosters.by_group[group.id] = built_roster(head.roster_version, rows)
            rosters.group_of_room[room] = group.id
        # Else the statement found the roster held current, so there is one.
        assert held is not None
        members = list(held.members)
        self._members.by_group[group.id] = members
        self._members.bindings[group.id] = list(held.bindings)
        if head.running_meeting is None:
            self._members.no_meeting_running.add(group.id)
        if head.case_year is not None:
            self._members.case_counter[group.id] = (head.case_year, head.case_last)
        if case_ref is not None:
            # The case's rows as its read by ref gives them (none: no such case here).
            self._members.case_read_along = (group.id, case_ref, case_rows)
        member = next((m for m in members if m.platform is platform and m.user_id == user_id), None)
        return binding, group, member

    async def _room_context_rows(
        self, room: tuple[str, str], held: Roster | None, case_ref: str | None
    ) -> tuple[list[Any], list[Any]]:
        """The room's rows, and the case's (its columns alone, by acknowledgement)."""
        params = {
            "platform": room[0],
            "room_id": room[1],
            "known_group": held.bindings[0].group_id if held else 0,
            "known_version": held.version if held else 0,
        }
        if case_ref is None:
            return list((await direct.execute(self._conn, ROOM_CONTEXT, params)).all()), []
        params["ref"] = case_ref
        found = await direct.execute(self._conn, ROOM_CONTEXT_WITH_CASE, params)
        rows: list[Any] = []
        case_rows: list[Any] = []
        for row in found:
            if row.x_kind == "c":
                case_rows.append(CASE_ROW(row[CASE_COLUMNS_AT:]))
            else:
                rows.append(row)
        case_rows.sort(key=lambda r: (r.ack_id is not None, r.ack_id or 0))
        return rows, case_rows

    async def bindings(self, group_id: GroupId) -> Sequence[RoomBinding]:
        cached = self._members.bindings.get(group_id)
        if cached is not None:
            return list(cached)
        rows = await direct.execute(self._conn, _GROUP_BINDINGS, {"group_id": group_id})
        bindings = [self._binding(r) for r in rows]
        self._members.bindings[group_id] = bindings
        return list(bindings)

    async def bind(
        self,
        *,
        group_id: GroupId,
        platform: Platform,
        room_id: str,
        detail: DetailLevel,
        purpose: RoomPurpose,
    ) -> RoomBinding:
        self._members.bindings.pop(group_id, None)
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
        counter = self._members.case_counter.get(group_id)
        if (
            counter is not None
            and counter[0] == year
            and direct.holds_writes(self._conn)
            and not _contended(self._conn, group_id)
        ):
            # PostgreSQL: the number the room's context read, taken with the case's own
            # statement, which fails (and the command runs again) if another took it first.
            self._members.numbered_optimistically.add(group_id)
            last = counter[1]
            params = {"b_group": group_id, "b_year": year, "expected": last}
            await direct.defer(self._conn, _NEXT_NUMBER_CHECKED, params)
            self._members.case_counter[group_id] = (year, last + 1)
            return last + 1
        result = await direct.execute(
            self._conn, _NEXT_NUMBER, {"b_group": group_id, "b_year": year}
        )
        number = result.scalar_one_or_none()
        if number is not None:
            self._members.case_counter[group_id] = (year, int(number))
            return int(number)
        # First case of the year; a concurrent first insert loses on the primary key and the
        # unit of work retries the command.
        await self._conn.execute(insert(SEQUENCES).values(group_id=group_id, year=year, last=1))
        return 1
