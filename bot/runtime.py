"""Routes messages to the core and the core's replies, through the outbox, to the sender of
each reply's platform (bot/delivery). One group can span several platforms: a command on
Slack may produce replies for a Matrix room too."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from bot.app import Handled, PspBot
from bot.delivery import DeliveryWorker
from bot.domain import GroupId, Platform
from bot.messages import Incoming, RefusedCommand, Reply
from bot.metrics import Metrics, NoMetrics
from bot.ports import Clock, LeaderElection, SingleProcessLeader, UnitOfWorkFactory
from bot.ports.delivery import ChatSender
from bot.shutdown import InFlight
from bot.usecases.home import HomeView

log = logging.getLogger(__name__)


class Router:
    """The one door of the core for adapters: `process` runs a message through the core and
    delivers its replies; `post` and `enqueue` send what the bot says on its own (adapters'
    notices, retention); `delivery` is the outbox's worker."""

    def __init__(
        self,
        *,
        bot: PspBot,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        delivery: DeliveryWorker | None = None,
        leader_for: Callable[[str], LeaderElection] | None = None,
    ) -> None:
        self._bot = bot
        self._leader_for = leader_for
        self._uow_factory = uow_factory
        self._clock = clock
        self.delivery = delivery or DeliveryWorker(
            uow_factory=uow_factory, clock=clock, locale=bot.default_locale
        )
        # Commands being handled: a graceful shutdown waits for them to commit.
        self.in_flight = InFlight()
        # Where adapters count what only they see (sync lag, acknowledgement latency).
        self.metrics: Metrics = NoMetrics()

    @property
    def uow_factory(self) -> UnitOfWorkFactory:
        """For services that share the router's database (scheduler, retention, demo)."""
        return self._uow_factory

    @property
    def clock(self) -> Clock:
        return self._clock

    def attach(self, platform: Platform, sender: ChatSender, *, inline: bool = True) -> None:
        self.delivery.attach(platform, sender, inline=inline)

    def detach(self, platform: Platform, sender: ChatSender | None = None) -> None:
        self.delivery.detach(platform, sender)

    def leader_for(self, name: str) -> LeaderElection:
        """An election among the bot's processes for one exclusive resource (a Matrix
        device): on PostgreSQL an advisory lock of its own; alone, always this process."""
        return self._leader_for(name) if self._leader_for is not None else SingleProcessLeader()

    def observe(self, metrics: Metrics) -> None:
        """Count the core's commands, outcomes and latencies, the deliveries, and what the
        adapters report into this metrics backend."""
        self._bot.observe(metrics)
        self.delivery.metrics = metrics
        self.metrics = metrics

    async def process(self, incoming: Incoming) -> list[Reply]:
        """Handle one message; its replies are in the outbox when this returns, and those
        that can go out now have gone out (the rest are retried by the delivery worker)."""
        with self.in_flight.track():
            handled = await self._bot.handle_for_delivery(incoming)
            await self._deliver(handled)
        return handled.replies

    async def submit(self, incoming: Incoming) -> RefusedCommand | None:
        """`process` for an adapter that shows refusals itself (a form, with
        `incoming.keep_refusal`): a refusal comes back as a value, stored nowhere and sent
        nowhere; everything else is delivered as `process` delivers it."""
        with self.in_flight.track():
            handled = await self._bot.handle_for_delivery(incoming)
            if handled.refused is not None:
                return handled.refused
            await self._deliver(handled)
        return None

    async def _deliver(self, handled: Handled) -> None:
        if handled.unsaved:  # the database is away: one best-effort attempt
            await self.delivery.send_unsaved(handled.replies)
            return
        await self.delivery.deliver_claimed(handled.claimed)
        claimed = {entry.reply.room for entry in handled.claimed}
        await self.delivery.deliver_rooms(r.room for r in handled.replies if r.room not in claimed)

    async def home(
        self, platform: Platform, user_id: str, *, locale: str | None = None
    ) -> HomeView:
        """A person's home view across their groups (Slack's App Home)."""
        return await self._bot.home(platform, user_id, locale=locale)

    async def post(self, replies: Sequence[Reply], *, group_id: GroupId | None = None) -> None:
        """Messages the bot says on its own (an adapter's notice, a retention report): into
        the outbox in their own transaction, then out like any other."""
        await self.enqueue(replies, group_id=group_id)
        await self.delivery.deliver_rooms(r.room for r in replies)

    async def enqueue(self, replies: Sequence[Reply], *, group_id: GroupId | None = None) -> None:
        """Like `post`, but leaves the sending to the delivery worker: for callers that are
        themselves inside a send (a sender's own notice), which must not wait for it."""
        if not replies:
            return
        async with self._uow_factory() as uow:
            await uow.outbox.add(replies, at=self._clock.now(), group_id=group_id)
            await uow.commit()
        self.delivery.wake()

    async def load_state(self, key: str) -> str | None:
        async with self._uow_factory() as uow:
            return await uow.state.get(key)

    async def save_state(self, key: str, value: str) -> None:
        async with self._uow_factory() as uow:
            await uow.state.put(key, value, at=self._clock.now())
            await uow.commit()
