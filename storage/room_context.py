"""The statement every command starts with: the room's binding, its group, the group's
active members and rooms, and on the room's own row what the commonest commands ask next."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    CompoundSelect,
    Integer,
    String,
    Table,
    bindparam,
    case,
    literal,
    null,
    select,
    union_all,
)

from storage.models import CaseSequenceRow, GroupRow, MemberRow, RoomBindingRow
from storage.models_minutes import HeldMeetingRow

GROUPS = cast(Table, GroupRow.__table__)
BINDINGS = cast(Table, RoomBindingRow.__table__)
MEMBERS = cast(Table, MemberRow.__table__)
SEQUENCES = cast(Table, CaseSequenceRow.__table__)
HELD = cast(Table, HeldMeetingRow.__table__)


def _room_context_query() -> CompoundSelect[Any]:
    """Built once: every command starts with it, and building a statement costs more than
    running it on SQLite. The room's binding and group on every row, then one row per
    active member of the group (kind "m"; most commands need the member list, the sender is
    picked from it) and one per room bound to the group (kind "b"; where alerts go), so a
    command reads its group in one round trip."""
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
    # row of this room's own binding, not on every member's row.
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
    members = (
        select(
            *room,
            literal("m", String).label("x_kind"),
            member.c.id.label("x_id"),
            member.c.platform.label("x_platform"),
            member.c.user_id.label("x_key"),
            member.c.display_name.label("x_name"),
            member.c.agency.label("x_agency"),
            member.c.role.label("x_role"),
            member.c.away_until.label("x_away_until"),
            member.c.away_deputy.label("x_away_deputy"),
            null().cast(Integer).label("running_meeting"),
            null().cast(Integer).label("case_year"),
            null().cast(Integer).label("case_last"),
        )
        .join(GROUPS, GROUPS.c.id == here.c.group_id)
        .outerjoin(member, (member.c.group_id == here.c.group_id) & member.c.active.is_(True))
        .where(*in_room)
    )
    rooms = (
        select(
            *room,
            literal("b", String),
            other.c.id,
            other.c.platform,
            other.c.room_id,
            other.c.detail,
            other.c.purpose,
            null(),
            null(),
            null(),
            case((other.c.id == here.c.id, running_meeting), else_=null()),
            case((other.c.id == here.c.id, case_year), else_=null()),
            case((other.c.id == here.c.id, case_last), else_=null()),
        )
        .join(GROUPS, GROUPS.c.id == here.c.group_id)
        .join(other, other.c.group_id == here.c.group_id)
        .where(*in_room)
    )
    return union_all(members, rooms)


ROOM_CONTEXT = _room_context_query()
