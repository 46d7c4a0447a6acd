"""The Slack app proper: a slack-bolt AsyncApp shared by HTTP mode and Socket Mode.

A delivery is acknowledged only after its command committed, so a 200 (or a Socket Mode ack)
means "kept": a bot stopped or killed before that leaves Slack to send it again, and the
core's event claim makes a second delivery of a committed command change nothing. bolt runs
with `process_before_response=True`: the listener is awaited inside the request (no
fire-and-forget task), and the command is small, well within Slack's 3 seconds
(`psp_slack_ack_seconds` shows it).

Every delivery passes, in order: the workspace allowlist, the de-duplication of retries and
double clicks, then one listener that turns the payload into `Incoming` for the core."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

import adapters.slack.home as home
import adapters.slack.modals as modals
from adapters.slack.config import SlackConfig
from adapters.slack.dedupe import Deduplicator, TtlMap
from adapters.slack.forms import FormAnswers
from adapters.slack.library_logs import quiet_library_logs
from adapters.slack.sender import Requester, SlackSender
from adapters.slack.webapi import SlackApi, SlackCallError
from bot.domain import Platform
from bot.i18n import translate
from bot.messages import Incoming, RefusedCommand, Reply, ReplyKind, RoomRef
from bot.parsing import strip_prefix
from bot.runtime import Router

log = logging.getLogger(__name__)

Body = dict[str, Any]
Next = Callable[[], Awaitable[None]]
NO_RETRY = {"X-Slack-No-Retry": "1"}
# While stopping: Slack should come back (no X-Slack-No-Retry), after a restart's few seconds.
RETRY_LATER = {"Retry-After": "5"}
CHANNEL_CACHE_SECONDS = 300.0
_LEADING_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s:,]*")


def delivery_key(body: dict[str, Any]) -> str | None:
    """What makes this delivery unique: Slack's event id, else the trigger id (one per slash
    command, click or form submission), else the click's own timestamp."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    actions = body.get("actions") or []
    if actions and isinstance(actions[0], dict) and actions[0].get("action_ts"):
        user = (body.get("user") or {}).get("id", "")
        return f"action:{actions[0]['action_ts']}:{user}"
    return None


