"""Use cases that move a case through its life: flag, acknowledge, close and reopen (placing
responsibility is in `responsibility.py`). Each loads, asks the rules in `bot.domain.rules`,
saves, and emits what happened (bot.domain.events: `bot.announcing` tells the group); it runs
inside the caller's unit of work and never commits."""

from __future__ import annotations

import dataclasses
from zoneinfo import ZoneInfo

from bot import commands as c
from bot.context import Context, Refusal
from bot.domain import Acknowledgement, Case, CaseStatus, Member, format_case_ref
from bot.domain import events as ev
from bot.domain import rules as rule
from bot.domain.outcome import outcome_choices
from bot.minutes import links
from bot.usecases.access import group_authorities


def require_open(case: Case) -> None:
    refused = rule.require_open(case)
    if refused is not None:
        raise Refusal(refused.key, ref=case.ref)


async def save_case(ctx: Context, case: Case, **changes: object) -> Case:
    updated = dataclasses.replace(case, updated_at=ctx.now, **changes)  # type: ignore[arg-type]
    return ctx.remember(await ctx.uow.cases.save(updated, expected_version=case.version))


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
        # The flagging agency has by definition seen its own flag.
        acknowledged=Acknowledgement(member.agency, member.id, ctx.now),
    )
    ctx.remember(case)
    await ctx.audit("case.flag", case=case, detail=f"urgency={cmd.urgency.value}")
    ctx.emit(ev.CaseFlagged(case.id))


async def acknowledge_for(ctx: Context, case: Case, member: Member) -> bool:
    """Record the acknowledgement of the member's agency unless it has one; True if new."""
    acks = await ctx.uow.cases.acknowledgements(case.id)
    if any(a.agency is member.agency for a in acks):
        return False
    await ctx.uow.cases.add_acknowledgement(
        case.id, agency=member.agency, member_id=member.id, at=ctx.now
    )
    return True


async def acknowledge_case(ctx: Context, cmd: c.AcknowledgeCase) -> None:
    _group, member, case = await ctx.case(cmd.ref, guest_ok=True)
    require_open(case)
    if not await acknowledge_for(ctx, case, member):
        ctx.answer(
            ctx.t("ack.already", ref=case.ref, agency=ctx.agency_name(member.agency)),
            case=case,
        )
        return
    case = await save_case(ctx, case)
    await ctx.audit("case.ack", case=case, detail=f"agency={member.agency.value}")
    ctx.emit(ev.AcknowledgementRecorded(case.id, member.agency, member.id))


async def close_case(ctx: Context, cmd: c.CloseCase) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    ctx.check(rule.check_close(case, member, await group_authorities(ctx)))
    if cmd.outcome is None:
        raise Refusal("error.missing_outcome", choices=outcome_choices())
    case = await save_case(
        ctx, case, status=CaseStatus.CLOSED, resolution=cmd.resolution, closed_at=ctx.now
    )
    await ctx.uow.outcomes.record(
        case.id, group_id=case.group_id, event="close", outcome=cmd.outcome, at=ctx.now
    )
    await ctx.audit("case.close", case=case, detail=f"outcome={cmd.outcome.value}")
    await links.in_meeting(
        ctx, case, links.CLOSE, resolution=cmd.resolution, outcome=cmd.outcome.value
    )
    ctx.emit(ev.CaseClosed(case.id, member.id))


async def reopen_case(ctx: Context, cmd: c.ReopenCase) -> None:
    _group, member, case = await ctx.case(cmd.ref)
    ctx.check(rule.check_reopen(case, member))
    case = await save_case(ctx, case, status=CaseStatus.OPEN, resolution=None, closed_at=None)
    await ctx.uow.cases.add_note(case.id, text=cmd.reason, by_member=member.id, at=ctx.now)
    await ctx.uow.outcomes.record(
        case.id, group_id=case.group_id, event="reopen", outcome=None, at=ctx.now
    )
    await ctx.audit("case.reopen", case=case)
    await links.in_meeting(ctx, case, links.REOPEN, reason=cmd.reason)
    ctx.emit(ev.CaseReopened(case.id, member.id))
