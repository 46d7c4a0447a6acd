"""Ports of need-to-know access: which agencies of a group can hold action responsibility.
Re-exported by `bot.ports`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.domain import Agency, GroupId


class AccessRepository(Protocol):
    async def authorities(self, group_id: GroupId) -> tuple[Agency, ...] | None:
        """The agencies the lead configured, or None when the group uses its kind's set."""
        ...

    async def set_authorities(self, group_id: GroupId, agencies: Sequence[Agency] | None) -> None:
        """Store the group's set; None returns it to its kind's set."""
        ...
