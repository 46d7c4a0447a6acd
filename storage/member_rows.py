"""A member row, written and read: shared by group members and case guests (who are rows
too), and by the statements that read members under their own column names."""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Agency, GroupId, Member, MemberId, Platform, Role
from storage.models import MemberRow

MEMBERS = cast(Table, MemberRow.__table__)


async def insert_member_row(
    conn: AsyncConnection,
    *,
    group_id: GroupId,
    platform: Platform,
    user_id: str,
    display_name: str,
    agency: Agency,
    role: Role,
    active: bool,
) -> MemberId:
    """A new member row (members and case guests alike); its id."""
    result = await conn.execute(
        insert(MEMBERS)
        .values(
            group_id=group_id,
            platform=platform.value,
            user_id=user_id,
            display_name=display_name,
            agency=agency.value,
            role=role.value,
            active=active,
        )
        .returning(MEMBERS.c.id)
    )
    return MemberId(result.scalar_one())


def member_of(
    member_id: int,
    group_id: int,
    platform: str,
    user_id: str,
    display_name: str,
    agency: str,
    role: str,
    away_until: date | None,
    away_deputy: int | None,
) -> Member:
    """A member from its row's values, whatever the statement named its columns."""
    return Member(
        id=MemberId(member_id),
        group_id=GroupId(group_id),
        platform=Platform(platform),
        user_id=user_id,
        display_name=display_name,
        agency=Agency(agency),
        role=Role(role),
        away_until=away_until,
        away_deputy=None if away_deputy is None else MemberId(away_deputy),
    )
