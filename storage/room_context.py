"""The statement every command starts with: the room's binding and its group, with what the
commonest commands ask next, and the group's active members and rooms unless the caller holds
them as they are (the group's roster version says so)."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import (
    Integer,
    String,
    Table,
    bindparam,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select

from bot.domain import (
    BindingId,
    DetailLevel,
    Group,
    GroupId,
    GroupKind,
    Member,
    Platform,
    RoomBinding,
    RoomPurpose,
)
from storage.case_read import CASE_READ_COLUMNS, CASE_WITH_ACKNOWLEDGEMENTS, CASES
from storage.direct_rows import row_class
from storage.member_rows import member_of
from storage.models import CaseSequenceRow, GroupRow, MemberRow, RoomBindingRow
from storage.models_minutes import HeldMeetingRow

GROUPS = cast(Table, GroupRow.__table__)
BINDINGS = cast(Table, RoomBindingRow.__table__)
MEMBERS = cast(Table, MemberRow.__table__)
SEQUENCES = cast(Table, CaseSequenceRow.__table__)
HELD = cast(Table, HeldMeetingRow.__table__)


def _room_context_branches() -> tuple[Select[Any], Select[Any], Select[Any], Any]:
    """Built once: every command starts with it, and building a statement costs more than
    running it on SQLite. The room's binding and group on every row; first the room's own
    row (kind "h"), then one row per active member of the group (kind "m"; most commands
    need the member list, the sender is picked from it) and one per room bound to the group
    (kind "b"; where alerts go), so a command reads its group in one round trip.

    The member and room rows come only if the caller's copy of them is not current: it
    passes the group it holds them for (`known_group`, 0 for none) and their roster version
    (`known_version`). The version changes with every change of the group's members or
    rooms, to a value never used before (migration 0014), so an equal version means equal
    rows. The rows are the same for every command of a group, and reading them was a fifth
    of what SQLite did for a command."""
    here = BINDINGS.alias("here")
    member = MEMBERS.alias("m")
    other = BINDINGS.alias("other")
    room = (
        here.c.id,
        here.c.group_id,
        here.c.platform,
        here.c.room_id,
        here.c.detail,
        here.c.purpose,
        GROUPS.c.name,
        GROUPS.c.kind,
        GROUPS.c.prefix,
        GROUPS.c.timezone,
    )
    # Whether the group is in a meeting: the commands that record on a case link what they
    # record to a running meeting, and most of the time none runs. Looked up once, on the
    # room's own row.
    running_meeting = (
        select(HELD.c.id)
        .where(HELD.c.group_id == here.c.group_id, HELD.c.ended_at.is_(None))
        .limit(1)
        .scalar_subquery()
    )
    # The group's case counter for its latest year: a flag numbers its case from it and
    # checks, as it stores the case, that no one numbered one in between (storage/cases.py).
    latest = (
        select(SEQUENCES.c.year, SEQUENCES.c.last)
        .where(SEQUENCES.c.group_id == here.c.group_id)
        .order_by(SEQUENCES.c.year.desc())
        .limit(1)
    )
    case_year = latest.with_only_columns(SEQUENCES.c.year).scalar_subquery()
    case_last = latest.with_only_columns(SEQUENCES.c.last).scalar_subquery()
    in_room = (
        here.c.platform == bindparam("platform"),
        here.c.room_id == bindparam("room_id"),
    )
    stale = or_(
        here.c.group_id != bindparam("known_group"),
        GROUPS.c.roster_version != bindparam("known_version"),
    )
    head = (
        select(
            *room,
            GROUPS.c.roster_version,
            literal("h", String).label("x_kind"),
            null().cast(Integer).label("x_id"),
            null().label("x_platform"),
            null().label("x_key"),
            null().label("x_name"),
            null().label("x_agency"),
            null().label("x_role"),
            null().cast(member.c.away_until.type).label("x_away_until"),
            null().cast(Integer).label("x_away_deputy"),
            running_meeting.label("running_meeting"),
            case_year.label("case_year"),
            case_last.label("case_last"),
        )
        .join(GROUPS, GROUPS.c.id == here.c.group_id)
        .where(*in_room)
    )
    members = (
        select(
            *room,
            GROUPS.c.roster_version,
            literal("m", String),
            member.c.id,
            member.c.platform,
            member.c.user_id,
            member.c.display_name,
            member.c.agency,
            member.c.role,
            member.c.away_until,
            member.c.away_deputy,
            null(),
            null(),
            null(),
        )
        .join(GROUPS, GROUPS.c.id == here.c.group_id)
        .join(member, (member.c.group_id == here.c.group_id) & member.c.active.is_(True))
        .where(*in_room, stale)
    )
    rooms = (
        select(
            *room,
            GROUPS.c.roster_version,
            literal("b", String),
            other.c.id,
            other.c.platform,
            other.c.room_id,
            other.c.detail,
            other.c.purpose,
            null(),
            null(),
            null(),
            null(),
            null(),
            null(),
        )
        .join(GROUPS, GROUPS.c.id == here.c.group_id)
        .join(other, other.c.group_id == here.c.group_id)
        .where(*in_room, stale)
    )
    return head, members, rooms, here


def _with_case(head: Select[Any], members: Select[Any], rooms: Select[Any], here: Any) -> Any:
    """The room's context with the case of a ref read along (kind "c", the columns of
    storage/case_read.py after the room's): a command on a case reads both in one round trip.
    The room's rows carry those columns empty, typed on the first row as the case's."""
    width = len(head.selected_columns)
    kind_at = [column.key for column in head.selected_columns].index("x_kind")
    empty_case = [null().cast(column.type) for column in CASE_READ_COLUMNS]
    case = (
        select(
            *([null()] * kind_at),
            literal("c", String),
            *([null()] * (width - kind_at - 1)),
            *CASE_READ_COLUMNS,
        )
        .select_from(here.join(CASE_WITH_ACKNOWLEDGEMENTS, CASES.c.group_id == here.c.group_id))
        .where(
            here.c.platform == bindparam("platform"),
            here.c.room_id == bindparam("room_id"),
            CASES.c.ref == bindparam("ref"),
        )
    )
    return union_all(
        head.add_columns(*(e.label(f"c_{i}") for i, e in enumerate(empty_case))),
        members.add_columns(*([null()] * len(empty_case))),
        rooms.add_columns(*([null()] * len(empty_case))),
        case,
    )


_BRANCHES = _room_context_branches()
ROOM_CONTEXT = union_all(*_BRANCHES[:3])
ROOM_CONTEXT_WITH_CASE = _with_case(*_BRANCHES)
# Where the case's columns begin in ROOM_CONTEXT_WITH_CASE's rows, and their names.
CASE_COLUMNS_AT = len(_BRANCHES[0].selected_columns)
CASE_ROW = row_class([column.key for column in CASE_READ_COLUMNS])


@dataclass(frozen=True, slots=True)
class Roster:
    """A group's active members and its rooms, as of one roster version."""

    version: int
    members: tuple[Member, ...]
    bindings: tuple[RoomBinding, ...]


