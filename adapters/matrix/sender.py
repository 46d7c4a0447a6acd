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

from adapters.matrix.files import upload_file
from adapters.matrix.rendering import render_outgoing
from bot.domain import Platform
from bot.i18n import translate
from bot.messages import Reply, ReplyKind, RoomRef
from bot.ports.delivery import Dropped, Outgoing, Retry, SendResult, Sent
from bot.runtime import Router

log = logging.getLogger(__name__)

ALERT_STATE = "matrix:alert:"  # + event id -> case ref, so a ✅ reaction means `ack <ref>`
REDACT_WARNED = "matrix:redact-warned:"  # + room id: told the room once that we cannot redact

PrepareRoom = Callable[[str], Awaitable[None]]


# Refusals a retry cannot cure: the row is dropped with the code as its reason.
PERMANENT_REFUSALS = frozenset({"M_FORBIDDEN", "M_NOT_FOUND", "M_BAD_JSON", "M_TOO_LARGE"})
NETWORK_ERRORS = (aiohttp.ClientError, OSError, TimeoutError)
# A room the synced client does not know: dropped at this attempt (about a minute of
# backoff: 2, 4, 8, 16, 32 s), with this reason.
NOT_IN_ROOM_ATTEMPTS = 6
NOT_IN_ROOM = "not-in-room"


class MatrixSender:
    def __init__(
        self,
        client: AsyncClient,
        router: Router,
        *,
        locale: str,
        prepare_room: PrepareRoom | None = None,
        synced: Callable[[], bool] | None = None,
    ) -> None:
        self._client = client
        # Has the client finished a sync since it started (so that it knows its rooms)?
        self._synced = synced or (lambda: bool(client.next_batch))
        self._router = router
        self._locale = locale
        self._prepare_room = prepare_room

    async def send(self, message: Outgoing) -> SendResult:
        reply = message.reply
        room_id = reply.room.room_id
        if reply.redact_source and reply.in_reply_to:
            await self._redact_source(room_id, reply.in_reply_to)
        # The row's idempotency key is the transaction id: a send retried after a timeout
        # or a crash makes Synapse return the first event instead of posting it twice.
        content = render_outgoing(message)
        tx_id = f"psp-{message.idempotency_key}"
        result = await self._post(room_id, content, tx_id, attempt=message.attempt)
        first_post = reply.kind is ReplyKind.ALERT and message.edit_target is None
        if isinstance(result, Sent) and first_post and reply.case_ref:
            await self._router.save_state(ALERT_STATE + str(result.message_id), reply.case_ref)
        if isinstance(result, Sent) and reply.attachments and message.edit_target is None:
            return await self._send_files(message, result)
        return result

    async def _send_files(self, message: Outgoing, text: Sent) -> SendResult:
        """Each attachment as an `m.file` after the text, in the same thread. A failure
        retries the whole row: the text's transaction id keeps it from posting twice."""
        room_id = message.reply.room.room_id
        encrypted = room_id in self._client.encrypted_rooms
        for index, attachment in enumerate(message.reply.attachments):
            content = await upload_file(
                self._client, attachment, encrypt=encrypted, network_errors=NETWORK_ERRORS
            )
            if not isinstance(content, dict):
                return content
            if message.thread_root is not None:
                content["m.relates_to"] = {
                    "rel_type": "m.thread",
                    "event_id": message.thread_root,
                    "is_falling_back": True,
                    "m.in_reply_to": {"event_id": str(text.message_id)},
                }
            tx_id = f"psp-{message.idempotency_key}-file{index}"
            result = await self._post(room_id, content, tx_id)
            if not isinstance(result, Sent):
                return result
        return text

    async def _post(
        self, room_id: str, content: dict[str, object], tx_id: str, *, attempt: int = 1
    ) -> SendResult:
        for _check in range(2):
            try:
                if self._prepare_room is not None and room_id in self._client.encrypted_rooms:
                    await self._prepare_room(room_id)
                answer = await self._client.room_send(
                    room_id, "m.room.message", content, tx_id=tx_id
                )
            except OlmUnverifiedDeviceError:
                # A device appeared between the trust check and the send: check again.
                continue
            except LocalProtocolError:
                return self._unknown_room(attempt)
            except NETWORK_ERRORS as exc:
                log.warning("sending to a Matrix room failed: %s", type(exc).__name__)
                return Retry(reason="network")
            if isinstance(answer, RoomSendResponse):
                return Sent(str(answer.event_id))
            assert isinstance(answer, RoomSendError)
            return refusal(answer)
        log.warning("a room kept gaining unchecked devices; message not sent")
        return Retry(reason="unchecked-devices")

    def _unknown_room(self, attempt: int) -> SendResult:
        """The client does not know the room (nio refuses to encrypt for it). Before the
        first sync that is a matter of time; after it, the bot is not in the room (never
        invited, removed, the room gone): retried a few times, then dropped, and the group's
        lead is told (bot/delivery/leads.py)."""
        if self._synced() and attempt >= NOT_IN_ROOM_ATTEMPTS:
            return Dropped(reason=NOT_IN_ROOM)
        return Retry(reason="room-not-synced")

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
        await self._router.save_state(REDACT_WARNED + room_id, "1")
        # We are inside a send to this very room: the notice follows through the outbox.
        await self._router.enqueue([notice])

    async def retract(self, room_id: str, message_id: str) -> SendResult:
        """Redact one of the bot's own messages (a retention RETRACTION row). The
        transaction id is the message's: a retry cannot redact twice."""
        try:
            answer = await self._client.room_redact(
                room_id, message_id, reason="retention", tx_id=f"psp-retract-{message_id}"
            )
        except NETWORK_ERRORS as exc:
            log.warning("redacting in a Matrix room failed: %s", type(exc).__name__)
            return Retry(reason="network")
        if isinstance(answer, RoomRedactResponse):
            return Sent()
        assert isinstance(answer, RoomRedactError)
        if answer.status_code == "M_NOT_FOUND":
            return Sent()  # already gone
        return refusal(answer)


def refusal(answer: RoomSendError | RoomRedactError) -> SendResult:
    """A homeserver's refusal as the delivery contract's answer."""
    code = str(answer.status_code or "unknown")
    log.warning("Matrix refused: %s", code)
    if code in PERMANENT_REFUSALS:
        return Dropped(reason=code)  # retrying cannot help (e.g. the bot was removed)
    if code == "M_LIMIT_EXCEEDED":
        wait_ms = getattr(answer, "retry_after_ms", None)
        return Retry(reason=code, after=wait_ms / 1000 if wait_ms else None)
    return Retry(reason=code)
