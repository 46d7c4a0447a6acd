"""Changes only the one who made them hears of: a guest invited to a case or removed, an
escalation marked handled, a case put on or taken off the agenda, a case marked discussed or
postponed in the running meeting. Each is the answer in the room the command came from."""

from __future__ import annotations

from bot.announcing.announcer import Announcer
from bot.domain import events as ev
from bot.i18n import plural


async def guest_invited(a: Announcer, event: ev.GuestInvited) -> None:
    case = await a.case(event.case_id)
    text = a.t(
        "guest.added",
        who=await a.name_of(event.guest),
        agency=a.ctx.agency_name(event.agency),
        ref=case.ref,
        until=event.until.isoformat(),
    )
    a.answer(text, case=case)


async def guest_removed(a: Announcer, event: ev.GuestRemoved) -> None:
    case = await a.case(event.case_id)
    a.answer(a.t("guest.removed", who=await a.name_of(event.guest), ref=case.ref), case=case)


async def escalation_handled(a: Announcer, event: ev.EscalationHandled) -> None:
    a.answer(a.t("escalate.handled", number=event.number))


async def agenda_changed(a: Announcer, event: ev.AgendaChanged) -> None:
    case = await a.case(event.case_id)
    if not event.added:
        text = a.t("agenda.removed", ref=case.ref)
    elif event.running_cases is None:
        text = a.t("agenda.added", ref=case.ref)
    else:
        cases = plural(a.ctx.locale, "count.cases", event.running_cases)
        text = a.t("agenda.added_running", ref=case.ref, cases=cases)
    a.answer(text, case=case)


async def case_marked(a: Announcer, event: ev.CaseMarked) -> None:
    case = await a.case(event.case_id)
    key = "meeting.marked_discussed" if event.discussed else "meeting.marked_skipped"
    a.answer(a.t(key, ref=case.ref, done=event.done, total=event.total), case=case)
