"""Posting the core's replies to Matrix rooms, and taking the bot's own messages back."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import aiohttp
from nio import (
    AsyncClient,
    RoomRedactError,
    RoomRedactResponse,
    RoomSendError,
    RoomSendResponse,
)
from nio.exceptions import LocalProtocolError, OlmUnverifiedDeviceError

from adapters.matrix.rendering import render, transaction_id
from bot.domain import Platform
from bot.i18n import translate
from bot.messages import Reply, ReplyKind, RoomRef
from bot.runtime import Router

log = logging.getLogger(__name__)

ALERT_STATE = "matrix:alert:"  # + event id -> case ref, so a ✅ reaction means `ack <ref>`
REDACT_WARNED = "matrix:redact-warned:"  # + room id: told the room once that we cannot redact

PrepareRoom = Callable[[str], Awaitable[None]]


# Refusals a retry cannot cure: the reply is dropped (and logged) instead of parked forever.
PERMANENT_REFUSALS = frozenset({"M_FORBIDDEN", "M_NOT_FOUND", "M_BAD_JSON", "M_TOO_LARGE"})


class SendFailed(Exception):
    """A reply could not be posted after the allowed attempts (kept for a later retry)."""


class SendDropped(Exception):
    """The homeserver refused a reply for good; it is not retried."""


class MatrixSender:
    def __init__(
        self,
        client: AsyncClient,
        router: Router,
        *,
        locale: str,
        prepare_room: PrepareRoom | None = None,
    ) -> None:
        self._client = client
        self._router = router
        self._locale = locale
        self._prepare_room = prepare_room
        self.failed: list[Reply] = []

    async def send(self, reply: Reply) -> str | None:
        room_id = reply.room.room_id
        if reply.redact_source and reply.in_reply_to:
            await self._redact_source(room_id, reply.in_reply_to)
        try:
            event_id = await self._post(room_id, render(reply), transaction_id(reply))
        except SendFailed:
            self.failed.append(reply)
            return None
        except SendDropped:
            return None
        if reply.kind is ReplyKind.ALERT and reply.case_ref:
            await self._router.save_state(ALERT_STATE + event_id, reply.case_ref)
        return event_id

    async def _post(self, room_id: str, content: dict[str, object], tx_id: str | None) -> str:
        for _attempt in range(2):
            if self._prepare_room is not None and room_id in self._client.encrypted_rooms:
                await self._prepare_room(room_id)
            try:
                answer = await self._client.room_send(
                    room_id, "m.room.message", content, tx_id=tx_id
                )
            except OlmUnverifiedDeviceError:
                # A device appeared between the trust check and the send: check again.
                continue
            except (aiohttp.ClientError, OSError, TimeoutError, LocalProtocolError) as exc:
                # LocalProtocolError: a room the client has not synced yet (parked, retried).
                log.warning("sending to a Matrix room failed: %s", type(exc).__name__)
                raise SendFailed from None
            if isinstance(answer, RoomSendResponse):
                return str(answer.event_id)
            assert isinstance(answer, RoomSendError)
            log.warning("Matrix refused a message: %s", answer.status_code)
            if answer.status_code in PERMANENT_REFUSALS:
                raise SendDropped  # retrying cannot help (e.g. the bot was removed)
            raise SendFailed
        log.warning("a room kept gaining unchecked devices; message not sent")
        raise SendFailed

    async def _redact_source(self, room_id: str, event_id: str) -> None:
        """The CPR guard: remove the offending message; if we may not, say so once."""
        room = self._client.rooms.get(room_id)
        allowed = room is None or room.power_levels.can_user_redact(self._client.user_id)
        if allowed:
            answer = await self._client.room_redact(
                room_id, event_id, reason="CPR", tx_id=f"psp-redact-{event_id}"
            )
            if isinstance(answer, RoomRedactResponse):
                return
            assert isinstance(answer, RoomRedactError)
            log.warning("redaction refused: %s", answer.status_code)
        if await self._router.load_state(REDACT_WARNED + room_id):
            return
        text = translate(self._locale, "matrix.cannot_redact")
        notice = Reply(room=RoomRef(Platform.MATRIX, room_id), text=text, kind=ReplyKind.ERROR)
        try:
            await self._post(room_id, render(notice), f"psp-redact-warning-{room_id}")
        except (SendFailed, SendDropped):
            return
        await self._router.save_state(REDACT_WARNED + room_id, "1")

    async def retract(self, room_id: str, message_id: str) -> bool:
        """Redact one of the bot's own messages (the data-protection purge calls this)."""
        answer = await self._client.room_redact(
            room_id, message_id, reason="retention", tx_id=f"psp-retract-{message_id}"
        )
        return isinstance(answer, RoomRedactResponse)
