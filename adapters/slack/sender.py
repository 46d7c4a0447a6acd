"""Posts the core's replies to Slack. Alerts carry buttons; a rewrite of an alert (the core's
`edit_of`, resolved to the alert's `ts`) becomes `chat.update`, and a case's updates go into
the alert's thread (`thread_of` -> `thread_ts`), where the people they mention are notified.
Answers and refusals go only to the person who asked (ephemeral), so a `show` does not
spread case details further than needed."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from adapters.slack.blocks import render
from adapters.slack.webapi import SlackApi, SlackCallError
from bot.messages import Reply, ReplyKind
from bot.ports.delivery import Dropped, Outgoing, Retry, SendResult, Sent

log = logging.getLogger(__name__)

# Adapter state of a message with files being sent (see `SlackSender._steps`).
STEPS_PREFIX = "slack.upload:"


# An alert that is gone (deleted by a workspace admin, or too old to edit): its rewrite is
# dropped; the change itself is still told in the thread.
LOST_ORIGINALS = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})

# Answers Slack gives for a message that no retry can deliver: the row is dropped with the
# code as its reason (the admin sees it in `psp-bot outbox` and can retry it once fixed).
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "msg_too_long",
        "invalid_blocks",
        "invalid_blocks_format",
        "no_text",
        "too_many_attachments",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "cannot_reply_to_message",
        "account_inactive",
        "token_revoked",
        "invalid_auth",
        "not_authed",
        "missing_scope",
        "ekm_access_denied",
        "team_access_not_granted",
        "user_not_in_channel",
    }
)


@dataclass(frozen=True)
class Requester:
    """Who sent the event a reply answers, and where Slack lets us answer them privately.
    Travels with the reply through the outbox as its `reply_context`."""

    user: str
    channel: str
    response_url: str | None = None

    def to_context(self) -> str:
        return json.dumps([self.user, self.channel, self.response_url])

    @classmethod
    def from_context(cls, context: str | None) -> Requester | None:
        if not context:
            return None
        try:
            user, channel, response_url = json.loads(context)
        except (ValueError, TypeError):
            return None
        return cls(str(user), str(channel), response_url if isinstance(response_url, str) else None)


def outcome(error: SlackCallError) -> SendResult:
    if error.retry_after is not None:
        return Retry(reason=error.code, after=error.retry_after)
    if error.code in PERMANENT_ERRORS:
        return Dropped(reason=error.code)
    return Retry(reason=error.code)


class Progress(Protocol):
    """Where a sender keeps the step a message reached (the router's adapter state)."""

    async def load_state(self, key: str) -> str | None: ...
    async def save_state(self, key: str, value: str) -> None: ...


@dataclass
class Steps:
    """How far the sending of a message with files got: the message posted (its `ts`, where
    it has one), the files staged (their ids)."""

    posted: bool = False
    ts: str | None = None
    files: list[str] | None = None

    def encode(self) -> str:
        return json.dumps({"posted": self.posted, "ts": self.ts, "files": self.files})

    @classmethod
    def decode(cls, raw: str | None) -> Steps:
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        ts, files = data.get("ts"), data.get("files")
        return cls(
            posted=data.get("posted") is True,
            ts=ts if isinstance(ts, str) else None,
            files=[str(f) for f in files] if isinstance(files, list) else None,
        )


def _steps_key(message: Outgoing) -> str:
    return f"{STEPS_PREFIX}{message.idempotency_key}"


class SlackSender:
    def __init__(self, api: SlackApi, *, progress: Progress | None = None) -> None:
        self.api = api
        # Where the steps of a message with files are kept; None: nowhere (not across a
        # crash).
        self.progress = progress

    async def send(self, message: Outgoing) -> SendResult:
        try:
            return Sent(await self._send(message) or None)
        except SlackCallError as exc:
            log.warning("Slack %s failed: %s", exc.method, exc.code)
            if message.edit_target is not None and exc.code in LOST_ORIGINALS:
                return Dropped(reason=exc.code)
            return outcome(exc)

    async def _send(self, message: Outgoing) -> str | None:
        reply = message.reply
        channel = reply.room.room_id
        steps = await self._steps(message)
        if reply.kind in (ReplyKind.ERROR, ReplyKind.ANSWER):
            requester = Requester.from_context(reply.reply_context)
            if requester is not None and requester.channel == channel:
                if not steps.posted:
                    await self._ephemeral(reply, requester)
                    await self._record(message, steps, posted=True)
                await self._files(message, steps, channel, thread_ts=None)
                return None
        if message.edit_target is not None:
            # The alert rewritten in place: header, fallback text and blocks all current.
            text, blocks = render(reply)
            await self.api.call_once(
                "chat.update", channel=channel, ts=message.edit_target, text=text, blocks=blocks
            )
            return message.edit_target
        ts = steps.ts
        if not steps.posted:
            ts = await self._post(reply, channel, thread_ts=message.thread_root)
            await self._record(message, steps, posted=True, ts=ts)
        # Files (minutes, calendars, reports) follow their message, in its thread if it has
        # one. A file cannot be ephemeral: it goes to the channel, which is the group's.
        await self._files(message, steps, channel, thread_ts=message.thread_root)
        return ts

    # --- files, at most once --------------------------------------------------------------
    #
    # A message with files is several calls to Slack (the message, each file's upload, the
    # sharing), and a process can die between any two. The step reached is kept for the
    # row (adapter state `slack.upload:<row key>`, each step committed before the next
    # call), so that a retry of the row goes on from there: a message already posted is not
    # posted again, and files already staged are looked up (files.info) and shared only if
    # they are not yet, never uploaded a second time. Messages without files keep no steps.

    async def _steps(self, message: Outgoing) -> Steps:
        if not message.reply.attachments or self.progress is None:
            return Steps()
        return Steps.decode(await self.progress.load_state(_steps_key(message)))

    async def _record(self, message: Outgoing, steps: Steps, **changes: Any) -> None:
        if not message.reply.attachments or self.progress is None:
            return
        for name, value in changes.items():
            setattr(steps, name, value)
        await self.progress.save_state(_steps_key(message), steps.encode())

    async def _files(
        self, message: Outgoing, steps: Steps, channel: str, *, thread_ts: str | None
    ) -> None:
        attachments = message.reply.attachments
        if not attachments:
            return
        titles = [a.filename for a in attachments]
        if steps.files:
            shared = [await self.api.shared_in(file_id, channel) for file_id in steps.files]
            if all(shared):
                return  # shared before the process died: nothing more to do
            if None not in shared:  # staged and still there: share those not yet shared
                waiting = [
                    (file_id, title)
                    for file_id, title, done in zip(steps.files, titles, shared, strict=True)
                    if not done
                ]
                await self.api.share(channel, waiting, thread_ts=thread_ts)
                return
        files = await self.api.stage([(a.filename, a.data) for a in attachments])
        await self._record(message, steps, files=files)
        await self.api.share(channel, list(zip(files, titles, strict=True)), thread_ts=thread_ts)

    async def _post(self, reply: Reply, channel: str, *, thread_ts: str | None = None) -> str:
        text, blocks = render(reply)
        params: dict[str, object] = {
            "channel": channel,
            "text": text,
            "blocks": blocks,
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if thread_ts:
            params["thread_ts"] = thread_ts
        data = await self.api.call_once("chat.postMessage", **params)
        return str(data.get("ts") or "")

    async def _ephemeral(self, reply: Reply, requester: Requester) -> None:
        text, blocks = render(reply)
        if requester.response_url:
            try:
                await self.api.respond(
                    requester.response_url,
                    {
                        "response_type": "ephemeral",
                        # A button's response_url would otherwise replace the alert itself.
                        "replace_original": False,
                        "text": text,
                        "blocks": blocks,
                    },
                )
                return
            except SlackCallError as exc:
                log.info("response_url refused (%s); answering with chat.postEphemeral", exc.code)
        await self.api.call_once(
            "chat.postEphemeral",
            channel=requester.channel,
            user=requester.user,
            text=text,
            blocks=blocks,
        )

    async def retract(self, room_id: str, message_id: str) -> SendResult:
        """Delete a message the bot posted (a retention RETRACTION row)."""
        try:
            await self.api.call_once("chat.delete", channel=room_id, ts=message_id)
        except SlackCallError as exc:
            if exc.code == "message_not_found":
                return Sent()  # already gone
            log.warning("could not delete a message (%s)", exc.code)
            return outcome(exc)
        return Sent()
