"""Use cases that add to a case's record (decisions, notes) and the group's escalations. Each
emits what it added (bot.domain.events); `bot.announcing.records` tells the group."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import commands as c
from bot.context import Context, Refusal
from bot.domain import Agency
from bot.domain import events as ev
from bot.minutes import links
from bot.usecases.lifecycle import require_open, save_case


async def _agencies_in_group(ctx: Context) -> frozenset[Agency]:
    assert ctx.group is not None
    return frozenset(m.agency for m in await ctx.uow.members.list(ctx.group.id))


async def record_decision(ctx: Context, cmd: c.RecordDecision) -> None:
    group, member, case = await ctx.case(cmd.ref)
    require_open(case)
    owner = cmd.owner or case.responsible or member.agency
    present = await _agencies_in_group(ctx)
    for field, agency in (("owner", owner), ("fallback_owner", cmd.fallback_owner)):
        if agency is not None and agency not in present:
            name = ctx.agency_name(agency)
            raise Refusal("error.agency_not_in_group", about=field, agency=name)
    today = ctx.now.astimezone(ZoneInfo(group.timezone)).date()
    if cmd.due is not None and cmd.due < today:
        raise Refusal("error.due_in_past", about="due", due=cmd.due.isoformat())
    decision = await ctx.uow.cases.add_decision(
        case.id,
        text=cmd.text,
        owner=owner,
        due=cmd.due,
        fallback=cmd.fallback,
        fallback_owner=(cmd.fallback_owner or owner) if cmd.fallback else None,
        by_member=member.id,
        at=ctx.now,
    )
    case = await save_case(ctx, case)
    await ctx.audit("decision.add", case=case, detail=f"number={decision.number}")
    await links.in_meeting(ctx, case, links.DECISION, **links.decision_facts(decision))
    ctx.emit(ev.DecisionRecorded(case.id, decision, member.id))


async def complete_decision(ctx: Context, cmd: c.CompleteDecision) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    require_open(case)
    decisions = {d.number: d for d in await ctx.uow.cases.decisions(case.id)}
    decision = decisions.get(cmd.number)
    if decision is None:
        raise Refusal("error.unknown_decision", ref=case.ref, number=str(cmd.number))
    if decision.done_at is not None:
        ctx.answer(ctx.t("done.already", ref=case.ref, number=cmd.number), case=case)
        return
    if not member.is_lead and member.agency is not decision.owner:
        raise Refusal(
            "error.not_owner", number=str(cmd.number), agency=ctx.agency_name(decision.owner)
        )
    await ctx.uow.cases.mark_decision_done(case.id, cmd.number, at=ctx.now)
    case = await save_case(ctx, case)
    await ctx.audit("decision.done", case=case, detail=f"number={cmd.number}")
    await links.in_meeting(
        ctx,
        case,
        links.DONE,
        number=str(cmd.number),
        text=decision.text,
        owner=decision.owner.value,
    )
    ctx.emit(ev.DecisionDone(case.id, cmd.number, member.id))


async def add_note(ctx: Context, cmd: c.AddNote) -> None:
    _group, member, case = await ctx.case(cmd.ref, guest_ok=True)
    note = await ctx.uow.cases.add_note(case.id, text=cmd.text, by_member=member.id, at=ctx.now)
    case = await save_case(ctx, case)
    await ctx.audit("note.add", case=case, detail=f"number={note.number}")
    await links.in_meeting(ctx, case, links.NOTE, number=str(note.number), text=cmd.text)
    ctx.emit(ev.NoteAdded(case.id, note.number))


async def escalate_problem(ctx: Context, cmd: c.EscalateProblem) -> None:
    group, member = ctx.require_group()
    number = await ctx.uow.escalations.add(
        group_id=group.id, text=cmd.text, by_member=member.id, at=ctx.now
    )
    await ctx.audit("escalation.add", detail=f"number={number}")
    await links.in_meeting(ctx, None, links.ESCALATION, number=str(number), text=cmd.text)
    ctx.emit(ev.ProblemEscalated(group.id, number, member.id, cmd.text))


async def mark_escalation_handled(ctx: Context, cmd: c.MarkEscalationHandled) -> None:
    """The lead records that the steering level answered: it leaves the meeting agenda."""
    group, _member = ctx.require_lead()
    marked = await ctx.uow.escalations.mark_handled(group.id, cmd.number, at=ctx.now)
    if marked is None:
        raise Refusal("error.unknown_escalation", number=str(cmd.number))
    if not marked:
        ctx.answer(ctx.t("escalate.already_handled", number=cmd.number))
        return
    await ctx.audit("escalation.handled", detail=f"number={cmd.number}")
    ctx.emit(ev.EscalationHandled(group.id, cmd.number))
