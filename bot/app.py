"""The core's one entry point: an incoming message becomes replies, inside one transaction.

adapter event -> parse -> use case (checks, writes, audit row; one unit of work) -> replies.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot import commands as c
from bot import logfields
from bot import metrics as m
from bot.context import Context, Refusal
from bot.domain import Platform
from bot.evaluation.handlers import UNBOUND_OK as EVALUATION_UNBOUND_OK
from bot.evaluation.handlers import evaluation_handlers
from bot.i18n import DEFAULT_LOCALE, normalise_locale, translate
from bot.messages import Incoming, Reply, ReplyKind
from bot.outage import OutageLog
from bot.parsing import ParseError, parse
from bot.ports import (
    Clock,
    ConcurrentUpdateError,
    DatabaseBusyError,
    DatabaseUnavailable,
    StateStore,
    UnitOfWork,
    UnitOfWorkFactory,
)
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.meetings import meeting_handlers
from bot.screening import screen_command, screen_message
from bot.usecases import access, audit, lifecycle, members, queries, records, responsibility

log = logging.getLogger(__name__)

Handler = Callable[[Context, Any], Awaitable[None]]
# Receives a command's replies inside its transaction (see PspBot.handle).
BeforeCommit = Callable[[StateStore, list[Reply]], Awaitable[None]]

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
}


def command_handlers(meetings: SchedulerConfig | None = None) -> dict[type, Handler]:
    """The whole dispatch table, fixed when the bot is built: the meeting commands are bound
    to the configured `[scheduler]` section (reminder offsets, meeting length)."""
    config = meetings or SchedulerConfig()
    return {
        **CASE_HANDLERS,
        **meeting_handlers(config),
        **evaluation_handlers(config.hours),
    }


# Commands that work in a room bound to no group, or for a caller who is no member.
# AddMember checks itself that the caller is the lead or a bot admin: an admin who is no
# member must be able to add a new group's first lead.
_UNBOUND_OK = (c.ShowHelp, c.SetUpGroup, c.AddMember, *EVALUATION_UNBOUND_OK)

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class BotSettings:
    admins: frozenset[tuple[Platform, str]] = frozenset()
    default_locale: str = DEFAULT_LOCALE
    insecure_rooms_allowed: frozenset[Platform] = frozenset({Platform.CONSOLE})


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

    def locale_for(self, incoming: Incoming) -> str:
        return normalise_locale(incoming.locale or self._settings.default_locale)

    async def handle(
        self, incoming: Incoming, *, before_commit: BeforeCommit | None = None
    ) -> list[Reply]:
        """The replies to one message. `before_commit`, if given, receives them inside the
        command's own transaction, so an adapter can keep them (an outbox) atomically with
        the command's effects: a crash right after the commit cannot lose them."""
        started = time.perf_counter()
        with logfields.bind(
            command_id=logfields.new_command_id(),
            platform=incoming.platform.value,
            event_id=incoming.event_id,
            room=logfields.room_hash(incoming.platform.value, incoming.room),
        ) as scope:
            replies = await self._handle(incoming, before_commit)
            self._metrics.command(
                str(scope.get("verb", "none")),
                str(scope.get("outcome", m.OK)),
                time.perf_counter() - started,
            )
        return replies

    async def _handle(self, incoming: Incoming, before_commit: BeforeCommit | None) -> list[Reply]:
        locale = self.locale_for(incoming)
        command = parse(incoming.text)
        # Before any reply can quote the message: what was typed, and what would be stored.
        screened = screen_message(incoming) or screen_command(command)
        if screened is not None:
            logfields.add(outcome=m.CPR_REFUSED if screened.redact else m.REFUSED)
            # Never echo the text; a CPR number also asks the adapter to redact the message.
            error = self._error(incoming, locale, screened.key, redact=screened.redact)
            return await self._refuse(incoming, error, before_commit)
        if isinstance(command, ParseError):
            logfields.add(outcome=m.PARSE_ERROR)
            error = self._parse_error(incoming, locale, command)
            return await self._refuse(incoming, error, before_commit)
        logfields.add(verb=type(command).__name__)
        handler = self._handlers.get(type(command))
        if handler is None:
            return [self._error(incoming, locale, "error.unknown_verb", verb="?")]
        retried_connection = False
        for _attempt in range(MAX_ATTEMPTS):
            try:
                return await self._run(incoming, locale, command, handler, before_commit)
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
                return [self._error(incoming, locale, "error.database_unavailable")]
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
                return [self._error(incoming, locale, "error.database_busy")]
            except Refusal as refusal:
                logfields.add(outcome=m.REFUSED)
                text = translate(locale, refusal.key, **refusal.params)
                return await self._refuse(
                    incoming, self._reply_error(incoming, text), before_commit
                )
            except Exception:
                # A defect must not take the bot down, nor put the message into the log: the
                # transaction was rolled back, so nothing half-done is kept.
                log.exception("command %s failed; rolled back", type(command).__name__)
                logfields.add(outcome=m.ERROR)
                return [self._error(incoming, locale, "error.internal")]
        logfields.add(outcome=m.CONFLICT)
        return [self._error(incoming, locale, "error.busy")]

    async def _run(
        self,
        incoming: Incoming,
        locale: str,
        command: object,
        handler: Handler,
        before_commit: BeforeCommit | None,
    ) -> list[Reply]:
        async with self._uow_factory() as uow:
            self._outage.up()
            now = self._clock.now()
            if incoming.event_id and not await uow.events.claim(
                incoming.platform, incoming.event_id, at=now
            ):
                logfields.add(outcome=m.DUPLICATE)
                return []  # a re-delivery of an event we already handled
            ctx = await self._context(uow, incoming, locale)
            if not isinstance(command, _UNBOUND_OK):
                ctx.require_group()
            await handler(ctx, command)
            if before_commit is not None and ctx.replies:
                await before_commit(uow.state, ctx.replies)
            await uow.commit()
            return ctx.replies

    async def _context(self, uow: UnitOfWork, incoming: Incoming, locale: str) -> Context:
        found = await uow.groups.room_context(incoming.platform, incoming.room, incoming.sender)
        binding, group, member = found if found else (None, None, None)
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
        )

    async def _refuse(
        self, incoming: Incoming, error: Reply, before_commit: BeforeCommit | None
    ) -> list[Reply]:
        """A refusal changes nothing, but its event is remembered too, so that a re-delivery
        is not answered twice."""
        if not incoming.event_id:
            return [error]
        try:
            async with self._uow_factory() as uow:
                self._outage.up()
                if not await uow.events.claim(
                    incoming.platform, incoming.event_id, at=self._clock.now()
                ):
                    return []
                if before_commit is not None:
                    await before_commit(uow.state, [error])
                await uow.commit()
        except DatabaseUnavailable:
            self._outage.down()  # the refusal stands; only its event is not remembered
        except DatabaseBusyError:
            log.warning("database busy; a refusal was not recorded")
        return [error]

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
