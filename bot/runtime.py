"""Routes the core's replies to the adapter of each reply's platform, and remembers what was
posted (so alerts can be updated in place and removed at purge). One group can span several
platforms: a command on Slack may produce replies for a Matrix room too."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.app import BeforeCommit, PspBot
from bot.domain import CaseId, Platform
from bot.messages import Incoming, Reply
from bot.metrics import Metrics
from bot.ports import Clock, UnitOfWorkFactory
from bot.shutdown import InFlight

log = logging.getLogger(__name__)


class ChatSender(Protocol):
    async def send(self, reply: Reply) -> str | None:
        """Post the reply natively; return the platform's message id, if it has one."""
        ...

    # Optional capability, looked up with getattr:
    # async def retract(self, room_id: str, message_id: str) -> bool
    #     Redact (Matrix) or delete (Slack) a message the bot posted; True once it is gone,
    #     False if not (yet): retention tries again on its next pass.


class Router:
    """The one door of the core for adapters: `process` runs a message through the core and
    delivers its replies; `deliver` posts what the scheduler and retention decided."""

    def __init__(self, *, bot: PspBot, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._bot = bot
        self._uow_factory = uow_factory
        self._clock = clock
        self._senders: dict[Platform, ChatSender] = {}
        # Commands being handled: a graceful shutdown waits for them to commit.
        self.in_flight = InFlight()

    @property
    def uow_factory(self) -> UnitOfWorkFactory:
        """For services that share the router's database (scheduler, retention, demo)."""
        return self._uow_factory

    @property
    def clock(self) -> Clock:
        return self._clock

    def attach(self, platform: Platform, sender: ChatSender) -> None:
        self._senders[platform] = sender

    def observe(self, metrics: Metrics) -> None:
        """Count the core's commands, outcomes and latencies into this metrics backend."""
        self._bot.observe(metrics)

    async def process(
        self, incoming: Incoming, *, before_commit: BeforeCommit | None = None
    ) -> list[Reply]:
        """Run one message through the core (one transaction) and deliver its replies.
        `before_commit` receives the replies inside that transaction (PspBot.handle)."""
        with self.in_flight.track():
            replies = await self._bot.handle(incoming, before_commit=before_commit)
            await self.deliver(replies)
        return replies

    async def deliver(self, replies: Sequence[Reply]) -> None:
        for reply in replies:
            sender = self._senders.get(reply.room.platform)
            if sender is None:
                log.warning(
                    "no adapter for platform %s; a reply was not delivered", reply.room.platform
                )
                continue
            try:
                message_id = await sender.send(reply)
            except Exception:  # one broken room must not stop the others
                log.exception("delivery to a %s room failed", reply.room.platform)
                continue
            if message_id and reply.kind != "error":
                await self._remember(reply, message_id)

    async def _remember(self, reply: Reply, message_id: str) -> None:
        async with self._uow_factory() as uow:
            await uow.messages.record(
                platform=reply.room.platform,
                room_id=reply.room.room_id,
                message_id=message_id,
                case_id=CaseId(reply.case_id) if reply.case_id is not None else None,
                message_key=reply.message_key,
                at=self._clock.now(),
            )
            await uow.commit()

    async def retract_case_messages(self, case_id: CaseId) -> tuple[int, int]:
        """Remove the bot's chat messages about a purged case (Matrix redacts, Slack deletes),
        so the chat history does not outlive the record. Returns (retracted, still pending).
        A message is forgotten once its sender's `retract` says True. One whose platform has
        no sender here (the `purge` CLI), or whose removal failed (False or an error), stays
        remembered and the running bot's next daily retention pass tries again. A sender
        without `retract` (a platform that cannot take messages back) gets them forgotten."""
        async with self._uow_factory() as uow:
            messages = await uow.messages.for_case(case_id)
        forget: list[int] = []
        retracted = pending = 0
        for message in messages:
            sender = self._senders.get(message.platform)
            retract = getattr(sender, "retract", None) if sender is not None else None
            if sender is not None and retract is None:
                forget.append(message.id)
                continue
            try:
                done = retract is not None and bool(
                    await retract(message.room_id, message.message_id)
                )
            except Exception:  # one unreachable room must not stop the purge
                log.warning("retracting a %s message failed; will retry", message.platform)
                done = False
            if done:
                retracted += 1
                forget.append(message.id)
            else:
                pending += 1
        if forget:
            async with self._uow_factory() as uow:
                await uow.messages.forget(forget)
                await uow.commit()
        return retracted, pending

    async def load_state(self, key: str) -> str | None:
        async with self._uow_factory() as uow:
            return await uow.state.get(key)

    async def save_state(self, key: str, value: str) -> None:
        async with self._uow_factory() as uow:
            await uow.state.put(key, value, at=self._clock.now())
            await uow.commit()
