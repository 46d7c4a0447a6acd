"""One send of an outbox row and its answer, before the worker records it; and the labels
the metrics count deliveries by (fixed vocabularies only)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.messages import Reply, ReplyKind
from bot.metrics import Metrics
from bot.ports import NotificationKey, UnitOfWork
from bot.ports.delivery import ChatSender, Dropped, Retracting, SendResult, Sent
from bot.ports.outbox import OutboxEntry


@dataclass(frozen=True)
class Attempt:
    """A row's send and its answer, before it is recorded."""

    entry: OutboxEntry
    result: SendResult
    late: bool


def message_kind(entry: OutboxEntry) -> str:
    """A metrics label: the scheduler's notice kind (escalation, reminder, followup,
    fallback) for a ledger row, else the reply's kind (alert, update, answer …)."""
    if entry.ledger_key is not None:
        return NotificationKey.decode(entry.ledger_key).kind
    return entry.reply.kind.value


def reason_code(reason: str) -> str:
    """A reason as a metrics label: a platform's error code, never free text."""
    return re.sub(r"[^A-Za-z0-9_.:-]", "_", reason)[:40] or "unknown"


async def retract(sender: ChatSender, reply: Reply) -> SendResult:
    if reply.retracts is None or not isinstance(sender, Retracting):
        return Sent()  # a platform that cannot take messages back has nothing to do
    return await sender.retract(reply.room.room_id, reply.retracts)


def remembered(attempt: Attempt) -> bool:
    """A delivered message whose platform id is kept (for edits, threads and retraction)."""
    result, kind = attempt.result, attempt.entry.reply.kind
    return (
        isinstance(result, Sent)
        and bool(result.message_id)
        and kind not in (ReplyKind.ERROR, ReplyKind.RETRACTION)
    )


async def mark_settled_keys(uow: UnitOfWork, keys: Iterable[str], now: datetime) -> set[str]:
    """Mark sent the scheduler's ledger keys none of whose rows is pending any more; the
    others come back."""
    left: set[str] = set()
    for key in sorted(keys):
        if await uow.outbox.ledger_settled(key):
            await uow.ledger.mark_sent(NotificationKey.decode(key), at=now)
        else:
            left.add(key)
    return left


def count(metrics: Metrics, attempt: Attempt) -> None:
    """Metrics by platform, message kind and reason code: never a room or a text."""
    platform = attempt.entry.reply.room.platform.value
    result = attempt.result
    if isinstance(result, Sent):
        metrics.delivered(platform, message_kind(attempt.entry), late=attempt.late)
    else:
        dropped = isinstance(result, Dropped)
        metrics.delivery_failure(platform, reason_code(result.reason), dropped=dropped)
