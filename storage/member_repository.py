"""The members of groups (the MemberRepository port): who represents which agency in what
role, and who is away until when. Reads share the unit of work's UnitCache with the room
context query of storage/repositories.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Agency, GroupId, Member, MemberId, Platform, Role
from storage.member_rows import insert_member_row
from storage.repositories import MEMBERS, UnitCache, member_from


class SqlAlchemyMemberRepository:
    def __init__(self, conn: AsyncConnection, cache: UnitCache | None = None) -> None:
        self._conn = conn
        self._cache = cache or UnitCache()

    @staticmethod
    def _member(row: Row[Any]) -> Member:
        return member_from(row)

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

    async def memberships(self, platform: Platform, user_id: str) -> Sequence[Member]:
        rows = await self._conn.execute(
            select(MEMBERS)
            .where(
                MEMBERS.c.platform == platform.value,
                MEMBERS.c.user_id == user_id,
                MEMBERS.c.active.is_(True),
            )
            .order_by(MEMBERS.c.id)
        )
        return [self._member(r) for r in rows]

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
        self._cache.members_changed()
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
                .values(
                    active=True,
                    agency=agency.value,
                    role=role.value,
                    away_until=None,
                    away_deputy=None,
                )
            )
            member_id = MemberId(old)
        else:
            member_id = await insert_member_row(
                self._conn,
                group_id=group_id,
                platform=platform,
                user_id=user_id,
                display_name=display_name,
                agency=agency,
                role=role,
                active=True,
            )
        return Member(member_id, group_id, platform, user_id, display_name, agency, role)

    async def update(self, member_id: MemberId, *, agency: Agency, role: Role) -> Member:
        self._cache.members_changed()
        await self._conn.execute(
            update(MEMBERS)
            .where(MEMBERS.c.id == member_id)
            .values(agency=agency.value, role=role.value)
        )
        member = await self.get(member_id)
        assert member is not None
        return member

    async def set_absence(
        self, member_id: MemberId, *, until: date | None, deputy: MemberId | None
    ) -> Member:
        self._cache.members_changed()
        await self._conn.execute(
            update(MEMBERS)
            .where(MEMBERS.c.id == member_id)
            .values(away_until=until, away_deputy=deputy if until is not None else None)
        )
        member = await self.get(member_id)
        assert member is not None
        return member

    async def remove(self, member_id: MemberId) -> None:
        self._cache.members_changed()
        # Kept as inactive: the case history still names who did what.
        await self._conn.execute(
            update(MEMBERS).where(MEMBERS.c.id == member_id).values(active=False)
        )
