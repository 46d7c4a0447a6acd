"""The core's one entry point: an incoming message becomes replies, inside one transaction.

adapter event -> parse -> use case (checks, writes, audit row; one unit of work) -> replies.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from bot import commands as c
from bot import logfields
from bot import metrics as m
from bot.announcing import publish
from bot.context import Context, Refusal, named_case
from bot.delivery.policy import DeliveryPolicy
from bot.domain import CaseId, Platform
from bot.domain.hours import WorkingHours
from bot.evaluation.handlers import UNBOUND_OK as EVALUATION_UNBOUND_OK
from bot.evaluation.handlers import evaluation_handlers
from bot.i18n import DEFAULT_LOCALE, normalise_locale, translate
from bot.messages import Incoming, RefusedCommand, Reply, ReplyKind
from bot.minutes.handlers import minutes_handlers
from bot.outage import OutageLog
from bot.parsing import ParseError, parse
from bot.ports import (
    Clock,
    ConcurrentUpdateError,
    DatabaseBusyError,
    DatabaseUnavailable,
    UnitOfWork,
    UnitOfWorkFactory,
)
from bot.ports.outbox import OutboxEntry
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.meetings import meeting_handlers
from bot.screening import screen_command, screen_message
from bot.usecases import (
    absence,
    access,
    audit,
    guests,
    lifecycle,
    members,
    queries,
    records,
    responsibility,
)
from bot.usecases.home import HomeView, home_view

log = logging.getLogger(__name__)

Handler = Callable[[Context, Any], Awaitable[None]]
# How long a command's caller holds its fresh outbox rows before the worker may take them.
DELIVERY_LEASE = timedelta(seconds=DeliveryPolicy.lease_seconds)

CASE_HANDLERS: dict[type, Handler] = {
    c.ShowHelp: queries.show_help,
    c.FlagCase: lifecycle.flag_case,
    c.AcknowledgeCase: lifecycle.acknowledge_case,
    c.AssignCase: responsibility.assign_case,
    c.AcceptAssignment: responsibility.accept_assignment,
    c.DeclineAssignment: responsibility.decline_assignment,
    c.TakeCase: responsibility.take_case,
    c.RecordDecision: records.record_decision,
    c.CompleteDecision: records.complete_decision,
    c.AddNote: records.add_note,
    c.ShowCase: queries.show_case,
    c.ListCases: queries.list_cases,
    c.CloseCase: lifecycle.close_case,
    c.ReopenCase: lifecycle.reopen_case,
    c.AddMember: members.add_member,
    c.RemoveMember: members.remove_member,
    c.ListMembers: members.list_members,
    c.SetUpGroup: members.set_up_group,
    c.ShowAuthorities: access.show_authorities,
    c.SetAuthorities: access.set_authorities,
    c.EscalateProblem: records.escalate_problem,
    c.MarkEscalationHandled: records.mark_escalation_handled,
    c.ShowAudit: audit.show_audit,
    c.ShowMemberAudit: audit.show_member_audit,
    c.AddGuest: guests.add_guest,
    c.RemoveGuest: guests.remove_guest,
    c.ListGuests: guests.list_guests,
    c.MarkAway: absence.mark_away,
    c.MarkBack: absence.mark_back,
    c.ShowOnCall: absence.show_on_call,
    c.SendTestPage: absence.send_test_page,
}


def command_handlers(meetings: SchedulerConfig | None = None) -> dict[type, Handler]:
    """The whole dispatch table, fixed when the bot is built: the meeting commands are bound
    to the configured `[scheduler]` section (reminder offsets, meeting length)."""
    config = meetings or SchedulerConfig()
    return {
        **CASE_HANDLERS,
        **meeting_handlers(config),
        **minutes_handlers(),
        **evaluation_handlers(config.hours),
    }


# Commands that work in a room bound to no group, or for a caller who is no member.
# AddMember checks itself that the caller is the lead or a bot admin: an admin who is no
# member must be able to add a new group's first lead.
_UNBOUND_OK = (c.ShowHelp, c.SetUpGroup, c.AddMember, *EVALUATION_UNBOUND_OK)

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Handled:
    """A message's replies. `claimed`: those of their outbox rows leased to the caller to
    send at once (see OutboxRepository.add). `unsaved`: the replies could not be written to
    the outbox (the database is away or busy); the caller sends them once, best effort.
    `refused`: the refusal handed back to an adapter that shows it itself
    (`Incoming.keep_refusal`); nothing was written."""

    replies: list[Reply]
    claimed: Sequence[OutboxEntry] = ()
    unsaved: bool = False
    refused: RefusedCommand | None = None


@dataclass(frozen=True)
class BotSettings:
    admins: frozenset[tuple[Platform, str]] = frozenset()
    default_locale: str = DEFAULT_LOCALE
    insecure_rooms_allowed: frozenset[Platform] = frozenset({Platform.CONSOLE})
    # `[scheduler]` working hours: outside them acute alerts reach the duty contacts too.
    hours: WorkingHours = field(default_factory=WorkingHours)
    # A `[pager]` gateway is configured.
    pager: bool = False


class PspBot:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        settings: BotSettings,
        handlers: dict[type, Handler] | None = None,
        metrics: m.Metrics | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._metrics: m.Metrics = metrics or m.NoMetrics()
        self._clock = clock
        self._settings = settings
        self._handlers = dict(command_handlers() if handlers is None else handlers)
        self._outage = OutageLog(log)

    def observe(self, metrics: m.Metrics) -> None:
        """Count commands, outcomes and latencies into this metrics backend."""
        self._metrics = metrics

    @property
    def default_locale(self) -> str:
        return normalise_locale(self._settings.default_locale)

    def locale_for(self, incoming: Incoming) -> str:
        return normalise_locale(incoming.locale or self._settings.default_locale)

    async def home(
        self, platform: Platform, user_id: str, *, locale: str | None = None
    ) -> HomeView:
        """A person's home view (Slack's App Home), made fresh; its reads are audited."""
        async with self._uow_factory() as uow:
            view = await home_view(
                uow,
                platform=platform,
                user_id=user_id,
                now=self._clock.now(),
                locale=normalise_locale(locale or self._settings.default_locale),
            )
            await uow.commit()
        return view

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """The replies to one message. They are written to the outbox inside the command's
        own transaction, so they exist exactly when the command's effects do: a crash right
        after the commit cannot lose them (the delivery worker sends them)."""
        return (await self.handle_for_delivery(incoming)).replies

    async def handle_for_delivery(self, incoming: Incoming) -> Handled:
        """`handle`, with what the caller needs to deliver the replies (Handled)."""
        started = time.perf_counter()
        with logfields.bind(
            command_id=logfields.new_command_id(),
            platform=incoming.platform.value,
            event_id=incoming.event_id,
            room=logfields.room_hash(incoming.platform.value, incoming.room),
        ) as scope:
            handled = await self._handle(incoming)
            self._metrics.command(
                str(scope.get("verb", "none")),
                str(scope.get("outcome", m.OK)),
                time.perf_counter() - started,
            )
        return handled

    async def _handle(self, incoming: Incoming) -> Handled:
        locale = self.locale_for(incoming)
        command = parse(incoming.text)
        # Before any reply can quote the message: what was typed, and what would be stored.
        screened = screen_message(incoming) or screen_command(command)
        if screened is not None:
            logfields.add(outcome=m.CPR_REFUSED if screened.redact else m.REFUSED)
            # Never echo the text; a CPR number also asks the adapter to redact the message.
            error = self._error(incoming, locale, screened.key, redact=screened.redact)
            return await self._refuse(incoming, error, screened.key)
        if isinstance(command, ParseError):
            logfields.add(outcome=m.PARSE_ERROR)
            error = self._parse_error(incoming, locale, command)
            return await self._refuse(incoming, error, command.key)
        logfields.add(verb=type(command).__name__)
        handler = self._handlers.get(type(command))
        if handler is None:
            error = self._error(incoming, locale, "error.unknown_verb", verb="?")
            return await self._answer_only(incoming, error)
        retried_connection = False
        for _attempt in range(MAX_ATTEMPTS):
            try:
                return await self._run(incoming, locale, command, handler)
            except DatabaseUnavailable:
                # Connections are not pinged before use (a round trip on every command): one
                # the database dropped (a restart, a failover) fails here, before anything was
                # committed, and the pool forgets it and every older one. So once more, on a
                # fresh connection; a second failure is an outage.
                if not retried_connection:
                    retried_connection = True
                    continue
                self._outage.down()
                self._metrics.database_error("unavailable")
                logfields.add(outcome=m.UNAVAILABLE)
                error = self._error(incoming, locale, "error.database_unavailable")
                return Handled(_with_context(incoming, [error]), unsaved=True)
            except ConcurrentUpdateError:
                # Someone changed the case between our read and our write: run the command
                # again on the fresh state, where its own checks decide what it means now.
                log.info("concurrent update; retrying %s", type(command).__name__)
                self._metrics.database_error("conflict")
            except DatabaseBusyError:
                # Another process holds the database; nothing was done. The person, not a
                # loop, decides when to try again.
                log.warning("database busy; %s not run", type(command).__name__)
                self._metrics.database_error("busy")
                logfields.add(outcome=m.BUSY)
                error = self._error(incoming, locale, "error.database_busy")
                return Handled(_with_context(incoming, [error]), unsaved=True)
            except Refusal as refusal:
                logfields.add(outcome=m.REFUSED)
                text = translate(locale, refusal.key, **refusal.params)
                error = self._reply_error(incoming, text)
                return await self._refuse(incoming, error, refusal.key, refusal.about)
            except Exception:
                # A defect must not take the bot down, nor put the message into the log: the
                # transaction was rolled back, so nothing half-done is kept.
                log.exception("command %s failed; rolled back", type(command).__name__)
                logfields.add(outcome=m.ERROR)
                return await self._answer_only(
                    incoming, self._error(incoming, locale, "error.internal")
                )
        logfields.add(outcome=m.CONFLICT)
        return await self._answer_only(incoming, self._error(incoming, locale, "error.busy"))

    async def _run(
        self, incoming: Incoming, locale: str, command: object, handler: Handler
    ) -> Handled:
        async with self._uow_factory() as uow:
            self._outage.up()
            now = self._clock.now()
            if incoming.event_id and not await uow.events.claim(
                incoming.platform, incoming.event_id, at=now
            ):
                logfields.add(outcome=m.DUPLICATE)
                return Handled([])  # a re-delivery of an event we already handled
            ctx = await self._context(uow, incoming, locale, named_case(command))
            if not isinstance(command, _UNBOUND_OK):
                ctx.require_group(guest_ok=isinstance(command, guests.GUEST_COMMANDS))
            await handler(ctx, command)
            await publish(ctx)  # what the command changed, told as replies
            replies = _with_context(incoming, ctx.replies)
            claimed = await uow.outbox.add(
                replies,
                at=now,
                group_id=ctx.group.id if ctx.group else None,
                claim_until=now + DELIVERY_LEASE,
            )
            await uow.commit()
            return Handled(replies, claimed)

    async def _context(
        self, uow: UnitOfWork, incoming: Incoming, locale: str, case_ref: str | None = None
    ) -> Context:
        found = await uow.groups.room_context(
            incoming.platform, incoming.room, incoming.sender, case_ref
        )
        binding, group, member = found if found else (None, None, None)
        guest, guest_cases = None, frozenset[CaseId]()
        if group is not None and member is None:
            invited = await uow.access.guest_cases(
                group.id, incoming.platform, incoming.sender, at=self._clock.now()
            )
            if invited is not None:
                guest, guest_cases = invited
        return Context(
            uow=uow,
            incoming=incoming,
            locale=locale,
            now=self._clock.now(),
            binding=binding,
            group=group,
            member=member,
            is_admin=(incoming.platform, incoming.sender) in self._settings.admins,
            insecure_allowed=incoming.platform in self._settings.insecure_rooms_allowed,
            guest=guest,
            guest_cases=guest_cases,
            hours=self._settings.hours,
            pager=self._settings.pager,
        )

    async def _refuse(
        self, incoming: Incoming, error: Reply, key: str, about: str | None = None
    ) -> Handled:
        """A refusal changes nothing, but its event is remembered too, so that a re-delivery
        is not answered twice. An adapter that shows refusals itself gets it back as a value,
        with nothing written and the event free for the mended form."""
        if incoming.keep_refusal:
            (reply,) = _with_context(incoming, [error])
            return Handled([reply], refused=RefusedCommand(key, reply, about))
        return await self._answer_only(incoming, error, claim_event=True)

    async def _answer_only(
        self, incoming: Incoming, error: Reply, *, claim_event: bool = False
    ) -> Handled:
        """An answer for a command that did not run, into the outbox. A refusal claims its
        event; a defect or contention does not, so that a re-delivery may try it again. With
        the database away the answer still stands: the caller sends it once, unsaved."""
        replies = _with_context(incoming, [error])
        try:
            async with self._uow_factory() as uow:
                self._outage.up()
                now = self._clock.now()
                if (
                    claim_event
                    and incoming.event_id
                    and not await uow.events.claim(incoming.platform, incoming.event_id, at=now)
                ):
                    return Handled([])
                claimed = await uow.outbox.add(replies, at=now, claim_until=now + DELIVERY_LEASE)
                await uow.commit()
        except DatabaseUnavailable:
            self._outage.down()  # the refusal stands; only its event is not remembered
            return Handled(replies, unsaved=True)
        except DatabaseBusyError:
            log.warning("database busy; a refusal was not recorded")
            return Handled(replies, unsaved=True)
        return Handled(replies, claimed)

    def _parse_error(self, incoming: Incoming, locale: str, error: ParseError) -> Reply:
        text = translate(locale, error.key, **error.params)
        if error.verb is not None:
            text += " " + translate(
                locale, "error.usage", usage=translate(locale, f"usage.{error.verb}")
            )
        return self._reply_error(incoming, text)

    def _error(
        self, incoming: Incoming, locale: str, key: str, *, redact: bool = False, **params: object
    ) -> Reply:
        return self._reply_error(incoming, translate(locale, key, **params), redact=redact)

    @staticmethod
    def _reply_error(incoming: Incoming, text: str, *, redact: bool = False) -> Reply:
        return Reply(
            room=incoming.room_ref,
            text=text,
            kind=ReplyKind.ERROR,
            in_reply_to=incoming.event_id,
            redact_source=redact,
        )


def _with_context(incoming: Incoming, replies: list[Reply]) -> list[Reply]:
    """Replies in the room the message came from carry its reply context (how the adapter
    answers the sender privately), so that it survives in the outbox."""
    if incoming.reply_context is None:
        return replies
    return [
        replace(r, reply_context=incoming.reply_context) if r.room == incoming.room_ref else r
        for r in replies
    ]
