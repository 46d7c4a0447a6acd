"""Ports of need-to-know access: which agencies of a group can hold action responsibility,
and the access log a data protection officer reads. Re-exported by `bot.ports`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import Agency, CaseId, GroupId, GuestGrant, Member, MemberId, Platform


@dataclass(frozen=True)
class KnownMember:
    """A member as recorded, also after removal (the log still names who acted)."""

    member: Member
    active: bool


@dataclass(frozen=True)
class MemberAction:
    """One audit row of a member: when, what, which case (ref) and where (room)."""

    at: datetime
    action: str
    case_ref: str | None
    platform: Platform | None
    room_id: str | None


class AccessRepository(Protocol):
    async def authorities(self, group_id: GroupId) -> tuple[Agency, ...] | None:
        """The agencies the lead configured, or None when the group uses its kind's set."""
        ...

    async def set_authorities(self, group_id: GroupId, agencies: Sequence[Agency] | None) -> None:
        """Store the group's set; None returns it to its kind's set."""
        ...

    async def known_members(self, group_id: GroupId) -> Sequence[KnownMember]:
        """Every member the group ever had, removed ones included."""
        ...

    async def actions_of(
        self, group_id: GroupId, member: Member, *, since: datetime | None, limit: int
    ) -> tuple[Sequence[MemberAction], int]:
        """The member's latest `limit` audit rows in the group (oldest first) and how many
        there are in all since `since`."""
        ...

    async def known_member(
        self, group_id: GroupId, platform: Platform, user_id: str
    ) -> KnownMember | None:
        """The member row of this chat user in the group, whatever its state."""
        ...

    async def add_guest_member(
        self,
        *,
        group_id: GroupId,
        platform: Platform,
        user_id: str,
        display_name: str,
        agency: Agency,
    ) -> Member:
        """The user's row as a guest (role guest, not an active member of the group)."""
        ...

    async def grant(
        self,
        *,
        case_id: CaseId,
        member: Member,
        by_member: MemberId,
        at: datetime,
        expires_at: datetime,
    ) -> None:
        """Give a guest access to one case until `expires_at` (a running grant is renewed)."""
        ...

    async def end_grant(
        self, case_id: CaseId, member_id: MemberId, *, by_member: MemberId, at: datetime
    ) -> bool:
        """End a running grant now; False if there was none."""
        ...

    async def case_guests(self, case_id: CaseId, *, at: datetime) -> Sequence[GuestGrant]:
        """The grants to this case that run at `at`."""
        ...

    async def guest_cases(
        self, group_id: GroupId, platform: Platform, user_id: str, *, at: datetime
    ) -> tuple[Member, frozenset[CaseId]] | None:
        """The guest this chat user is in the group, and the cases open to them at `at`."""
        ...
