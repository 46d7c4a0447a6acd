"""SQLAlchemy implementation of the need-to-know access port: responsibility sets and the
data protection officer's view of the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Agency, GroupId, Member, Platform
from bot.ports import KnownMember, MemberAction
from storage.models import AuditRow, CaseRow, MemberRow, RoomBindingRow
from storage.models_access import GroupAuthorityRow
from storage.repositories import member_from

AUTHORITIES = cast(Table, GroupAuthorityRow.__table__)
AUDIT = cast(Table, AuditRow.__table__)
CASES = cast(Table, CaseRow.__table__)
MEMBERS = cast(Table, MemberRow.__table__)
BINDINGS = cast(Table, RoomBindingRow.__table__)


class SqlAlchemyAccessRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def authorities(self, group_id: GroupId) -> tuple[Agency, ...] | None:
        rows = await self._conn.execute(
            select(AUTHORITIES.c.agency).where(AUTHORITIES.c.group_id == group_id)
        )
        chosen = {Agency(r.agency) for r in rows}
        return tuple(a for a in Agency if a in chosen) if chosen else None

    async def set_authorities(self, group_id: GroupId, agencies: Sequence[Agency] | None) -> None:
        await self._conn.execute(delete(AUTHORITIES).where(AUTHORITIES.c.group_id == group_id))
        if agencies:
            await self._conn.execute(
                insert(AUTHORITIES),
                [{"group_id": group_id, "agency": a.value} for a in dict.fromkeys(agencies)],
            )

    async def known_members(self, group_id: GroupId) -> Sequence[KnownMember]:
        rows = await self._conn.execute(
            select(MEMBERS).where(MEMBERS.c.group_id == group_id).order_by(MEMBERS.c.id)
        )
        return [KnownMember(member_from(r), bool(r.active)) for r in rows]

    async def actions_of(
        self, group_id: GroupId, member: Member, *, since: datetime | None, limit: int
    ) -> tuple[Sequence[MemberAction], int]:
        where = [AUDIT.c.group_id == group_id, AUDIT.c.actor_member_id == member.id]
        if since is not None:
            where.append(AUDIT.c.at >= since)
        total = (
            await self._conn.execute(select(func.count()).select_from(AUDIT).where(*where))
        ).scalar_one()
        rows = await self._conn.execute(
            select(AUDIT.c.at, AUDIT.c.action, CASES.c.ref, BINDINGS.c.platform, BINDINGS.c.room_id)
            .select_from(
                AUDIT.outerjoin(CASES, CASES.c.id == AUDIT.c.case_id).outerjoin(
                    BINDINGS, BINDINGS.c.id == AUDIT.c.binding_id
                )
            )
            .where(*where)
            .order_by(AUDIT.c.id.desc())
            .limit(limit)
        )
        actions = [
            MemberAction(
                at=r.at,
                action=r.action,
                case_ref=r.ref,
                platform=Platform(r.platform) if r.platform else None,
                room_id=r.room_id,
            )
            for r in rows
        ]
        return actions[::-1], int(total)
