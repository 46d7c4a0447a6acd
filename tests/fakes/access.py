"""In-memory need-to-know access: the agencies a group lets hold action responsibility and
the access log by member, as storage/access.py answers them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.domain import Agency, CaseId, GroupId, GuestGrant, Member, MemberId, Platform, Role
from bot.ports import KnownMember, MemberAction
from tests.fakes.store import GuestRow, MemberRow, Transaction


class FakeAccessRepository:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    async def authorities(self, group_id: GroupId) -> tuple[Agency, ...] | None:
        chosen = self._tx.tables.authorities.get(group_id)
        return tuple(a for a in Agency if a in chosen) if chosen else None

    async def set_authorities(self, group_id: GroupId, agencies: Sequence[Agency] | None) -> None:
        tables = self._tx.write()
        if agencies:
            tables.authorities[group_id] = frozenset(agencies)
        else:
            tables.authorities.pop(group_id, None)

    async def known_members(self, group_id: GroupId) -> Sequence[KnownMember]:
        rows = sorted(self._tx.tables.members.items())
        return [KnownMember(r.member, r.active) for _, r in rows if r.member.group_id == group_id]

    async def actions_of(
        self, group_id: GroupId, member: Member, *, since: datetime | None, limit: int
    ) -> tuple[Sequence[MemberAction], int]:
        tables = self._tx.tables
        entries = [
            e
            for _, e in sorted(tables.audit.items())
            if e.group_id == group_id
            and e.actor_member_id == member.id
            and (since is None or e.at >= since)
        ]
        actions = []
        for entry in entries[-limit:]:
            case = tables.cases.get(entry.case_id) if entry.case_id is not None else None
            binding = tables.bindings.get(entry.binding_id) if entry.binding_id else None
            actions.append(
                MemberAction(
                    at=entry.at,
                    action=entry.action,
                    case_ref=case.ref if case else None,
                    platform=binding.platform if binding else None,
                    room_id=binding.room_id if binding else None,
                )
            )
        return actions, len(entries)

    # --- case-scoped guests ------------------------------------------------------------

    async def known_member(
        self, group_id: GroupId, platform: Platform, user_id: str
    ) -> KnownMember | None:
        for _, row in sorted(self._tx.tables.members.items()):
            m = row.member
            if m.group_id == group_id and m.platform is platform and m.user_id == user_id:
                return KnownMember(m, row.active)
        return None

    async def add_guest_member(
        self,
        *,
        group_id: GroupId,
        platform: Platform,
        user_id: str,
        display_name: str,
        agency: Agency,
    ) -> Member:
        known = await self.known_member(group_id, platform, user_id)
        tables = self._tx.write()
        if known is not None:
            member = replace(known.member, role=Role.GUEST, agency=agency)
        else:
            new_id = MemberId(tables.new_id("members"))
            member = Member(new_id, group_id, platform, user_id, display_name, agency, Role.GUEST)
        tables.members[member.id] = MemberRow(member, False)
        return member

    def _running(self, case_id: CaseId, member_id: MemberId, at: datetime) -> int | None:
        for row_id, row in sorted(self._tx.tables.guests.items()):
            if row.case_id == case_id and row.member_id == member_id and row.runs_at(at):
                return row_id
        return None

    async def grant(
        self,
        *,
        case_id: CaseId,
        member: Member,
        by_member: MemberId,
        at: datetime,
        expires_at: datetime,
    ) -> None:
        running = self._running(case_id, member.id, at)
        tables = self._tx.write()
        if running is not None:
            old = tables.guests[running]
            tables.guests[running] = replace(old, agency=member.agency, expires_at=expires_at)
            return
        tables.guests[tables.new_id("guests")] = GuestRow(
            case_id, member.id, member.agency, at, expires_at
        )

    async def end_grant(
        self, case_id: CaseId, member_id: MemberId, *, by_member: MemberId, at: datetime
    ) -> bool:
        running = self._running(case_id, member_id, at)
        if running is None:
            return False
        tables = self._tx.write()
        tables.guests[running] = replace(tables.guests[running], ended_at=at)
        return True

    async def case_guests(self, case_id: CaseId, *, at: datetime) -> Sequence[GuestGrant]:
        tables = self._tx.tables
        return [
            GuestGrant(
                row.case_id,
                tables.members[row.member_id].member,
                row.agency,
                row.added_at,
                row.expires_at,
            )
            for _, row in sorted(tables.guests.items())
            if row.case_id == case_id and row.runs_at(at)
        ]

    async def guest_cases(
        self, group_id: GroupId, platform: Platform, user_id: str, *, at: datetime
    ) -> tuple[Member, frozenset[CaseId]] | None:
        known = await self.known_member(group_id, platform, user_id)
        if known is None or known.member.role is not Role.GUEST:
            return None
        cases = frozenset(
            row.case_id
            for row in self._tx.tables.guests.values()
            if row.member_id == known.member.id and row.runs_at(at)
        )
        return (known.member, cases) if cases else None
