"""In-memory need-to-know access: the agencies a group lets hold action responsibility, as
storage/access.py answers it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import Agency, GroupId
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
