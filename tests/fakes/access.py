"""In-memory need-to-know access: the agencies a group lets hold action responsibility and
the access log by member, as storage/access.py answers them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain import Agency, GroupId, Member
from bot.ports import KnownMember, MemberAction
from tests.fakes.store import Transaction


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
