"""Writing a member row: shared by group members and case guests (who are rows too)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Agency, GroupId, MemberId, Platform, Role
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
