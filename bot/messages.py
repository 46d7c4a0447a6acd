"""What adapters hand to the core and what the core hands back: platform-neutral values."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain import Platform


@dataclass(frozen=True)
class RoomRef:
    platform: Platform
    room_id: str


@dataclass(frozen=True)
class Incoming:
    """One chat message (or button click) addressed to the bot, already stripped of the
    platform's command prefix."""

    platform: Platform
    room: str
    sender: str
    text: str
    event_id: str | None = None
    # Matrix: whether the room is end-to-end encrypted; Slack: whether the channel is private.
    # None where the platform has no such notion (the console).
    room_secure: bool | None = None
    locale: str | None = None
    display_name: str | None = None
    # Opaque to the core: what the adapter needs to answer this message privately later
    # (Slack: the requesting user, channel and response_url). Copied onto the replies that
    # answer it and kept with them in the outbox, so an answer survives a restart.
    reply_context: str | None = None
    # The room's people as (platform user id, display name), where the platform tells them
    # (Matrix): an argument naming a person may then be a display name unique in the room.
    people: tuple[tuple[str, str], ...] = ()
    # The adapter shows a refusal itself (a Slack form keeps it under the field it concerns):
    # the core hands it back as a `RefusedCommand` instead of sending it, stores nothing and
    # does not claim the event, so that the mended form can come again.
    keep_refusal: bool = False

    @property
    def room_ref(self) -> RoomRef:
        return RoomRef(self.platform, self.room)


class ReplyKind(StrEnum):
    ANSWER = "answer"  # the answer to a command, in the room it came from
    ERROR = "error"  # a refusal: one line, changes nothing
    ALERT = "alert"  # a flagged case, to every room bound to the group
    UPDATE = "update"  # a state change of a case, to the group's other rooms
    ESCALATION = "escalation"  # to the steering room
    REMINDER = "reminder"  # scheduled work
    RETRACTION = "retraction"  # take one of the bot's own messages back (retention); no text


@dataclass(frozen=True)
class Mention:
    """A member to notify; the adapter renders it natively (pill, <@U…>, @name)."""

    user_id: str
    display_name: str


@dataclass(frozen=True)
class Action:
    """A button offered with a reply; clicking it runs `command` as the clicking user."""

    name: str  # "ack", "take", "show"
    label: str
    command: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Reply:
    room: RoomRef
    text: str
    kind: ReplyKind = ReplyKind.ANSWER
    mentions: tuple[Mention, ...] = ()
    actions: tuple[Action, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    case_ref: str | None = None
    case_id: int | None = None
    # The event this reply answers (Matrix replies thread to it).
    in_reply_to: str | None = None
    # A stable identity of what this message is, e.g. "alert:PSP-2026-0001"; adapters derive
    # transaction ids from it so that a retried send cannot post the same message twice.
    message_key: str | None = None
    # Ask the adapter to redact the message this reply answers (the CPR guard).
    redact_source: bool = False
    # Extra, structured lines for adapters that render richer layouts (Slack blocks).
    fields: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # Message keys of earlier messages of the bot in the same room. `edit_of`: rewrite that
    # message in place with this one (Slack chat.update, Matrix m.replace); `thread_of`:
    # post this one in that message's thread (Slack thread_ts, Matrix m.thread). The
    # delivery worker resolves them to the platform's message ids (bot.ports.delivery).
    edit_of: str | None = None
    thread_of: str | None = None
    # The `reply_context` of the Incoming this reply answers (see there).
    reply_context: str | None = None
    # A RETRACTION: the platform's id of the bot's own message to take back (Matrix redacts,
    # Slack deletes). Written by the retention purge in its transaction (storage/retention.py).
    retracts: str | None = None


@dataclass(frozen=True)
class RefusedCommand:
    """A command the core refused, as a value for an adapter that shows it itself (see
    `Incoming.keep_refusal`). `key`: the catalogue key of the refusal; `about`: the part of the
    command it concerns, by the parsed command's field name ("due", "owner",
    "fallback_owner" …), None for the command as a whole; `reply`: the one-line answer,
    localized, that the core would have sent (never quoting a CPR number), for the adapter to
    post when it cannot show it where it wanted to."""

    key: str
    reply: Reply
    about: str | None = None

    @property
    def text(self) -> str:
        return self.reply.text
