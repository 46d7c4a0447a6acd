"""Messages the bot could not decrypt yet: never acted on unread. The bot asks for the key and
looks again after later syncs; after `undecryptable_wait_seconds` it tells the sender once.
The list is kept in the database, so that a restart (or a standby taking the device over)
neither forgets them nor tells the sender twice."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from nio import AsyncClient, MatrixRoom, MegolmEvent, RoomGetEventResponse
from nio.exceptions import EncryptionError, LocalProtocolError

from adapters.matrix.config import MatrixConfig
from adapters.matrix.session import NETWORK_ERRORS
from bot.domain import Platform
from bot.i18n import translate
from bot.messages import Mention, Reply, ReplyKind, RoomRef
from bot.runtime import Router

OnEvent = Callable[[MatrixRoom, Any], Awaitable[None]]


class UnreadMessages:
    def __init__(
        self, client: AsyncClient, router: Router, config: MatrixConfig, locale: str
    ) -> None:
        self._client = client
        self._router = router
        self._config = config
        self._locale = locale
        # event id -> (room, event, first seen in epoch seconds)
        self._pending: dict[str, tuple[MatrixRoom, MegolmEvent, float]] = {}
        self._key = f"matrix:undecryptable:{config.user_id}"
        self._restored = False

    async def note(self, room: MatrixRoom, event: MegolmEvent) -> None:
        """An event we cannot read: remember it and ask the sender's devices for its key."""
        if event.event_id not in self._pending:
            self._pending[event.event_id] = (room, event, time.time())
            self._router.metrics.matrix_undecryptable()
            await self._save()
        with contextlib.suppress(LocalProtocolError):  # already requested
            await self._client.request_room_key(event)

    async def retry(self, on_event: OnEvent) -> None:
        """After a sync: hand over what can be read now; tell the sender about what waited
        too long."""
        if not self._restored:
            self._restored = True
            await self._restore(on_event)
        now = time.time()
        before = set(self._pending)
        for event_id, (room, event, first_seen) in list(self._pending.items()):
            try:
                decrypted = self._client.decrypt_event(event)
            except EncryptionError:
                if now - first_seen < self._config.undecryptable_wait_seconds:
                    continue
                del self._pending[event_id]
                await self._tell(room, event)
                continue
            del self._pending[event_id]
            await on_event(room, decrypted)
        if set(self._pending) != before:
            await self._save()

    async def _save(self) -> None:
        pending = {e: [room.room_id, seen] for e, (room, _ev, seen) in self._pending.items()}
        await self._router.save_state(self._key, json.dumps(pending))

    async def _restore(self, on_event: OnEvent) -> None:
        """After a restart: fetch the messages still unread before it, and look again."""
        client = self._client
        raw = await self._router.load_state(self._key)
        for event_id, (room_id, first_seen) in (json.loads(raw) if raw else {}).items():
            room = client.rooms.get(room_id)
            if room is None or event_id in self._pending:
                continue
            try:
                answer = await client.room_get_event(room_id, event_id)
            except NETWORK_ERRORS:
                continue
            if not isinstance(answer, RoomGetEventResponse):
                continue
            if isinstance(answer.event, MegolmEvent):
                self._pending[event_id] = (room, answer.event, float(first_seen))
            else:  # its key arrived meanwhile
                await on_event(room, answer.event)

    async def _tell(self, room: MatrixRoom, event: MegolmEvent) -> None:
        name = room.user_name(event.sender) or event.sender
        reply = Reply(
            room=RoomRef(Platform.MATRIX, room.room_id),
            text=translate(self._locale, "matrix.undecryptable", user=name),
            kind=ReplyKind.ERROR,
            mentions=(Mention(event.sender, name),),
            in_reply_to=event.event_id,
        )
        await self._router.post([reply])
