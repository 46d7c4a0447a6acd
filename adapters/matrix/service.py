"""The Matrix bot: one sync loop that turns `!psp …` messages and ✅ reactions into commands.

Restart safety: the sync checkpoint lives in the database and advances only after every event
of a batch was handled; a command's replies are in the core's outbox from its own transaction
on, and the delivery worker sends them. On the very first start the bot only looks: nothing
from before it started is acted on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from nio import (
    AsyncClient,
    InviteMemberEvent,
    JoinError,
    MatrixRoom,
    MegolmEvent,
    ReactionEvent,
    RoomLeaveError,
    RoomMemberEvent,
    RoomMessagesResponse,
    RoomMessageText,
    SyncError,
    SyncResponse,
)

from adapters.matrix.config import CRYPTO_STATE_DATABASE, MatrixConfig
from adapters.matrix.mentions import message_command, room_people
from adapters.matrix.rendering import ACK_REACTIONS
from adapters.matrix.sender import ALERT_STATE, MatrixSender
from adapters.matrix.session import NETWORK_ERRORS, SessionError, open_client
from adapters.matrix.standby import serve_while_holding
from adapters.matrix.trust import TrustPolicy
from adapters.matrix.undecryptable import UnreadMessages
from adapters.matrix.vault import open_vault
from bot.config import Settings
from bot.domain import Platform
from bot.messages import Incoming
from bot.runtime import Router
from bot.shutdown import unless_set

log = logging.getLogger(__name__)

SYNC_FILTER: dict[str, Any] = {
    "room": {"timeline": {"limit": 50}, "state": {"lazy_load_members": False}},
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
}
MAX_BACKOFF_S = 60.0
DISPATCH_ATTEMPTS = 8  # 1+2+4+…+60 s: about four minutes


class MatrixService:
    def __init__(self, config: MatrixConfig, router: Router, settings: Settings) -> None:
        self.config = config
        self.router = router
        self.locale = settings.locale
        self.client: AsyncClient | None = None
        self.sender: MatrixSender | None = None
        self.trust: TrustPolicy | None = None
        self.synced = asyncio.Event()  # set after every handled batch (tests wait on it)
        self.last_sync: float | None = None  # time.monotonic() of the last handled batch
        self._checkpoint_key = f"matrix:since:{config.user_id}"
        self._unread: UnreadMessages | None = None  # per client: what it could not decrypt
        self._invites_seen: set[str] = set()
        self._stopping = asyncio.Event()  # stop() was called
        self._halt = asyncio.Event()  # stop serving: stop() or the device lease was lost
        self._stopped = asyncio.Event()
        # With the device in PostgreSQL: who may use it (one process at a time).
        self._lease = (
            router.leader_for(f"matrix:{config.user_id}")
            if config.crypto_state == CRYPTO_STATE_DATABASE
            else None
        )

    platform_name = "matrix"

    def health(self) -> tuple[bool, str]:
        """Ready while syncs come back: one long poll plus a minute of slack."""
        if self.last_sync is None:
            return False, "not synced with the homeserver yet"
        age = time.monotonic() - self.last_sync
        if age > self.config.sync_timeout_ms / 1000 + 60:
            return False, f"last sync {age:.0f} s ago"
        return True, f"syncing (last sync {age:.0f} s ago)"

    async def run(self) -> None:
        try:
            await self._run()
        finally:
            self._stopped.set()

    async def stop(self) -> None:
        """Sync no more; return once the batch being handled is done (its checkpoint saved).
        What is parked in the outbox stays there for the next start."""
        self._stopping.set()
        self._halt.set()
        await self._stopped.wait()

    async def _run(self) -> None:
        if self._lease is None:
            self._halt = asyncio.Event()
            if not self._stopping.is_set():
                await self._serve()
            return
        await serve_while_holding(
            self._lease,
            self._stopping,
            self._serve_until_halted,
            check_seconds=self.config.takeover_check_seconds,
            fatal=(SessionError,),
        )

    async def _serve_until_halted(self, halt: asyncio.Event) -> None:
        self._halt = halt
        if self._stopping.is_set():
            halt.set()
        await self._serve()

    async def _serve(self) -> None:
        vault = open_vault(self.config)
        try:
            self.client = await open_client(self.config, vault)
            # What the last holder of the device could not decrypt is read from the database.
            self._unread = UnreadMessages(self.client, self.router, self.config, self.locale)
            try:
                self.trust = trust = TrustPolicy(
                    self.client, self.config, self.router, locale=self.locale, vault=vault
                )
                self.sender = MatrixSender(
                    self.client,
                    self.router,
                    locale=self.locale,
                    prepare_room=trust.prepare_room,
                    synced=lambda: self.last_sync is not None,
                )
                self.router.attach(Platform.MATRIX, self.sender)
                await trust.bootstrap_cross_signing()
                await self._sync_loop()
            finally:
                self.router.detach(Platform.MATRIX, self.sender)
                await self.client.close()
        finally:
            vault.close()

    # --- the loop -------------------------------------------------------------------------

    async def _sync_loop(self) -> None:
        assert self.client is not None
        since = await self.router.load_state(self._checkpoint_key) or None
        first_ever = since is None
        full_state = True  # nio keeps rooms in memory only: rebuild them on every start
        delay = 1.0
        while not self._halt.is_set():
            try:
                # Only the long poll is cut short by a stop, never the handling of a batch.
                answer = await unless_set(
                    self._halt,
                    self.client.sync(
                        timeout=self._sync_timeout(full_state),
                        since=since,
                        full_state=full_state,
                        sync_filter=SYNC_FILTER,
                    ),
                    suppress=NETWORK_ERRORS,
                )
            except NETWORK_ERRORS:
                answer = None
            if self._halt.is_set():
                return  # nothing of an interrupted sync was handled: the checkpoint stays
            if not isinstance(answer, SyncResponse):
                if isinstance(answer, SyncError) and answer.status_code == "M_UNKNOWN_TOKEN":
                    raise SessionError("the homeserver no longer accepts the bot's access token")
                log.warning("Matrix homeserver unreachable; retrying in %.0f s", delay)
                await unless_set(self._halt, asyncio.sleep(delay))
                delay = min(delay * 2, MAX_BACKOFF_S)
                continue
            delay = 1.0
            if self.trust is not None:
                self.trust.forget(answer.device_list.changed)
            await self._crypto_housekeeping()
            await self._handle_invites(answer)
            if not first_ever:
                for room_id, info in answer.rooms.join.items():
                    await self._handle_room(room_id, info.timeline, since)
            assert self._unread is not None
            await self._unread.retry(self._on_event)
            if full_state and self.trust is not None:
                await self.trust.announce_new_device(list(self.client.rooms))
            # Rooms the client had not synced yet may have replies waiting for them.
            self.router.delivery.wake()
            # Only now is every event of this batch handled: move the checkpoint past it.
            await self.router.save_state(self._checkpoint_key, answer.next_batch)
            since, first_ever, full_state = answer.next_batch, False, False
            self.last_sync = time.monotonic()
            self.router.metrics.matrix_synced()
            self.synced.set()
            self.synced.clear()

    def _sync_timeout(self, full_state: bool) -> int:
        return 0 if full_state else self.config.sync_timeout_ms

    async def _crypto_housekeeping(self) -> None:
        client = self.client
        assert client is not None
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except NETWORK_ERRORS:
            log.warning("Matrix key maintenance failed; it is retried after the next sync")

    # --- invitations -----------------------------------------------------------------------

    async def _handle_invites(self, answer: SyncResponse) -> None:
        client = self.client
        assert client is not None
        for room_id, info in answer.rooms.invite.items():
            if room_id in self._invites_seen:
                continue
            inviter = next(
                (
                    e.sender
                    for e in info.invite_state
                    if isinstance(e, InviteMemberEvent)
                    and e.state_key == client.user_id
                    and e.membership == "invite"
                ),
                None,
            )
            accept = inviter is not None and self.config.invite_allowed(inviter)
            try:
                answer = await (client.join(room_id) if accept else client.room_leave(room_id))
            except NETWORK_ERRORS:
                continue  # the invitation is still there at the next sync
            if isinstance(answer, (JoinError, RoomLeaveError)):
                log.warning("answering an invitation failed: %s", answer.status_code)
                continue
            self._invites_seen.add(room_id)
            if not accept:
                log.warning("rejected an invitation from a user not on the allowlist")

    # --- room events -----------------------------------------------------------------------

    async def _handle_room(self, room_id: str, timeline: Any, since: str | None) -> None:
        client = self.client
        assert client is not None
        room = client.rooms.get(room_id)
        if room is None:
            return
        events = list(timeline.events)
        if timeline.limited and timeline.prev_batch and since:
            events = await self._fetch_gap(room_id, timeline.prev_batch, since) + events
        # A room we just joined shows some history: act only on what follows our own join.
        for index, event in enumerate(events):
            if (
                isinstance(event, RoomMemberEvent)
                and event.state_key == client.user_id
                and event.membership == "join"
                and (event.prev_membership or "leave") != "join"
            ):
                events = events[index + 1 :]
                break
        for event in events:
            await self._on_event(room, event)

    async def _fetch_gap(self, room_id: str, start: str, since: str) -> list[Any]:
        """Events of a limited timeline between our checkpoint and what the sync showed."""
        assert self.client is not None
        older: list[Any] = []
        token: str | None = start
        for _page in range(20):  # at most 2000 events: a long outage, but not unbounded
            answer = await self.client.room_messages(room_id, start=token, end=since, limit=100)
            if not isinstance(answer, RoomMessagesResponse) or not answer.chunk:
                break
            older.extend(answer.chunk)
            if answer.end is None or answer.end == token:
                break
            token = answer.end
        older.reverse()
        return older

    async def _on_event(self, room: MatrixRoom, event: Any) -> None:
        client = self.client
        assert client is not None
        if getattr(event, "sender", None) == client.user_id:
            return
        if isinstance(event, MegolmEvent):
            assert self._unread is not None
            await self._unread.note(room, event)
            return
        if isinstance(event, RoomMessageText):
            # `!psp …` or a message that begins with the bot's pill; pills read as user ids.
            found = message_command(event.source.get("content"), event.body, room, client.user_id)
            if found is None:
                return
            text = found
        elif isinstance(event, ReactionEvent) and event.key in ACK_REACTIONS:
            ref = await self.router.load_state(ALERT_STATE + event.reacts_to)
            if ref is None:
                return
            text = f"ack {ref}"
        else:
            return  # m.notice (other bots), edits, everything else
        received = getattr(event, "server_timestamp", None)
        if isinstance(received, int) and received > 0:
            self.router.metrics.matrix_sync(time.time() - received / 1000)
        incoming = Incoming(
            platform=Platform.MATRIX,
            room=room.room_id,
            sender=event.sender,
            text=text,
            event_id=event.event_id,
            room_secure=room.encrypted,
            display_name=room.user_name(event.sender) or event.sender,
            people=room_people(room),
        )
        # A database outage must not lose the command: retry (the core's event-id claim makes
        # that safe), but give up on one event after a few minutes so it cannot block the rest.
        delay = 1.0
        for attempt in range(1, DISPATCH_ATTEMPTS + 1):
            try:
                await self.dispatch(incoming)
                return
            except Exception as exc:
                # Only the type: database errors quote their parameters, i.e. case text.
                problem = type(exc).__name__
                if attempt == DISPATCH_ATTEMPTS:
                    log.error("a Matrix command failed %d times (%s); skipped", attempt, problem)
                    return
                log.warning("a Matrix command failed (%s); retrying in %.0f s", problem, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)

    async def dispatch(self, incoming: Incoming) -> None:
        """Handle one command; its replies are in the outbox until they are delivered."""
        await self.router.process(incoming)
