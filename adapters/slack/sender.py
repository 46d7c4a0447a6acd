"""Posts the core's replies to Slack. Alerts carry buttons and are rewritten in place
(`chat.update`) when the case changes; the change itself goes into the alert's thread, where
the people it mentions are notified. Answers and refusals go only to the person who asked
(ephemeral), so a `show` does not spread case details further than needed."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from adapters.slack.blocks import AlertState, alert_state, render
from adapters.slack.dedupe import TtlMap
from adapters.slack.webapi import SlackApi, SlackCallError
from bot.messages import Reply, ReplyKind
from bot.ports.delivery import Dropped, Outgoing, Retry, SendResult, Sent

log = logging.getLogger(__name__)

ALERT_TEXT_DAYS = 30
LoadState = Callable[[str], Awaitable[str | None]]
SaveState = Callable[[str, str], Awaitable[None]]


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


def alert_key(channel: str, case_ref: str) -> str:
    return f"slack.alert:{channel}:{case_ref}"


def outcome(error: SlackCallError) -> SendResult:
    if error.retry_after is not None:
        return Retry(reason=error.code, after=error.retry_after)
    if error.code in PERMANENT_ERRORS:
        return Dropped(reason=error.code)
    return Retry(reason=error.code)


class SlackSender:
    def __init__(self, api: SlackApi, *, load_state: LoadState, save_state: SaveState) -> None:
        self.api = api
        self._load = load_state
        self._save = save_state
        self._locks: dict[str, asyncio.Lock] = {}
        # The alert texts, in memory only (they hold the case summary). After a restart an
        # alert is rewritten around the case's headline instead.
        self._alert_texts: TtlMap[str] = TtlMap(ALERT_TEXT_DAYS * 86400.0, max_entries=20_000)

    async def send(self, message: Outgoing) -> SendResult:
        try:
            return Sent(await self._send(message.reply) or None)
        except SlackCallError as exc:
            log.warning("Slack %s failed: %s", exc.method, exc.code)
            return outcome(exc)

    async def _send(self, reply: Reply) -> str | None:
        channel = reply.room.room_id
        if reply.kind in (ReplyKind.ERROR, ReplyKind.ANSWER):
            requester = Requester.from_context(reply.reply_context)
            if requester is not None and requester.channel == channel:
                await self._ephemeral(reply, requester)
                return None
        if reply.kind is ReplyKind.ALERT and reply.case_ref:
            ts = await self._post(reply, channel)
            state = alert_state(reply, channel, ts)
            self._alert_texts.put(alert_key(channel, reply.case_ref), reply.text)
            await self._save(alert_key(channel, reply.case_ref), json.dumps(state.to_json()))
            return ts
        if reply.kind is ReplyKind.UPDATE and reply.case_ref:
            key = alert_key(channel, reply.case_ref)
            # Two clicks on one alert at once: each rewrite must see the other's line.
            async with self._locks.setdefault(key, asyncio.Lock()):
                stored = await self._load(key)
                if stored is not None:
                    state = AlertState.from_json(json.loads(stored))
                    if await self._update_alert(reply, state):
                        await self._save(key, json.dumps(state.to_json()))
                    return await self._post(reply, channel, thread_ts=state.ts)
        return await self._post(reply, channel)

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

    async def _update_alert(self, reply: Reply, state: AlertState) -> bool:
        """Rewrite the alert in place if this update concerns what it shows; True if so."""
        assert reply.case_ref is not None
        if not state.apply(reply):
            return False
        # The update's last line is the case headline (ref, urgency, status, responsible).
        key = alert_key(state.channel, reply.case_ref)
        state.text = self._alert_texts.get(key) or reply.text.rsplit("\n", 1)[-1]
        text, blocks = state.render()
        try:
            await self.api.call(
                "chat.update", channel=state.channel, ts=state.ts, text=text, blocks=blocks
            )
        except SlackCallError as exc:
            # The alert may have been deleted by a workspace admin; the change is still posted.
            log.warning("could not update an alert in place (%s)", exc.code)
        return True

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

    async def retract(self, room_id: str, message_id: str) -> bool:
        """Delete a message the bot posted (the purge of a case). True if it is gone."""
        try:
            await self.api.call("chat.delete", channel=room_id, ts=message_id)
        except SlackCallError as exc:
            if exc.code == "message_not_found":
                return True
            log.warning("could not delete a message (%s)", exc.code)
            return False
        return True
