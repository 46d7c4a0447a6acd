"""Preparing the next meeting: `meeting agenda add|remove <case>`, and the agenda a meeting
starts from. The bot puts cases there itself (new since the last meeting, no responsible
agency, decisions due or overdue, not reached last time); the lead and the members of a
case's responsible agency add others or take one off. While a meeting runs, the commands
change that meeting's agenda."""

from __future__ import annotations

from bot.context import Context, Refusal
from bot.domain import Case, CaseStatus
from bot.domain import events as ev
from bot.minutes.commands import AddToAgenda, RemoveFromAgenda
from bot.ports.minutes import AgendaCase, ItemOrigin, ItemState, Pick

# A meeting's agenda holds at most this many cases (the most pressing first); the rest
# wait for the next meeting. About twenty is a meeting's worth.
MEETING_CASES = 200
COUNT_UP_TO = 500


def origin_of(case: AgendaCase) -> ItemOrigin:
    if case.pick is Pick.CARRY:
        return ItemOrigin.CARRIED
    if case.pick is Pick.ADD:
        return ItemOrigin.ADDED
    return ItemOrigin.AGENDA


def _may_change(ctx: Context, case: Case) -> None:
    """The lead, and the members of the agency responsible (anyone while none is)."""
    _group, member = ctx.require_operative()
    if member.is_lead or case.responsible in (None, member.agency):
        return
    raise Refusal("error.agenda_not_yours", ref=case.ref, agency=ctx.agency_name(case.responsible))


async def add_to_agenda(ctx: Context, cmd: AddToAgenda) -> None:
    group, member, case = await ctx.case(cmd.ref)
    _may_change(ctx, case)
    if case.status is not CaseStatus.OPEN:
        raise Refusal("error.agenda_closed", ref=case.ref)
    held = await ctx.uow.minutes.running(group.id)
    if held is not None:
        items = {i.case_id: i for i in await ctx.uow.minutes.items(held.id)}
        if case.id in items:
            ctx.answer(ctx.t("agenda.already_running", ref=case.ref), case=case)
            return
        await ctx.uow.minutes.add_item(
            held.id, case.id, origin=ItemOrigin.ADDED, state=ItemState.PENDING
        )
        await ctx.audit("meeting.agenda_add", case=case, detail=f"held={held.number}")
        ctx.emit(ev.AgendaChanged(case.id, added=True, running_cases=len(items) + 1))
        return
    await ctx.uow.minutes.set_pick(group.id, case.id, Pick.ADD, by=member.id, at=ctx.now)
    await ctx.audit("meeting.agenda_add", case=case)
    ctx.emit(ev.AgendaChanged(case.id, added=True))


async def remove_from_agenda(ctx: Context, cmd: RemoveFromAgenda) -> None:
    group, member, case = await ctx.case(cmd.ref)
    _may_change(ctx, case)
    held = await ctx.uow.minutes.running(group.id)
    if held is not None:
        items = {i.case_id: i for i in await ctx.uow.minutes.items(held.id)}
        item = items.get(case.id)
        if item is None:
            raise Refusal("error.agenda_not_on", ref=case.ref)
        if item.state is not ItemState.PENDING:
            raise Refusal("error.agenda_taken_up", ref=case.ref)
        await ctx.uow.minutes.remove_item(held.id, case.id)
        await ctx.audit("meeting.agenda_remove", case=case, detail=f"held={held.number}")
        ctx.emit(ev.AgendaChanged(case.id, added=False))
        return
    await ctx.uow.minutes.set_pick(group.id, case.id, Pick.REMOVE, by=member.id, at=ctx.now)
    await ctx.audit("meeting.agenda_remove", case=case)
    ctx.emit(ev.AgendaChanged(case.id, added=False))
