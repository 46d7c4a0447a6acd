"""A chat sender that fails on command (timeouts, 429 with Retry-After, 5xx, permanent
refusals), and helpers to bind extra rooms to the demo group and read the outbox back."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from sqlalchemy import text

from bot.domain import DetailLevel, Platform, RoomPurpose
from bot.messages import Reply
from bot.ports.delivery import Dropped, Outgoing, Retry, SendResult, Sent
from bot.ports.outbox import OutboxListing, OutboxStatus
from tests.conftest import Harness

Outcome = SendResult | BaseException


@dataclass
class FlakySender:
    """Sends (records) everything, except that each room can be told how its next attempts
    end: `fail("!a", Retry("http-503"), TimeoutError())`, or `refuse_always("!b", …)`."""

    delivered: list[Reply] = field(default_factory=list)
    attempts: list[tuple[str, str]] = field(default_factory=list)  # (room, idempotency key)
    script: dict[str, list[Outcome]] = field(default_factory=dict)
    always: dict[str, Outcome] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def fail(self, room: str, *outcomes: Outcome) -> None:
        self.script.setdefault(room, []).extend(outcomes)

    def refuse_always(self, room: str, outcome: Outcome) -> None:
        self.always[room] = outcome

    def recover(self, room: str) -> None:
        self.always.pop(room, None)
        self.script.pop(room, None)

    async def send(self, message: Outgoing) -> SendResult:
        room = message.reply.room.room_id
        self.attempts.append((room, message.idempotency_key))
        queued = self.script.get(room)
        outcome: Outcome | None = queued.pop(0) if queued else self.always.get(room)
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome is not None and not isinstance(outcome, Sent):
            return outcome
        self.delivered.append(message.reply)
        return Sent(f"m{next(self._ids)}")

    def texts(self, room: str) -> list[str]:
        return [r.text for r in self.delivered if r.room.room_id == room]


async def bind_rooms(harness: Harness, *rooms: str, platform: Platform = Platform.MATRIX) -> None:
    async with harness.uow_factory() as uow:
        group = await uow.groups.get_by_name("Demo")
        assert group is not None
        for room in rooms:
            await uow.groups.bind(
                group_id=group.id,
                platform=platform,
                room_id=room,
                detail=DetailLevel.FULL,
                purpose=RoomPurpose.OPERATIVE,
            )
        await uow.commit()


async def outbox(harness: Harness, *statuses: OutboxStatus) -> list[OutboxListing]:
    async with harness.uow_factory() as uow:
        return list(await uow.outbox.listing(statuses=statuses or list(OutboxStatus), limit=1000))


async def ledger_states(harness: Harness, kind: str) -> list[str]:
    async with harness.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT state FROM sent_notifications WHERE kind = :k ORDER BY id"), {"k": kind}
        )
        return [r[0] for r in rows]


TRANSIENT: tuple[Outcome, ...] = (
    TimeoutError(),
    Retry(reason="http-503"),
    Retry(reason="network"),
)
REFUSED = Dropped(reason="M_FORBIDDEN")
