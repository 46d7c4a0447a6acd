"""The outbox port: every message the bot decides to send is a row here first, written in
the transaction of the change that caused it, and leaves it only as delivered or dropped.

The serialized form of a Reply (`encode_reply`/`decode_reply`) is part of this contract:
storage seals it like every other free text and hands it back unchanged."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from bot.domain import GroupId, Platform
from bot.messages import Action, Attachment, Mention, Reply, ReplyKind, RoomRef

# Reply is part of this port's contract: storage reads it from here.
__all__ = [
    "OutboxBacklog",
    "OutboxEntry",
    "OutboxListing",
    "OutboxRepository",
    "OutboxStatus",
    "Reply",
    "RoomRef",
    "StuckRoom",
    "decode_reply",
    "encode_reply",
    "retraction",
]


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DROPPED = "dropped"


@dataclass(frozen=True)
class OutboxEntry:
    """One pending row as the delivery worker sees it."""

    id: int
    reply: Reply
    idempotency_key: str
    created_at: datetime
    due_at: datetime
    attempts: int
    ledger_key: str | None
    group_id: GroupId | None


@dataclass(frozen=True)
class OutboxListing:
    """A row as an operator sees it (`psp-bot outbox`): never its text."""

    id: int
    platform: Platform
    room_id: str
    kind: str
    status: OutboxStatus
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    reason: str | None
    group_id: GroupId | None


@dataclass(frozen=True)
class OutboxBacklog:
    """Pending rows of one platform (metrics, `/readyz`): never a room or a text."""

    platform: Platform
    pending: int
    oldest_created_at: datetime


@dataclass(frozen=True)
class StuckRoom:
    """A room whose oldest undelivered row is older than asked (pending or dropped)."""

    platform: Platform
    room_id: str
    group_id: GroupId
    since: datetime


class OutboxRepository(Protocol):
    async def add(
        self,
        replies: Sequence[Reply],
        *,
        at: datetime,
        due_at: datetime | None = None,
        group_id: GroupId | None = None,
        ledger_key: str | None = None,
        claim_until: datetime | None = None,
    ) -> Sequence[OutboxEntry]:
        """Queue the replies, in this order, in the caller's transaction. With
        `claim_until`, the rows of rooms that have nothing pending yet come back leased to
        the caller until then, so that it can send them right after its commit without
        claiming them first (the low-latency path of a command); otherwise none. A claim
        is the unit of work's last write: its commit follows, with nothing written between,
        so a database may commit with this statement."""
        ...

    async def claim_room(
        self,
        platform: Platform,
        room_id: str,
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
    ) -> Sequence[OutboxEntry]:
        """The room's first `limit` pending rows in order, leased to the caller until
        `lease_until`, if its oldest pending row is due (not waiting for a retry, not leased
        by someone else); otherwise none: a room's rows go out strictly in order."""
        ...

    async def due_rooms(
        self, platforms: Sequence[Platform], *, now: datetime, limit: int
    ) -> Sequence[tuple[Platform, str]]:
        """Rooms whose oldest pending row is due now."""
        ...

    async def next_attempt(self, platforms: Sequence[Platform]) -> datetime | None:
        """When the earliest pending row of these platforms becomes due (lease or backoff)."""
        ...

    async def release(self, ids: Sequence[int]) -> None:
        """Give leased rows back untried (due at once for the next taker)."""
        ...

    async def mark_delivered(
        self, entry_ids: Sequence[int], *, at: datetime, last: bool = False
    ) -> None:
        """Delivered, all in one statement: the rows' text is erased (it is in the room now),
        their metadata kept. `last`: the unit of work writes nothing after it, so on
        PostgreSQL it can carry what is held and be the whole transaction."""
        ...

    async def mark_retry(
        self, entry_id: int, *, next_attempt_at: datetime, reason: str
    ) -> None: ...

    async def mark_dropped(self, entry_id: int, *, reason: str, at: datetime) -> None: ...
    async def ledger_settled(self, ledger_key: str) -> bool:
        """True once no row of this ledger key is pending any more."""
        ...

    async def pending_count(self) -> int: ...
    async def backlog(self) -> Sequence[OutboxBacklog]:
        """Per platform with pending rows: how many, and when the oldest was written."""
        ...

    async def hurry(self, platforms: Sequence[Platform], *, now: datetime) -> None:
        """Make every pending row that waits for a retry due now (a fresh start)."""
        ...

    async def listing(
        self, *, statuses: Sequence[OutboxStatus], limit: int
    ) -> Sequence[OutboxListing]: ...
    async def requeue(self, *, ids: Sequence[int] | None, now: datetime) -> int:
        """Make dropped rows pending again (all of them when `ids` is None); how many."""
        ...

    async def stuck_rooms(self, *, older_than: datetime) -> Sequence[StuckRoom]:
        """Rooms of a group with an undelivered row (pending or dropped) created before
        `older_than`, and since when."""
        ...


def encode_reply(reply: Reply) -> str:
    data: dict[str, Any] = {
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
        "edit_of": reply.edit_of,
        "thread_of": reply.thread_of,
        "reply_context": reply.reply_context,
        "retracts": reply.retracts,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode_reply(raw: str) -> Reply:
    data = json.loads(raw)
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
        edit_of=data.get("edit_of"),
        thread_of=data.get("thread_of"),
        reply_context=data.get("reply_context"),
        retracts=data.get("retracts"),
    )


def retraction(room: RoomRef, message_id: str) -> Reply:
    """The outbox row that takes one of the bot's own messages back (retention)."""
    return Reply(room=room, text="", kind=ReplyKind.RETRACTION, retracts=message_id)
