"""Use cases that move a case through its life: flag, acknowledge, place responsibility,
close and reopen. Each runs inside the caller's unit of work and never commits."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot import commands as c
from bot.context import Context, Refusal
from bot.domain import (
    Agency,
    Case,
    CaseStatus,
    Member,
    ResponsibilityChange,
    Role,
    format_case_ref,
    pending_acknowledgements,
)
from bot.messages import Action, ReplyKind
from bot.rendering import URGENCY_ICON, headline, tag_names, urgency_name
from bot.usecases.members import resolve_member


def require_open(case: Case) -> None:
    if case.status is not CaseStatus.OPEN:
        raise Refusal("error.case_closed", ref=case.ref)


def on_duty(members: Sequence[Member], agencies: set[Agency] | frozenset[Agency]) -> list[Member]:
    """The fixed representatives (and leads) of these agencies: who an alert notifies.
    Deputies are reached by escalation, not by the first alert."""
    return [m for m in members if m.agency in agencies and m.role is not Role.DEPUTY]


def case_actions(ctx: Context, case: Case) -> tuple[Action, ...]:
    return (
        Action("ack", ctx.t("action.ack"), f"ack {case.ref}"),
        Action("take", ctx.t("action.take"), f"take {case.ref}"),
        Action("show", ctx.t("action.show"), f"show {case.ref}"),
    )


async def _save(ctx: Context, case: Case, **changes: object) -> Case:
    updated = dataclasses.replace(case, updated_at=ctx.now, **changes)  # type: ignore[arg-type]
    return await ctx.uow.cases.save(updated, expected_version=case.version)


async def _announce(
    ctx: Context, case: Case, key: str, *, mention: Sequence[Member] = (), **params: str
) -> None:
    """A state change, told to every operative room of the group (the headline is all a
    minimal room gets, and all it needs)."""
    line = ctx.t(key, ref=case.ref, **params)
    await ctx.broadcast(
        full=f"{line}\n{headline(ctx, case)}",
        minimal=f"{line}\n{headline(ctx, case)}",
        kind=ReplyKind.UPDATE,
        case=case,
        mention=mention,
        message_key=f"{key}:{case.ref}:{case.version}",
    )


async def flag_case(ctx: Context, cmd: c.FlagCase) -> None:
    group, member = ctx.require_operative()
    year = ctx.now.astimezone(ZoneInfo(group.timezone)).year
    number = await ctx.uow.groups.next_case_number(group.id, year)
    case = await ctx.uow.cases.add(
        group_id=group.id,
        ref=format_case_ref(group.prefix, year, number),
        urgency=cmd.urgency,
        summary=cmd.summary,
        tags=cmd.tags,
        flagged_by=member.id,
        flagging_agency=member.agency,
        at=ctx.now,
    )
    # The flagging agency has by definition seen its own flag.
    await ctx.uow.cases.add_acknowledgement(
        case.id, agency=member.agency, member_id=member.id, at=ctx.now
    )
    await ctx.audit("case.flag", case=case, detail=f"urgency={cmd.urgency.value}")
    members = await ctx.uow.members.list(group.id)
    others = {m.agency for m in members} - {member.agency}
    waiting = pending_acknowledgements(
        frozenset(m.agency for m in members), frozenset({member.agency})
    )
    params = {
        "icon": URGENCY_ICON[case.urgency],
        "ref": case.ref,
        "urgency": urgency_name(ctx, case.urgency).upper(),
        "agency": ctx.agency_name(member.agency),
        "who": member.display_name,
        "waiting": ctx.agency_list(waiting),
    }
    full = ctx.t("alert.full", summary=case.summary, **params)
    if case.tags:
        full += "\n" + ctx.t("show.tags", tags=tag_names(ctx, case.tags))
    await ctx.broadcast(
        full=full,
        minimal=ctx.t("alert.minimal", **params),
        kind=ReplyKind.ALERT,
        case=case,
        mention=on_duty(members, others),
        actions=case_actions(ctx, case),
        message_key=f"alert:{case.ref}",
    )


async def acknowledge_case(ctx: Context, cmd: c.AcknowledgeCase) -> None:
    group, member, case = await ctx.case(cmd.ref)
    require_open(case)
    acks = await ctx.uow.cases.acknowledgements(case.id)
    earlier = next((a for a in acks if a.agency is member.agency), None)
    if earlier is not None:
        ctx.answer(
            ctx.t("ack.already", ref=case.ref, agency=ctx.agency_name(member.agency)),
            case=case,
        )
        return
    await ctx.uow.cases.add_acknowledgement(
        case.id, agency=member.agency, member_id=member.id, at=ctx.now
    )
    case = await _save(ctx, case)
    await ctx.audit("case.ack", case=case, detail=f"agency={member.agency.value}")
    members = await ctx.uow.members.list(group.id)
    acked = frozenset({a.agency for a in acks} | {member.agency})
    waiting = pending_acknowledgements(frozenset(m.agency for m in members), acked)
    await _announce(
        ctx,
        case,
        "ack.done",
        agency=ctx.agency_name(member.agency),
        who=member.display_name,
        waiting=ctx.agency_list(waiting),
    )


async def _place(ctx: Context, case: Case, member: Member, agency: Agency, how: str) -> Case:
    """Responsibility moves now: one agency at a time, every change kept in the history."""
    previous = case.responsible
    case = await _save(
        ctx, case, responsible=agency, proposed=None, proposed_by=None, proposed_member=None
    )
    await ctx.uow.cases.add_history(
        case.id,
        ResponsibilityChange(
            agency=agency, previous=previous, by_member=member.id, how=how, at=ctx.now
        ),
    )
    await ctx.audit(f"case.{how}", case=case, detail=f"agency={agency.value}")
    return case


async def _members_of(ctx: Context, agency: Agency) -> list[Member]:
    assert ctx.group is not None
    return [m for m in await ctx.uow.members.list(ctx.group.id) if m.agency is agency]


async def assign_case(ctx: Context, cmd: c.AssignCase) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    require_open(case)
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
    if case.responsible is cmd.agency:
        raise Refusal("error.already_responsible", ref=case.ref, agency=ctx.agency_name(cmd.agency))
    if member.is_lead or cmd.agency is member.agency:
        # The lead records what the meeting agreed; taking for one's own agency needs no answer.
        how = "assign" if member.is_lead else "take"
        case = await _place(ctx, case, member, cmd.agency, how)
        await _announce(
            ctx,
            case,
            "assign.done",
            mention=[target] if target else on_duty(receivers, {cmd.agency}),
            agency=ctx.agency_name(cmd.agency),
            who=member.display_name,
        )
        return
    if case.proposed is not None:
        raise Refusal("error.proposal_pending", ref=case.ref, agency=ctx.agency_name(case.proposed))
    case = await _save(
        ctx,
        case,
        proposed=cmd.agency,
        proposed_by=member.id,
        proposed_member=target.id if target else None,
    )
    await ctx.audit("case.propose", case=case, detail=f"agency={cmd.agency.value}")
    await _announce(
        ctx,
        case,
        "assign.proposed",
        mention=[target] if target else on_duty(receivers, {cmd.agency}),
        agency=ctx.agency_name(cmd.agency),
        who=member.display_name,
        current=ctx.agency_name(case.responsible),
    )


def _require_proposal_for(ctx: Context, case: Case, member: Member) -> Agency:
    if case.proposed is None or case.proposed is not member.agency:
        raise Refusal("error.no_proposal", ref=case.ref, agency=ctx.agency_name(member.agency))
    return case.proposed


async def accept_assignment(ctx: Context, cmd: c.AcceptAssignment) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    require_open(case)
    agency = _require_proposal_for(ctx, case, member)
    case = await _place(ctx, case, member, agency, "accept")
    await _announce(
        ctx, case, "accept.done", agency=ctx.agency_name(agency), who=member.display_name
    )


async def decline_assignment(ctx: Context, cmd: c.DeclineAssignment) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    require_open(case)
    agency = _require_proposal_for(ctx, case, member)
    case = await _save(ctx, case, proposed=None, proposed_by=None, proposed_member=None)
    await ctx.uow.cases.add_history(
        case.id,
        ResponsibilityChange(
            agency=agency, previous=case.responsible, by_member=member.id, how="decline", at=ctx.now
        ),
    )
    await ctx.uow.cases.add_note(case.id, text=cmd.reason, by_member=member.id, at=ctx.now)
    await ctx.audit("case.decline", case=case, detail=f"agency={agency.value}")
    await _announce(
        ctx,
        case,
        "decline.done",
        agency=ctx.agency_name(agency),
        who=member.display_name,
        current=ctx.agency_name(case.responsible),
    )


async def take_case(ctx: Context, cmd: c.TakeCase) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    require_open(case)
    if case.responsible is member.agency:
        raise Refusal(
            "error.already_responsible", ref=case.ref, agency=ctx.agency_name(member.agency)
        )
    case = await _place(ctx, case, member, member.agency, "take")
    await _announce(
        ctx, case, "take.done", agency=ctx.agency_name(member.agency), who=member.display_name
    )


async def close_case(ctx: Context, cmd: c.CloseCase) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    require_open(case)
    if case.responsible is None:
        raise Refusal("error.close_without_responsible", ref=case.ref)
    if not member.is_lead and member.agency is not case.responsible:
        raise Refusal(
            "error.close_not_responsible", ref=case.ref, agency=ctx.agency_name(case.responsible)
        )
    case = await _save(
        ctx, case, status=CaseStatus.CLOSED, resolution=cmd.resolution, closed_at=ctx.now
    )
    await ctx.audit("case.close", case=case)
    await _announce(ctx, case, "close.done", who=member.display_name)


async def reopen_case(ctx: Context, cmd: c.ReopenCase) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    if not member.is_lead:
        raise Refusal("error.lead_only")
    if case.status is CaseStatus.OPEN:
        raise Refusal("error.case_open", ref=case.ref)
    case = await _save(ctx, case, status=CaseStatus.OPEN, resolution=None, closed_at=None)
    await ctx.uow.cases.add_note(case.id, text=cmd.reason, by_member=member.id, at=ctx.now)
    await ctx.audit("case.reopen", case=case)
    await _announce(ctx, case, "reopen.done", who=member.display_name)
