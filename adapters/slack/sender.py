"""Posts the core's replies to Slack. Alerts carry buttons; a rewrite of an alert (the core's
`edit_of`, resolved to the alert's `ts`) becomes `chat.update`, and a case's updates go into
the alert's thread (`thread_of` -> `thread_ts`), where the people they mention are notified.
Answers and refusals go only to the person who asked (ephemeral), so a `show` does not
spread case details further than needed."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from adapters.slack.blocks import render
from adapters.slack.webapi import SlackApi, SlackCallError
from bot.messages import Reply, ReplyKind
from bot.ports.delivery import Dropped, Outgoing, Retry, SendResult, Sent

log = logging.getLogger(__name__)


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


class SlackSender:
    def __init__(self, api: SlackApi) -> None:
        self.api = api

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
        if reply.kind in (ReplyKind.ERROR, ReplyKind.ANSWER):
            requester = Requester.from_context(reply.reply_context)
            if requester is not None and requester.channel == channel:
                await self._ephemeral(reply, requester)
                await self._files(reply, channel, thread_ts=None)
                return None
        if message.edit_target is not None:
            # The alert rewritten in place: header, fallback text and blocks all current.
            text, blocks = render(reply)
            await self.api.call_once(
                "chat.update", channel=channel, ts=message.edit_target, text=text, blocks=blocks
            )
            return message.edit_target
        ts = await self._post(reply, channel, thread_ts=message.thread_root)
        # Files (minutes, calendars, reports) follow their message, in its thread if it has
        # one. A file cannot be ephemeral: it goes to the channel, which is the group's.
        await self._files(reply, channel, thread_ts=message.thread_root)
        return ts

    async def _files(self, reply: Reply, channel: str, *, thread_ts: str | None) -> None:
        if reply.attachments:
            await self.api.upload(
                channel, [(a.filename, a.data) for a in reply.attachments], thread_ts=thread_ts
            )

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
