"""Use cases that place action responsibility: assign (or propose), accept, decline, take.
The rules (who can hold it, who answers a proposal, when the lead's word is final) are in
`bot.domain.rules`; these load, ask, save and emit what happened (bot.domain.events)."""

from __future__ import annotations

from bot import commands as c
from bot.context import Context, Refusal
from bot.domain import Agency, Case, Member, PlaceNow, Refused, ResponsibilityChange
from bot.domain import events as ev
from bot.domain import rules as rule
from bot.minutes import links
from bot.usecases.access import group_authorities
from bot.usecases.lifecycle import acknowledge_for, save_case
from bot.usecases.members import resolve_member


async def _place(ctx: Context, case: Case, member: Member, placement: PlaceNow) -> Case:
    """Responsibility moves now: one agency at a time, every change kept in the history."""
    previous = case.responsible
    case = await save_case(
        ctx,
        case,
        responsible=placement.agency,
        proposed=None,
        proposed_by=None,
        proposed_member=None,
    )
    await ctx.uow.cases.add_history(
        case.id,
        ResponsibilityChange(
            agency=placement.agency,
            previous=previous,
            by_member=member.id,
            how=placement.how,
            at=ctx.now,
        ),
    )
    await ctx.audit(f"case.{placement.how}", case=case, detail=f"agency={placement.agency.value}")
    await links.in_meeting(
        ctx,
        case,
        links.RESPONSIBILITY,
        move=placement.how,
        agency=placement.agency.value,
        previous=previous.value if previous else "",
    )
    if placement.how in ("take", "accept"):
        # Taking or accepting responsibility is the strongest acknowledgement there is: the
        # agency is no longer awaited (alert, `show`) nor escalated to.
        await acknowledge_for(ctx, case, member)
    return case


async def _members_of(ctx: Context, agency: Agency) -> list[Member]:
    assert ctx.group is not None
    return [m for m in await ctx.uow.members.list(ctx.group.id) if m.agency is agency]


async def assign_case(ctx: Context, cmd: c.AssignCase) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    ctx.check(rule.require_open(case))
    receivers = await _members_of(ctx, cmd.agency)
    if not receivers:
        raise Refusal("error.agency_not_in_group", agency=ctx.agency_name(cmd.agency))
    target: Member | None = None
    if cmd.member is not None:
        target = resolve_member(ctx, receivers, cmd.member)
        if target is None:
            raise Refusal(
                "error.member_not_in_agency",
                user=cmd.member[:60],
                agency=ctx.agency_name(cmd.agency),
            )
    outcome = rule.decide_assignment(case, member, cmd.agency, await group_authorities(ctx))
    if isinstance(outcome, Refused):
        raise ctx.refusal(outcome)
    asked = target.id if target else None
    if isinstance(outcome, PlaceNow):
        case = await _place(ctx, case, member, outcome)
        ctx.emit(ev.ResponsibilityPlaced(case.id, outcome.agency, member.id, "assign", asked))
        return
    case = await save_case(
        ctx,
        case,
        proposed=outcome.agency,
        proposed_by=member.id,
        proposed_member=asked,
    )
    await ctx.audit("case.propose", case=case, detail=f"agency={outcome.agency.value}")
    await links.in_meeting(
        ctx, case, links.RESPONSIBILITY, move="propose", agency=outcome.agency.value, previous=""
    )
    ctx.emit(ev.ResponsibilityProposed(case.id, outcome.agency, member.id, asked))


async def accept_assignment(ctx: Context, cmd: c.AcceptAssignment) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    outcome = rule.decide_accept(case, member, await group_authorities(ctx))
    if isinstance(outcome, Refused):
        raise ctx.refusal(outcome)
    case = await _place(ctx, case, member, outcome)
    ctx.emit(ev.ResponsibilityPlaced(case.id, outcome.agency, member.id, "accept"))


async def decline_assignment(ctx: Context, cmd: c.DeclineAssignment) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    agency = rule.proposal_for(case, member)
    if isinstance(agency, Refused):
        raise ctx.refusal(agency)
    case = await save_case(ctx, case, proposed=None, proposed_by=None, proposed_member=None)
    await ctx.uow.cases.add_history(
        case.id,
        ResponsibilityChange(
            agency=agency, previous=case.responsible, by_member=member.id, how="decline", at=ctx.now
        ),
    )
    await ctx.uow.cases.add_note(case.id, text=cmd.reason, by_member=member.id, at=ctx.now)
    await ctx.audit("case.decline", case=case, detail=f"agency={agency.value}")
    await links.in_meeting(
        ctx, case, links.RESPONSIBILITY, move="decline", agency=agency.value, previous=""
    )
    ctx.emit(ev.ProposalDeclined(case.id, agency, member.id))


async def take_case(ctx: Context, cmd: c.TakeCase) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    outcome = rule.decide_take(case, member, await group_authorities(ctx))
    if isinstance(outcome, Refused):
        raise ctx.refusal(outcome)
    case = await _place(ctx, case, member, outcome)
    ctx.emit(ev.ResponsibilityPlaced(case.id, outcome.agency, member.id, "take"))
