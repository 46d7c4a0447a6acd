"""Replies kept in the database until they are delivered.

The core commits a command's effects and claims its event id in one transaction; if the bot
dies before the replies are out, the re-delivered event is (rightly) not handled again, so
the replies themselves must survive: they are written here in that same transaction (the
core's `before_commit` hook) and removed after delivery.
Sends that failed for good (homeserver down, rate limited too long) stay here for a retry.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.domain import Platform
from bot.messages import Action, Attachment, Mention, Reply, ReplyKind, RoomRef


class StateStore(Protocol):
    async def load_state(self, key: str) -> str | None: ...
    async def save_state(self, key: str, value: str) -> None: ...


class TransactionalState(Protocol):
    async def put(self, key: str, value: str, *, at: datetime) -> None: ...


def reply_to_json(reply: Reply) -> dict[str, Any]:
    return {
        "platform": reply.room.platform.value,
        "room": reply.room.room_id,
        "text": reply.text,
        "kind": reply.kind.value,
        "mentions": [[m.user_id, m.display_name] for m in reply.mentions],
        "actions": [[a.name, a.label, a.command] for a in reply.actions],
        "attachments": [
            [a.filename, a.media_type, base64.b64encode(a.data).decode()] for a in reply.attachments
        ],
        "case_ref": reply.case_ref,
        "case_id": reply.case_id,
        "in_reply_to": reply.in_reply_to,
        "message_key": reply.message_key,
        "redact_source": reply.redact_source,
        "fields": [list(f) for f in reply.fields],
    }


def reply_from_json(data: dict[str, Any]) -> Reply:
    return Reply(
        room=RoomRef(Platform(data["platform"]), data["room"]),
        text=data["text"],
        kind=ReplyKind(data["kind"]),
        mentions=tuple(Mention(u, n) for u, n in data["mentions"]),
        actions=tuple(Action(n, label, c) for n, label, c in data["actions"]),
        attachments=tuple(Attachment(f, t, base64.b64decode(d)) for f, t, d in data["attachments"]),
        case_ref=data["case_ref"],
        case_id=data["case_id"],
        in_reply_to=data["in_reply_to"],
        message_key=data["message_key"],
        redact_source=data["redact_source"],
        fields=tuple((k, v) for k, v in data["fields"]),
    )


class Outbox:
    """A list of undelivered replies under one state key (the adapter is its only writer)."""

    def __init__(self, store: StateStore, key: str) -> None:
        self._store = store
        self._key = key

    async def load(self) -> list[Reply]:
        raw = await self._store.load_state(self._key)
        return [reply_from_json(item) for item in json.loads(raw)] if raw else []

    async def save(self, replies: list[Reply]) -> None:
        await self._store.save_state(self._key, self._encode(replies))

    async def stash(self, store: TransactionalState, replies: list[Reply]) -> None:
        """Write the list inside someone else's transaction (the command's own, see
        PspBot.handle), so the replies are kept exactly when the command is."""
        await store.put(self._key, self._encode(replies), at=datetime.now(UTC))

    @staticmethod
    def _encode(replies: list[Reply]) -> str:
        return json.dumps([reply_to_json(r) for r in replies]) if replies else ""
