"""Steering groups, the operative groups they oversee, and their answers to escalations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import GroupId, Platform
from bot.ports.evaluation import EscalationAnswer, SteeringGroup, SteeringId
from storage import direct
from storage.codec import TextCodec, numbered_aad
from storage.models import EscalationRow
from storage.models_evaluation import SteeringGroupRow, SteeringLinkRow

STEERING = cast(Table, SteeringGroupRow.__table__)
LINKS = cast(Table, SteeringLinkRow.__table__)
ESCALATIONS = cast(Table, EscalationRow.__table__)
_ANSWERS = (
    select(ESCALATIONS.c.number, ESCALATIONS.c.answer, ESCALATIONS.c.answered_at)
    .where(
        ESCALATIONS.c.group_id == bindparam("group_id"),
        ESCALATIONS.c.answered_at.is_not(None),
        ESCALATIONS.c.handled_at.is_(None),
    )
    .order_by(ESCALATIONS.c.number)
)


def _steering(row: Row[Any]) -> SteeringGroup:
    return SteeringGroup(row.id, row.name, Platform(row.platform), row.room_id)


class SqlAlchemySteeringRepository:
    def __init__(self, conn: AsyncConnection, codec: TextCodec) -> None:
        self._conn = conn
        self._codec = codec

    async def _one(self, *where: Any) -> SteeringGroup | None:
        row = (await self._conn.execute(select(STEERING).where(*where))).first()
        return _steering(row) if row else None

    async def add(
        self, *, name: str, platform: Platform, room_id: str, at: datetime
    ) -> SteeringGroup:
        result = await self._conn.execute(
            insert(STEERING).values(
                name=name, platform=platform.value, room_id=room_id, created_at=at
            )
        )
        (new_id,) = result.inserted_primary_key or (0,)
        return SteeringGroup(int(new_id), name, platform, room_id)

    async def by_name(self, name: str) -> SteeringGroup | None:
        return await self._one(STEERING.c.name == name)

    async def by_room(self, platform: Platform, room_id: str) -> SteeringGroup | None:
        return await self._one(STEERING.c.platform == platform.value, STEERING.c.room_id == room_id)

    async def all(self) -> Sequence[SteeringGroup]:
        rows = await self._conn.execute(select(STEERING).order_by(STEERING.c.id))
        return [_steering(r) for r in rows]

    async def of_group(self, group_id: GroupId) -> SteeringGroup | None:
        row = (
            await self._conn.execute(
                select(STEERING)
                .join(LINKS, LINKS.c.steering_id == STEERING.c.id)
                .where(LINKS.c.group_id == group_id)
            )
        ).first()
        return _steering(row) if row else None

    async def groups(self, steering_id: SteeringId) -> Sequence[GroupId]:
        rows = await self._conn.execute(
            select(LINKS.c.group_id)
            .where(LINKS.c.steering_id == steering_id)
            .order_by(LINKS.c.group_id)
        )
        return [GroupId(r.group_id) for r in rows]

    async def link(self, steering_id: SteeringId, group_id: GroupId, *, at: datetime) -> None:
        await self._conn.execute(
            insert(LINKS).values(group_id=group_id, steering_id=steering_id, linked_at=at)
        )

    async def unlink(self, group_id: GroupId) -> None:
        await self._conn.execute(delete(LINKS).where(LINKS.c.group_id == group_id))

    async def answer(
        self, group_id: GroupId, number: int, *, text: str, at: datetime
    ) -> bool | None:
        row = (
            await self._conn.execute(
                select(ESCALATIONS.c.id, ESCALATIONS.c.answered_at).where(
                    ESCALATIONS.c.group_id == group_id, ESCALATIONS.c.number == number
                )
            )
        ).first()
        if row is None:
            return None
        if row.answered_at is not None:
            return False
        sealed = self._codec.seal(text, aad=numbered_aad("escalations", group_id, number, "answer"))
        await self._conn.execute(
            update(ESCALATIONS)
            .where(ESCALATIONS.c.id == row.id)
            .values(answer=sealed, answered_at=at)
        )
        return True

    async def answers(self, group_id: GroupId) -> Sequence[EscalationAnswer]:
        rows = await direct.execute(self._conn, _ANSWERS, {"group_id": group_id})
        return [
            EscalationAnswer(
                group_id,
                r.number,
                r.answered_at,
                self._codec.unseal(
                    r.answer, aad=numbered_aad("escalations", group_id, r.number, "answer")
                ),
            )
            for r in rows
        ]
