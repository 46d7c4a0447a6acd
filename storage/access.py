"""SQLAlchemy implementation of the need-to-know access port: responsibility sets and the
data protection officer's view of the audit log."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Agency, CaseId, GroupId, GuestGrant, Member, MemberId, Platform, Role
from bot.ports import KnownMember, MemberAction
from storage import direct
from storage.audit_log import flush_pending
from storage.member_rows import insert_member_row
from storage.models import AuditRow, CaseRow, MemberRow, RoomBindingRow
from storage.models_access import CaseGuestRow, GroupAuthorityRow
from storage.repositories import UnitCache, member_from

AUTHORITIES = cast(Table, GroupAuthorityRow.__table__)
AUDIT = cast(Table, AuditRow.__table__)
CASES = cast(Table, CaseRow.__table__)
MEMBERS = cast(Table, MemberRow.__table__)
BINDINGS = cast(Table, RoomBindingRow.__table__)
GUESTS = cast(Table, CaseGuestRow.__table__)

# Built once: every alert and rewrite of a case asks for its guests, and every command from
# someone who is no member asks whether they are a guest.
_LIVE_GRANT = (GUESTS.c.ended_at.is_(None), GUESTS.c.expires_at > bindparam("at"))
_CASE_GUESTS = (
    select(GUESTS, *(c.label(f"m_{c.name}") for c in MEMBERS.c))
    .join(MEMBERS, MEMBERS.c.id == GUESTS.c.member_id)
    .where(GUESTS.c.case_id == bindparam("case_id"), *_LIVE_GRANT)
    .order_by(GUESTS.c.id)
)
_GROUP_MEMBERS = (
    select(MEMBERS).where(MEMBERS.c.group_id == bindparam("group_id")).order_by(MEMBERS.c.id)
)
_GUEST_CASES = (
    select(GUESTS.c.case_id, *(c.label(f"m_{c.name}") for c in MEMBERS.c))
    .join(MEMBERS, MEMBERS.c.id == GUESTS.c.member_id)
    .where(
        MEMBERS.c.group_id == bindparam("group_id"),
        MEMBERS.c.platform == bindparam("platform"),
        MEMBERS.c.user_id == bindparam("user_id"),
        MEMBERS.c.role == Role.GUEST.value,
        *_LIVE_GRANT,
    )
)


class SqlAlchemyAccessRepository:
    def __init__(self, conn: AsyncConnection, known: UnitCache | None = None) -> None:
        self._conn = conn
        self._known = known or UnitCache()

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
        known = self._known.known_members.get(group_id)
        if known is None:
            rows = await direct.execute(self._conn, _GROUP_MEMBERS, {"group_id": group_id})
            known = [KnownMember(member_from(r), bool(r.active)) for r in rows]
            self._known.known_members[group_id] = known
        return list(known)

    async def actions_of(
        self, group_id: GroupId, member: Member, *, since: datetime | None, limit: int
    ) -> tuple[Sequence[MemberAction], int]:
        await flush_pending(self._conn, self._known.audit)
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

    # --- case-scoped guests ------------------------------------------------------------

    async def known_member(
        self, group_id: GroupId, platform: Platform, user_id: str
    ) -> KnownMember | None:
        row = (
            await self._conn.execute(
                select(MEMBERS).where(
                    MEMBERS.c.group_id == group_id,
                    MEMBERS.c.platform == platform.value,
                    MEMBERS.c.user_id == user_id,
                )
            )
        ).first()
        return KnownMember(member_from(row), bool(row.active)) if row else None

    async def add_guest_member(
        self,
        *,
        group_id: GroupId,
        platform: Platform,
        user_id: str,
        display_name: str,
        agency: Agency,
    ) -> Member:
        self._known.members_changed()
        known = await self.known_member(group_id, platform, user_id)
        if known is not None:
            await self._conn.execute(
                update(MEMBERS)
                .where(MEMBERS.c.id == known.member.id)
                .values(role=Role.GUEST.value, agency=agency.value, active=False)
            )
            return dataclasses.replace(known.member, role=Role.GUEST, agency=agency)
        member_id = await insert_member_row(
            self._conn,
            group_id=group_id,
            platform=platform,
            user_id=user_id,
            display_name=display_name,
            agency=agency,
            role=Role.GUEST,
            active=False,
        )
        return Member(member_id, group_id, platform, user_id, display_name, agency, Role.GUEST)

    async def grant(
        self,
        *,
        case_id: CaseId,
        member: Member,
        by_member: MemberId,
        at: datetime,
        expires_at: datetime,
    ) -> None:
        self._known.forget_guests()
        current = (
            await self._conn.execute(
                select(GUESTS.c.id).where(
                    GUESTS.c.case_id == case_id,
                    GUESTS.c.member_id == member.id,
                    GUESTS.c.ended_at.is_(None),
                    GUESTS.c.expires_at > at,
                )
            )
        ).scalar_one_or_none()
        if current is not None:
            await self._conn.execute(
                update(GUESTS)
                .where(GUESTS.c.id == current)
                .values(expires_at=expires_at, agency=member.agency.value)
            )
            return
        await self._conn.execute(
            insert(GUESTS).values(
                case_id=case_id,
                member_id=member.id,
                agency=member.agency.value,
                added_by=by_member,
                added_at=at,
                expires_at=expires_at,
            )
        )

    async def end_grant(
        self, case_id: CaseId, member_id: MemberId, *, by_member: MemberId, at: datetime
    ) -> bool:
        self._known.forget_guests()
        result = await self._conn.execute(
            update(GUESTS)
            .where(
                GUESTS.c.case_id == case_id,
                GUESTS.c.member_id == member_id,
                GUESTS.c.ended_at.is_(None),
                GUESTS.c.expires_at > at,
            )
            .values(ended_at=at, ended_by=by_member)
        )
        return bool(result.rowcount)

    async def case_guests(self, case_id: CaseId, *, at: datetime) -> Sequence[GuestGrant]:
        if case_id in self._known.created or case_id in self._known.without_grants:
            return []  # created in this unit of work, or read without grants, and none since
        known = self._known.guests.get((case_id, at))
        if known is None:
            known = await self._read_case_guests(case_id, at)
            self._known.guests[(case_id, at)] = known
        return list(known)

    async def _read_case_guests(self, case_id: CaseId, at: datetime) -> list[GuestGrant]:
        rows = await direct.execute(self._conn, _CASE_GUESTS, {"case_id": case_id, "at": at})
        return [
            GuestGrant(
                case_id=CaseId(r.case_id),
                member=member_from(r, "m_"),
                agency=Agency(r.agency),
                added_at=r.added_at,
                expires_at=r.expires_at,
            )
            for r in rows
        ]

    async def guest_cases(
        self, group_id: GroupId, platform: Platform, user_id: str, *, at: datetime
    ) -> tuple[Member, frozenset[CaseId]] | None:
        params = {"group_id": group_id, "platform": platform.value, "user_id": user_id, "at": at}
        rows = (await direct.execute(self._conn, _GUEST_CASES, params)).all()
        if not rows:
            return None
        return member_from(rows[0], "m_"), frozenset(CaseId(r.case_id) for r in rows)
