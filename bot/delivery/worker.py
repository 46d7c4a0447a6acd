"""The delivery worker: sends the outbox's rows to their rooms, in order per room.

A room's rows go out oldest first; while its oldest row waits for a retry, the room waits and
every other room goes on. A send's answer decides the row's fate:

- `Sent(id)`: marked delivered, the platform's message id kept in the posted-messages log
  (edits, threads and retraction look it up), and the scheduler's ledger key marked sent
  once all of its rows are settled;
- `Retry(after)`: tried again after `after` seconds, or after an exponential backoff with
  jitter (2 s doubling to 5 min);
- `Dropped(reason)`: marked dropped with the reason code, logged with ids only; the room's
  later rows go on.

The command path calls `deliver_rooms` in its own task right after its commit (low latency);
`run()` handles the rest: retries on their timer and, at start, whatever an earlier process
left pending. A process that dies mid-send leaves the room leased for `lease_seconds`, after
which any process sends it again: the one possible duplicate (Matrix avoids even that: the
row's idempotency key is the transaction id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.delivery.attempts import Attempt, retract
from bot.delivery.leads import tell_leads_of_stuck_rooms
from bot.delivery.policy import DeliveryPolicy
from bot.delivery.settle import settle
from bot.domain import Platform
from bot.i18n import translate
from bot.messages import Reply, ReplyKind, RoomRef
from bot.metrics import Metrics, NoMetrics, database_error_kind
from bot.ports import Clock, UnitOfWorkFactory
from bot.ports.delivery import ChatSender, Outgoing, Retry, SendResult, Sent
from bot.ports.outbox import OutboxEntry

log = logging.getLogger(__name__)

CLAIM_LIMIT = 50
DUE_ROOMS_LIMIT = 200
IDLE_WAIT_SECONDS = 60.0
# Answers of a room's sends are recorded together (one transaction, the delivered rows in one
# statement) at the end of the room's batch, or once the oldest unrecorded answer is this old.
SETTLE_AFTER_SECONDS = 0.25


class DeliveryWorker:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        locale: str,
        policy: DeliveryPolicy | None = None,
        random_fraction: Callable[[], float] = random.random,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._locale = locale
        self.policy = policy or DeliveryPolicy()
        self._random = random_fraction
        self._senders: dict[Platform, ChatSender] = {}
        # Platforms sent only by the background loop (the pager: an outside gateway that may
        # hang until its timeout must never hold up a command or a tick).
        self._background: set[Platform] = set()
        self._locks: dict[tuple[Platform, str], asyncio.Lock] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self._fresh: set[Platform] = set()
        self._next_stuck_check: datetime | None = None
        self.metrics: Metrics = NoMetrics()

    # --- wiring --------------------------------------------------------------------------

    def attach(self, platform: Platform, sender: ChatSender, *, inline: bool = True) -> None:
        """A platform's sender is ready. Its rows that wait for a retry become due at once
        on the next pass (after a restart the platform may well be back). `inline=False`:
        its rows are sent by the background loop only, never in a command's or tick's task."""
        self._senders[platform] = sender
        if not inline:
            self._background.add(platform)
        self._fresh.add(platform)
        self.wake()

    def detach(self, platform: Platform, sender: ChatSender | None = None) -> None:
        """The platform's sender is gone (its process no longer holds the device): its rows
        wait in the outbox for whichever process attaches one next."""
        if sender is None or self._senders.get(platform) is sender:
            self._senders.pop(platform, None)
            self._fresh.discard(platform)

    def sender(self, platform: Platform) -> ChatSender | None:
        return self._senders.get(platform)

    def wake(self) -> None:
        """Look at the outbox now (a command or a notice has just committed rows)."""
        self._wake.set()

    # --- sending -------------------------------------------------------------------------

    async def deliver_rooms(self, rooms: Iterable[RoomRef]) -> None:
        """Send what is due in these rooms, in the caller's task (background platforms: the
        loop is woken instead)."""
        for room in dict.fromkeys(rooms):
            if room.platform in self._background:
                self.wake()
                continue
            await self._send_room(room.platform, room.room_id)

    async def run_once(self) -> datetime | None:
        """Send every room that has a due row; return when the next row becomes due."""
        platforms = list(self._senders)
        if not platforms:
            return None
        now = self._clock.now()
        async with self._uow_factory() as uow:
            rooms = await uow.outbox.due_rooms(platforms, now=now, limit=DUE_ROOMS_LIMIT)
        if rooms:
            await asyncio.gather(*(self._send_room(p, r) for p, r in rooms))
        async with self._uow_factory() as uow:
            return await uow.outbox.next_attempt(platforms)

    async def deliver_claimed(self, entries: Sequence[OutboxEntry]) -> None:
        """Send rows the caller wrote and leased in its own transaction (a command's
        replies to rooms that had nothing pending), without claiming them again: the rooms
        at once, each in order, and the answers recorded together in one transaction."""
        by_room: dict[RoomRef, list[OutboxEntry]] = {}
        for entry in entries:
            by_room.setdefault(entry.reply.room, []).append(entry)
        # No adapter for it here (leave the rows to a process with one), or one the
        # background loop sends (the pager): given back, and the loop woken.
        inline = {p for p in self._senders if p not in self._background}
        orphans = [e for room, mine in by_room.items() if room.platform not in inline for e in mine]
        rooms = sorted(
            (room for room in by_room if room.platform in inline),
            key=lambda r: (r.platform.value, r.room_id),
        )
        async with contextlib.AsyncExitStack() as held:
            for room in rooms:  # always in the same order: two commands cannot deadlock
                await held.enter_async_context(self._lock(room))
            answers = await asyncio.gather(
                *(self._attempt_room(self._senders[r.platform], by_room[r]) for r in rooms)
            )
            done = [attempt for room_done, _rest in answers for attempt in room_done]
            untried = [entry for _done, rest in answers for entry in rest]
            await self._settle(done, release=[*orphans, *untried])
        if any(room.platform in self._background for room in by_room):
            self.wake()  # the rows are given back: the loop sends them

    async def send_unsaved(self, replies: Sequence[Reply]) -> None:
        """Replies that could not be written to the outbox (the database is away: "try again
        later"): one attempt each, not retried, since nothing is stored to retry from."""
        for reply in replies:
            sender = self._senders.get(reply.room.platform)
            if sender is None:
                continue
            try:
                result = await sender.send(Outgoing(reply, idempotency_key=uuid.uuid4().hex))
            except Exception as exc:
                result = Retry(reason=f"error:{type(exc).__name__}")
            if not isinstance(result, Sent):
                log.warning("an answer that could not be stored was not delivered either")

    def _lock(self, room: RoomRef) -> asyncio.Lock:
        return self._locks.setdefault((room.platform, room.room_id), asyncio.Lock())

    async def _send_room(self, platform: Platform, room_id: str) -> None:
        sender = self._senders.get(platform)
        if sender is None:
            return  # that platform's adapter is not running here; its rows wait
        async with self._lock(RoomRef(platform, room_id)):
            while True:
                now = self._clock.now()
                lease = now + timedelta(seconds=self.policy.lease_seconds)
                async with self._uow_factory() as uow:
                    entries = await uow.outbox.claim_room(
                        platform, room_id, now=now, lease_until=lease, limit=CLAIM_LIMIT
                    )
                    await uow.commit()
                if not entries or not await self._send_entries(sender, entries):
                    return
                if len(entries) < CLAIM_LIMIT:
                    return

    async def _send_entries(self, sender: ChatSender, entries: Sequence[OutboxEntry]) -> bool:
        """One room's leased rows, in order. False if the room must wait for a retry (the
        rest are given back)."""
        done, rest = await self._attempt_room(sender, entries)
        await self._settle(done, release=rest)
        return not (done and isinstance(done[-1].result, Retry))

    async def _attempt_room(
        self, sender: ChatSender, entries: Sequence[OutboxEntry]
    ) -> tuple[list[Attempt], list[OutboxEntry]]:
        """Send one room's rows in order until one must wait. Returns the answers not yet
        recorded and the rows not tried. Answers are recorded in batches, and once the
        oldest unrecorded one is `SETTLE_AFTER_SECONDS` old (a backlog after an outage):
        a crash can repeat only the sends of that last fraction of a second."""
        posted: dict[str, str] = {}
        done: list[Attempt] = []
        since = 0.0
        for index, entry in enumerate(entries):
            attempt = await self._attempt(sender, entry, posted)
            if not done:
                since = time.monotonic()
            done.append(attempt)
            if isinstance(attempt.result, Retry):
                return done, list(entries[index + 1 :])
            if time.monotonic() - since >= SETTLE_AFTER_SECONDS:
                await self._settle(done, release=())
                done = []
        return done, []

    async def _release(self, entries: Sequence[OutboxEntry]) -> None:
        await self._settle([], release=entries)

    async def _attempt(
        self, sender: ChatSender, entry: OutboxEntry, posted: dict[str, str]
    ) -> Attempt:
        """One row handed to its sender; the answer, not yet recorded."""
        reply = entry.reply
        late = self._clock.now() - entry.created_at > timedelta(
            seconds=self.policy.late_after_seconds
        )
        result: SendResult
        try:
            if reply.kind is ReplyKind.RETRACTION:
                result = await retract(sender, reply)
            else:
                result = await sender.send(await self._outgoing(entry, posted, late=late))
        except Exception as exc:  # a sender's defect must not stop the room for good
            log.exception("outbox row %d: the sender failed", entry.id)
            result = Retry(reason=f"error:{type(exc).__name__}")
        if isinstance(result, Sent) and result.message_id and reply.message_key:
            posted[reply.message_key] = result.message_id
        return Attempt(entry, result, late)

    async def _settle(self, done: Sequence[Attempt], *, release: Sequence[OutboxEntry]) -> None:
        await settle(
            self._uow_factory,
            done,
            release=release,
            now=self._clock.now(),
            backoff=lambda attempts: self.policy.backoff(attempts, self._random),
            metrics=self.metrics,
        )

    async def _outgoing(
        self, entry: OutboxEntry, posted: dict[str, str], *, late: bool
    ) -> Outgoing:
        reply = entry.reply
        edit_target = await self._resolve(reply.room, reply.edit_of, posted)
        thread_root = await self._resolve(reply.room, reply.thread_of, posted)
        if late and edit_target is None:
            line = translate(
                self._locale, "delivery.late", when=entry.due_at.strftime("%Y-%m-%d %H:%M")
            )
            reply = replace(reply, text=f"{line}\n{reply.text}")
        return Outgoing(
            reply=reply,
            idempotency_key=entry.idempotency_key,
            attempt=entry.attempts + 1,
            edit_target=edit_target,
            thread_root=thread_root,
        )

    async def _resolve(
        self, room: RoomRef, message_key: str | None, posted: dict[str, str]
    ) -> str | None:
        if message_key is None:
            return None
        if message_key in posted:
            return posted[message_key]
        async with self._uow_factory() as uow:
            return await uow.messages.find(room.platform, room.room_id, message_key)

    # --- the background loop -------------------------------------------------------------

    async def start(self) -> None:
        """Make the rows of newly attached platforms that wait for a retry due now."""
        platforms, self._fresh = list(self._fresh), set()
        if not platforms:
            return
        async with self._uow_factory() as uow:
            await uow.outbox.hurry(platforms, now=self._clock.now())
            await uow.commit()

    async def run(self) -> None:
        """Deliver until cancelled or drained: on every wake-up and when a retry falls due."""
        while not self._stopping:
            self._wake.clear()
            try:
                await self.start()
                next_at = await self.run_once()
                await self._check_stuck_rooms()
            except Exception as exc:  # the database may be away: the rows are safe, try later
                log.exception("delivery pass failed; trying again shortly")
                if kind := database_error_kind(exc):
                    self.metrics.database_error(kind)
                next_at = self._clock.now() + timedelta(seconds=5)
            wait = IDLE_WAIT_SECONDS
            if next_at is not None:
                wait = min(wait, max(0.0, (next_at - self._clock.now()).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(wait, 0.05))

    async def _check_stuck_rooms(self) -> None:
        now = self._clock.now()
        if self._next_stuck_check is not None and now < self._next_stuck_check:
            return
        self._next_stuck_check = now + timedelta(seconds=self.policy.stuck_check_seconds)
        await self.tell_leads()

    async def tell_leads(self) -> int:
        """Tell each group's lead about rooms undeliverable for too long; how many told."""
        told = await tell_leads_of_stuck_rooms(
            self._uow_factory,
            now=self._clock.now(),
            after=timedelta(seconds=self.policy.stuck_after_seconds),
            locale=self._locale,
        )
        if told:
            self.wake()
        return told

    async def stop(self) -> None:
        """A shutdown begins: nothing to refuse here; `drain` sends what is left."""
        return None

    async def drain(self, deadline: float) -> int:
        """Stop the background loop and send what is due until `deadline` (the event loop's
        clock, `loop.time()`); return how many rows are still pending. What is left stays in
        the outbox for the next start."""
        self._stopping = True
        self._wake.set()
        try:
            async with asyncio.timeout_at(deadline):
                while await self._anything_due():
                    await self.run_once()
        except TimeoutError:
            log.warning("shutdown: the outbox was not empty when the grace period ended")
        return await self.pending_count()

    async def _anything_due(self) -> bool:
        platforms = list(self._senders)
        async with self._uow_factory() as uow:
            rooms = await uow.outbox.due_rooms(platforms, now=self._clock.now(), limit=1)
        return bool(rooms)

    async def pending_count(self) -> int:
        async with self._uow_factory() as uow:
            return await uow.outbox.pending_count()
