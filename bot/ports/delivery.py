"""The delivery contract between the core's outbox and each platform's sender.

Every message the bot decides to send is an outbox row first (written in the transaction of
the change that caused it); a delivery worker hands rows to the platform's sender one at a
time, in order per room, and the sender answers with a value, never a swallowed exception:

- `Sent(message_id)`: the platform has it (the id, where the platform has one, is kept so
  that the message can later be edited, threaded under, or retracted);
- `Retry(after, reason)`: a transient failure (timeout, 5xx, 429); try again after `after`
  seconds (the platform's Retry-After) or the worker's own backoff when None;
- `Dropped(reason)`: the platform refused for good (room gone, bot removed, too large);
  recorded with the reason code and never retried by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.messages import Reply


@dataclass(frozen=True)
class Sent:
    message_id: str | None = None


@dataclass(frozen=True)
class Retry:
    reason: str
    after: float | None = None


@dataclass(frozen=True)
class Dropped:
    reason: str


SendResult = Sent | Retry | Dropped


@dataclass(frozen=True)
class Outgoing:
    """One outbox row as its sender sees it. `idempotency_key` is stable across attempts and
    restarts (Matrix uses it as the transaction id). `edit_target` and `thread_root` are the
    platform message ids that `reply.edit_of` and `reply.thread_of` resolved to (None when
    that message was never delivered or is unknown: the sender then posts a new message)."""

    reply: Reply
    idempotency_key: str
    attempt: int = 1
    edit_target: str | None = None
    thread_root: str | None = None


class ChatSender(Protocol):
    async def send(self, message: Outgoing) -> SendResult: ...


@runtime_checkable
class Retracting(Protocol):
    """A sender that can take one of the bot's own messages back (a RETRACTION row: Matrix
    redacts, Slack deletes). A platform without it has nothing to take back: the row counts
    as delivered. Answers like `send`: Sent once the message is gone (or was already)."""

    async def retract(self, room_id: str, message_id: str) -> SendResult: ...
