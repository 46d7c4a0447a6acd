"""The one dispatcher: each event a command emitted, in order, to its handler, which appends
the replies that tell of it. Runs inside the command's unit of work before the commit, so the
outbox stores the replies with the change they tell of."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.announcing import answers, cases, groups, meetings, minutes, records
from bot.announcing.announcer import Announcer
from bot.context import Context
from bot.domain import events as ev

EventHandler = Callable[[Announcer, Any], Awaitable[None]]

HANDLERS: Mapping[type[ev.Event], EventHandler] = {
    ev.CaseFlagged: cases.flagged,
    ev.AcknowledgementRecorded: cases.acknowledged,
    ev.CaseClosed: cases.closed,
    ev.CaseReopened: cases.reopened,
    ev.ResponsibilityProposed: cases.proposed,
    ev.ResponsibilityPlaced: cases.placed,
    ev.ProposalDeclined: cases.declined,
    ev.GuestInvited: answers.guest_invited,
    ev.GuestRemoved: answers.guest_removed,
    ev.EscalationHandled: answers.escalation_handled,
    ev.AgendaChanged: answers.agenda_changed,
    ev.CaseMarked: answers.case_marked,
    ev.DecisionRecorded: records.decision_recorded,
    ev.DecisionDone: records.decision_done,
    ev.NoteAdded: records.note_added,
    ev.ProblemEscalated: records.problem_escalated,
    ev.MeetingScheduled: meetings.scheduled,
    ev.MeetingCancelled: meetings.cancelled,
    ev.MeetingStarted: meetings.started,
    ev.CasePresented: meetings.case_presented,
    ev.MeetingEnded: minutes.ended,
    ev.TransferRequested: groups.transfer_requested,
    ev.TransferAccepted: groups.transfer_accepted,
    ev.EscalationAnswered: groups.escalation_answered,
}


async def publish(ctx: Context) -> None:
    """Tell of every event the command emitted; an event nobody handles is a defect."""
    if not ctx.events:
        return
    announcer = Announcer(ctx)
    for event in ctx.events:
        handler = HANDLERS.get(type(event))
        if handler is None:
            raise LookupError(f"no handler for {type(event).__name__}")
        await handler(announcer, event)