class SlackAdapter:
    def __init__(self, config: SlackConfig, router: Router, *, api: SlackApi) -> None:
        self.config = config
        self.router = router
        self.api = api
        self.sender = SlackSender(api, progress=router)
        router.attach(Platform.SLACK, self.sender)
        self.dedupe = Deduplicator()
        self._private: TtlMap[bool] = TtlMap(CHANNEL_CACHE_SECONDS)
        self._auth: AuthorizeResult | None = None
        self.refused = 0
        self.forms = FormAnswers(router)
        # False once the bot is stopping: new deliveries are refused, so Slack sends them
        # again later (HTTP: 503 with Retry-After; Socket Mode: no ack).
        self.accepting = True
        self.app = AsyncApp(
            client=AsyncWebClient(base_url=config.api_base_url),
            authorize=self._authorize_for_bolt(),
            # Our own verification runs before bolt (signature.py); Socket Mode is unsigned.
            request_verification_enabled=False,
            process_before_response=True,
            logger=quiet_library_logs(),
        )
        self._register()

    def _register(self) -> None:
        """bolt passes arguments by the names a function declares and would count a method's
        `self` as one; hence plain functions that forward to the methods."""
        adapter, app = self, self.app

        async def allowlist(body: Body, context: Any, next: Next) -> BoltResponse | None:
            if not adapter.accepting:
                return BoltResponse(status=503, body="", headers=dict(RETRY_LATER))
            started = time.monotonic()
            try:
                with adapter.router.in_flight.track():
                    return await adapter._allowlist(body, context, next)
            finally:
                # With process_before_response the answer (the ack) goes out right after.
                adapter.router.metrics.slack_ack(time.monotonic() - started)

        async def dedupe(body: Body, next: Next) -> BoltResponse | None:
            return await adapter._dedupe(body, next)

        async def command(ack: AsyncAck, body: Body) -> None:
            await adapter._then_ack(ack, body, adapter._on_command(body))

        async def mention(ack: AsyncAck, body: Body) -> None:
            await adapter._then_ack(ack, body, adapter._on_mention(body))

        async def home_opened(ack: AsyncAck, body: Body) -> None:
            await adapter._then_ack(ack, body, adapter._on_home_opened(body))

        async def ignore(ack: AsyncAck) -> None:
            await ack()

        async def action(ack: AsyncAck, body: Body) -> None:
            await adapter._then_ack(ack, body, adapter._on_action(body))

        async def flag_form(ack: AsyncAck, body: Body, view: Body) -> None:
            errors = modals.flag_errors(adapter.config.locale, view)
            text = modals.flag_command(view)
            await adapter._submit_form(ack, body, view, errors, text, modals.FLAG_CALLBACK)

        async def decide_form(ack: AsyncAck, body: Body, view: Body) -> None:
            errors = modals.decide_errors(adapter.config.locale, view)
            ref = modals.metadata(view).get("ref", "")
            text = modals.decide_command(view, ref)
            await adapter._submit_form(ack, body, view, errors, text, modals.DECIDE_CALLBACK)

        async def flag_message(ack: AsyncAck, body: Body) -> None:
            await adapter._then_ack(ack, body, adapter._on_flag_message(body))

        app.use(allowlist)
        app.use(dedupe)
        app.command(re.compile(r"^/psp$"))(command)
        app.event("app_mention")(mention)
        app.event("app_home_opened")(home_opened)
        app.event("message")(ignore)  # plain messages are not ours: ack and drop
        app.action(re.compile(r"^psp\."))(action)
        app.view(modals.FLAG_CALLBACK)(flag_form)
        app.view(modals.DECIDE_CALLBACK)(decide_form)
        app.message_shortcut(modals.FLAG_MESSAGE_CALLBACK)(flag_message)

    # --- middleware -----------------------------------------------------------------------

    def _authorize_for_bolt(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        adapter = self

        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            return await adapter._authorize(enterprise_id, team_id)

        return authorize

    async def _authorize(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        if self._auth is None:
            data = await self.api.call("auth.test")
            self._auth = AuthorizeResult(
                enterprise_id=data.get("enterprise_id"),
                team_id=data.get("team_id"),
                bot_user_id=data.get("user_id"),
                bot_id=data.get("bot_id"),
                bot_token=self.config.bot_token,
            )
        return self._auth

    async def _allowlist(
        self, body: dict[str, Any], context: Any, next: Any
    ) -> BoltResponse | None:
        allowed = self.config.team_allowlist
        team = context.team_id or (body.get("team") or {}).get("id") or body.get("team_id")
        enterprise = context.enterprise_id
        if (team and team in allowed) or (enterprise and enterprise in allowed):
            await next()
            return None
        self.refused += 1
        log.warning("refused a request from a workspace not on the allowlist")
        if body.get("command"):
            text = translate(self.config.locale, "slack.refused_team")
            return BoltResponse(status=200, body=text, headers=dict(NO_RETRY))
        return BoltResponse(status=403, body="", headers=dict(NO_RETRY))

    async def _dedupe(self, body: dict[str, Any], next: Any) -> BoltResponse | None:
        key = delivery_key(body)
        if key is None or self.dedupe.first(key):
            await next()
            return None
        return BoltResponse(status=200, body="", headers=dict(NO_RETRY))

    # --- listeners ------------------------------------------------------------------------

    async def _then_ack(self, ack: AsyncAck, body: dict[str, Any], work: Awaitable[None]) -> None:
        """Acknowledge once the work (the command's transaction) is done. If it failed, no
        ack: bolt answers 500, and the delivery is forgotten so that Slack's retry (or the
        user's second try) is not dropped as a duplicate."""
        try:
            await work
        except Exception as exc:
            self._failed(body, exc)
            raise
        await ack()

    def _failed(self, body: dict[str, Any], exc: Exception) -> None:
        log.error("a Slack command failed: %s", type(exc).__name__)
        key = delivery_key(body)
        if key is not None:
            self.dedupe.forget(key)

    async def _on_command(self, body: dict[str, Any]) -> None:
        # `/psp` alone is a request for help, as a user would expect from a slash command.
        text = str(body.get("text") or "").strip() or "help"
        channel = str(body.get("channel_id") or "")
        form = modals.form_for(self.config.locale, text, channel=channel)
        if form is not None:
            await self._open(body, form)
            return
        await self.process(
            channel=channel,
            user=str(body.get("user_id") or ""),
            text=text,
            event_id=f"command:{body.get('trigger_id')}",
            response_url=body.get("response_url"),
            display_name=body.get("user_name"),
        )

    async def _open(self, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            await self.api.call("views.open", trigger_id=body.get("trigger_id"), view=view)
        except SlackCallError as exc:
            log.warning("could not open a form (%s)", exc.code)

    async def _on_mention(self, body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        if event.get("bot_id") or event.get("subtype"):
            return  # other bots (and our own echoes) never drive the bot
        text = _LEADING_MENTION.sub("", str(event.get("text") or ""), count=1)
        await self.process(
            channel=str(event.get("channel") or ""),
            user=str(event.get("user") or ""),
            text=strip_prefix(text) or text,
            event_id=str(body.get("event_id") or event.get("ts")),
            response_url=None,
        )

    async def _on_home_opened(self, body: dict[str, Any]) -> None:
        """The Home tab, drawn fresh from the database each time it is opened."""
        event = body.get("event") or {}
        user = event.get("user")
        if event.get("tab") != "home" or not isinstance(user, str) or not user:
            return  # the Messages tab, or no one to draw it for
        try:
            view = await self.router.home(Platform.SLACK, user, locale=self.config.locale)
            await self.api.call("views.publish", user_id=user, view=home.home_tab(view))
        except SlackCallError as exc:
            log.warning("could not publish the Home tab (%s)", exc.code)
        except Exception as exc:  # the database away: the tab keeps its last view
            log.warning("could not draw the Home tab: %s", type(exc).__name__)

    async def _on_action(self, body: dict[str, Any]) -> None:
        actions = body.get("actions") or []
        command = actions[0].get("value") if actions and isinstance(actions[0], dict) else None
        channel = (body.get("channel") or {}).get("id")
        if not isinstance(command, str) or not channel:
            return
        await self.process(
            channel=str(channel),
            user=str((body.get("user") or {}).get("id") or ""),
            text=command,
            event_id=f"action:{body.get('trigger_id') or actions[0].get('action_ts')}",
            response_url=body.get("response_url"),
        )

    async def _submit_form(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        errors: dict[str, str],
        text: str,
        callback: str,
    ) -> None:
        """A field refused by the form's own checks keeps the form open, the error under that
        field and the typed text kept; nothing reaches the core. A command the core refuses
        does the same, its one line under the field the refusal concerns (else under the main
        text), and nothing is stored. Otherwise the form closes once the command committed
        (adapters/slack/forms.py: within Slack's deadline)."""
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await self.forms.answer(
            ack,
            callback,
            self._submit(body, view, text),
            failed=lambda exc: self._failed(body, exc),
        )

    async def _on_flag_message(self, body: dict[str, Any]) -> None:
        """The message shortcut "Flag as PSP case": the flag form, holding the message."""
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id")
        if not channel or not isinstance(message, dict):
            return
        text = message.get("text")
        view = modals.message_flag_view(
            self.config.locale, channel=str(channel), text=text if isinstance(text, str) else ""
        )
        await self._open(body, view)

    async def _submit(
        self, body: dict[str, Any], view: dict[str, Any], text: str
    ) -> RefusedCommand | None:
        channel = modals.metadata(view).get("channel")
        if not channel:
            return None
        return await self.process(
            channel=channel,
            user=str((body.get("user") or {}).get("id") or ""),
            text=text,
            event_id=f"view:{view.get('id')}",
            response_url=None,
            form=True,
        )

    # --- into the core --------------------------------------------------------------------

    async def channel_is_private(self, channel: str) -> bool | None:
        """Private channels are Slack's secure rooms; DMs and group DMs never hold a group.
        None: a channel the bot cannot see (a private channel it was not invited to)."""
        cached = self._private.get(channel)
        if cached is not None:
            return cached
        try:
            data = await self.api.call("conversations.info", channel=channel)
        except SlackCallError as exc:
            if exc.code == "channel_not_found" and not channel.startswith("D"):
                return None
            log.info("channel lookup failed (%s); treating it as not private", exc.code)
            return False
        info = data.get("channel") or {}
        private = bool(info.get("is_private")) and not info.get("is_im") and not info.get("is_mpim")
        self._private.put(channel, private)
        return private

    async def process(
        self,
        *,
        channel: str,
        user: str,
        text: str,
        event_id: str,
        response_url: Any,
        display_name: Any = None,
        form: bool = False,
    ) -> RefusedCommand | None:
        """Into the core. `form`: a form's submission, whose refusal comes back as a value
        for the form to show instead of being sent."""
        if not channel or not user:
            return None
        requester = Requester(
            user, channel, response_url if isinstance(response_url, str) else None
        )
        private = await self.channel_is_private(channel)
        if private is None:
            # Without being a member the bot could neither post alerts here nor tell
            # whether the channel is private: say how to fix it, change nothing.
            text = translate(self.config.locale, "slack.invite_first")
            reply = Reply(
                RoomRef(Platform.SLACK, channel),
                text,
                ReplyKind.ERROR,
                in_reply_to=event_id,
                reply_context=requester.to_context(),
            )
            if form:  # the form says it (a message could not reach this channel anyway)
                return RefusedCommand("slack.invite_first", reply)
            await self.router.post([reply])
            return None
        incoming = Incoming(
            platform=Platform.SLACK,
            room=channel,
            sender=user,
            text=text,
            event_id=event_id,
            room_secure=private,
            display_name=display_name if isinstance(display_name, str) else None,
            reply_context=requester.to_context(),
            keep_refusal=form,
        )
        if form:
            return await self.router.submit(incoming)
        await self.router.process(incoming)
        return None
