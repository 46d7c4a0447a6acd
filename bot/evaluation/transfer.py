"""Moving a case to another group (SSP to SSP+ when the young person turns 18; PSP to KSP and
back). The source lead asks, the target lead accepts; until then nothing moves. On accept the
case gets a new ref in the target group with its decisions and acknowledgements, both refs are
linked in the histories, and the source case is closed with the outcome "transferred"."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.context import Context, Refusal
from bot.domain import CaseStatus, GroupId, ResponsibilityChange, format_case_ref
from bot.domain import events as ev
from bot.domain.outcome import Outcome
from bot.evaluation import commands as ec
from bot.usecases.lifecycle import require_open, save_case


async def request_transfer(ctx: Context, cmd: ec.RequestTransfer) -> None:
    group, member, case = await ctx.case(cmd.ref)
    if not member.is_lead:
        raise Refusal("error.lead_only")
    require_open(case)
    target = await ctx.uow.groups.get_by_name(cmd.group)
    if target is None or target.id == group.id:
        raise Refusal("error.unknown_group", group=cmd.group[:80])
    if target.kind is not group.kind and not cmd.confirm:
        raise Refusal(
            "error.transfer_kind",
            group=target.name,
            kind=target.kind.value.upper(),
            ref=case.ref,
        )
    if await ctx.uow.transfers.pending_for_case(case.id) is not None:
        raise Refusal("error.transfer_pending", ref=case.ref)
    await ctx.uow.transfers.request(
        case.id,
        source_group_id=group.id,
        target_group_id=target.id,
        requested_by=member.id,
        at=ctx.now,
    )
    await ctx.audit("case.transfer_request", case=case, detail=f"target={target.id}")
    ctx.emit(ev.TransferRequested(case.id, target.id))


async def accept_transfer(ctx: Context, cmd: ec.AcceptTransfer) -> None:
    group, member = ctx.require_operative()
    if not member.is_lead:
        raise Refusal("error.lead_only")
    pending = await ctx.uow.transfers.pending_to(group.id, cmd.ref)
    if pending is None:
        raise Refusal("error.no_transfer", ref=cmd.ref)
    source = await ctx.uow.cases.get(pending.case_id)
    source_group = await ctx.uow.groups.get(GroupId(pending.source_group_id))
    if source is None or source_group is None or source.status is not CaseStatus.OPEN:
        raise Refusal("error.no_transfer", ref=cmd.ref)
    year = ctx.now.astimezone(ZoneInfo(group.timezone)).year
    number = await ctx.uow.groups.next_case_number(group.id, year)
    moved = await ctx.uow.cases.add(
        group_id=group.id,
        ref=format_case_ref(group.prefix, year, number),
        urgency=source.urgency,
        summary=source.summary,
        tags=source.tags,
        flagged_by=member.id,
        flagging_agency=source.flagging_agency,
        at=ctx.now,
    )
    ctx.remember(moved)
    for ack in await ctx.uow.cases.acknowledgements(source.id):
        await ctx.uow.cases.add_acknowledgement(
            moved.id, agency=ack.agency, member_id=None, at=ack.at
        )
    for decision in await ctx.uow.cases.decisions(source.id):
        await ctx.uow.cases.add_decision(
            moved.id,
            text=decision.text,
            owner=decision.owner,
            due=decision.due,
            fallback=decision.fallback,
            fallback_owner=decision.fallback_owner,
            by_member=member.id,
            at=decision.created_at,
        )
        if decision.done_at is not None:
            await ctx.uow.cases.mark_decision_done(moved.id, decision.number, at=decision.done_at)
    if source.responsible is not None:
        moved = await save_case(ctx, moved, responsible=source.responsible)
        await ctx.uow.cases.add_history(
            moved.id,
            ResponsibilityChange(
                agency=source.responsible,
                previous=None,
                by_member=member.id,
                how="transfer",
                at=ctx.now,
            ),
        )
    await ctx.uow.cases.add_note(
        moved.id,
        text=ctx.t("transfer.note_from", ref=source.ref, group=source_group.name),
        by_member=member.id,
        at=ctx.now,
    )
    await ctx.uow.cases.add_note(
        source.id,
        text=ctx.t("transfer.note_to", ref=moved.ref, group=group.name),
        by_member=member.id,
        at=ctx.now,
    )
    closed = await save_case(
        ctx,
        source,
        status=CaseStatus.CLOSED,
        resolution=ctx.t("transfer.note_to", ref=moved.ref, group=group.name),
        closed_at=ctx.now,
    )
    await ctx.uow.outcomes.record(
        closed.id, group_id=closed.group_id, event="close", outcome=Outcome.TRANSFERRED, at=ctx.now
    )
    await ctx.uow.transfers.accept(pending.id, new_case_id=moved.id, at=ctx.now)
    await ctx.audit("case.transfer_in", case=moved, detail=f"source={source.id}")
    await ctx.uow.audit.record(
        at=ctx.now,
        action="case.transfer_out",
        actor_member_id=member.id,
        group_id=source_group.id,
        case_id=closed.id,
        binding_id=None,
        detail=f"target={moved.id} outcome=transferred",
    )
    ctx.emit(ev.TransferAccepted(closed.id, source_group.id, moved.id))
