"""Ports of need-to-know access: which agencies of a group can hold action responsibility,
and the access log a data protection officer reads. Re-exported by `bot.ports`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import Agency, GroupId, Member, Platform


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