@dataclass
class Rosters:
    """Per database (engine): the rosters read lately, and the group each room was bound to,
    so that a command can say which roster it holds (ROOM_CONTEXT). Whatever a command is
    told is checked against the database's roster version in the same statement;
    a stale entry costs one full read, never a wrong roster."""

    by_group: dict[GroupId, Roster] = field(default_factory=dict)
    group_of_room: dict[tuple[str, str], GroupId] = field(default_factory=dict)


_ROSTERS: weakref.WeakKeyDictionary[Engine, Rosters] = weakref.WeakKeyDictionary()


def rosters_of(engine: Engine) -> Rosters:
    return _ROSTERS.setdefault(engine, Rosters())


# The room's binding and group by the columns of the room's own row that say what they are
# (its first ten): immutable and made from those values alone, so equal values give equal
# objects whichever database they came from. Building them anew each time was a measurable
# part of a command's CPU. One entry a room: a process serving a country's groups hears a few
# thousand rooms, and an entry is a few hundred bytes.
_HEADS: dict[tuple[Any, ...], tuple[RoomBinding, Group]] = {}
_MAX_HEADS = 8_192
_HEAD_COLUMNS = 10


def binding_of(
    binding_id: int, group_id: int, platform: str, room_id: str, detail: str, purpose: str
) -> RoomBinding:
    """A room binding from its columns' values."""
    return RoomBinding(
        id=BindingId(binding_id),
        group_id=GroupId(group_id),
        platform=Platform(platform),
        room_id=room_id,
        detail=DetailLevel(detail),
        purpose=RoomPurpose(purpose),
    )


def binding_and_group(head: Any) -> tuple[RoomBinding, Group]:
    key = tuple(head[:_HEAD_COLUMNS])
    found = _HEADS.get(key)
    if found is None:
        if len(_HEADS) >= _MAX_HEADS:
            _HEADS.clear()
        binding = binding_of(
            head.id, head.group_id, head.platform, head.room_id, head.detail, head.purpose
        )
        group = Group(binding.group_id, head.name, GroupKind(head.kind), head.prefix, head.timezone)
        found = _HEADS[key] = (binding, group)
    return found


def built_roster(version: int, rows: Sequence[Any]) -> Roster:
    """The roster sent along with the room's own row (kinds "m" and "b")."""
    members: list[Member] = []
    bindings: list[RoomBinding] = []
    for row in sorted(rows, key=lambda r: (r.x_kind, r.x_id or 0)):
        if row.x_kind == "b":
            bindings.append(
                binding_of(
                    row.x_id, row.group_id, row.x_platform, row.x_key, row.x_name, row.x_agency
                )
            )
        elif row.x_kind == "m":
            members.append(
                member_of(
                    row.x_id,
                    row.group_id,
                    row.x_platform,
                    row.x_key,
                    row.x_name,
                    row.x_agency,
                    row.x_role,
                    row.x_away_until,
                    row.x_away_deputy,
                )
            )
    return Roster(version, tuple(members), tuple(bindings))
