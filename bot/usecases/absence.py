"""Use cases of reaching the right person: a member's absence (`away until`, `back`), who an
acute case reaches right now (`duty`), and the pager's test (`page test`). Who is reached is
decided in one place, `bot.domain.routing`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import commands as c
from bot.context import Context, Refusal
from bot.domain import Member
from bot.domain.routing import Route, duty_agency_missing, on_call, stand_ins_for
from bot.paging import page_replies, pager_target_name, target_for
from bot.usecases.members import resolve_member

# `away until` at most this far ahead: a longer absence is a change of representative.
LONGEST_ABSENCE = timedelta(days=365)


def _local_now(ctx: Context) -> datetime:
    assert ctx.group is not None
    return ctx.now.astimezone(ZoneInfo(ctx.group.timezone)).replace(tzinfo=None)


def check_away_until(until: date, today: date) -> Refusal | None:
    if until < today:
        return Refusal("error.away_past", date=until.isoformat(), today=today.isoformat())
    last = today + LONGEST_ABSENCE
    if until > last:
        return Refusal("error.away_too_far", date=until.isoformat(), last=last.isoformat())
    return None


async def mark_away(ctx: Context, cmd: c.MarkAway) -> None:
    group, member = ctx.require_group()
    local = _local_now(ctx)
    refused = check_away_until(cmd.until, local.date())
    if refused is not None:
        raise refused
    members = await ctx.uow.members.list(group.id)
    deputy: Member | None = None
    if cmd.deputy is not None:
        deputy = resolve_member(ctx, members, cmd.deputy)
        if deputy is None:
            raise Refusal("error.deputy_not_member", user=cmd.deputy[:60])
        if deputy.id == member.id:
            raise Refusal("error.deputy_self")
        if deputy.agency is not member.agency:
            raise Refusal(
                "error.deputy_other_agency",
                who=deputy.display_name,
                agency=ctx.agency_name(deputy.agency),
                own=ctx.agency_name(member.agency),
            )
        if deputy.is_away(local.date()) and deputy.away_until is not None:
            raise Refusal(
                "error.deputy_away", who=deputy.display_name, until=deputy.away_until.isoformat()
            )
    updated = await ctx.uow.members.set_absence(
        member.id, until=cmd.until, deputy=deputy.id if deputy else None
    )
    await ctx.audit(
        "member.away",
        detail=f"member={member.id} until={cmd.until.isoformat()} "
        f"deputy={deputy.id if deputy else '-'}",
    )
    others = [m if m.id != member.id else updated for m in members]
    by = stand_ins_for(updated, others, local)
    if by:
        ctx.answer(
            ctx.t(
                "away.set",
                who=member.display_name,
                until=cmd.until.isoformat(),
                deputies=", ".join(m.display_name for m in by),
            )
        )
    else:
        ctx.answer(
            ctx.t(
                "away.set_nobody",
                who=member.display_name,
                until=cmd.until.isoformat(),
                agency=ctx.agency_name(member.agency),
            )
        )


async def mark_back(ctx: Context, cmd: c.MarkBack) -> None:
    _group, member = ctx.require_group()
    if not member.is_away(_local_now(ctx).date()):
        ctx.answer(ctx.t("away.not_away", who=member.display_name))
        return
    await ctx.uow.members.set_absence(member.id, until=None, deputy=None)
    await ctx.audit("member.back", detail=f"member={member.id}")
    ctx.answer(ctx.t("away.back", who=member.display_name))


def _row(ctx: Context, route: Route) -> list[str]:
    names = [
        ctx.t("duty.duty_mark", who=m.display_name) if m in route.duty else m.display_name
        for m in route.reached
    ]
    lines = [
        ctx.t(
            "duty.row",
            agency=ctx.agency_name(route.agency),
            who=", ".join(names) if names else ctx.t("duty.nobody"),
        )
    ]
    for stand_in in route.stand_ins:
        until = stand_in.absent.away_until
        lines.append(
            ctx.t(
                "duty.stand_in",
                absent=stand_in.absent.display_name,
                until=until.isoformat() if until else "?",
                by=", ".join(m.display_name for m in stand_in.by) or ctx.t("duty.nobody"),
            )
        )
    if route.out_of_hours and not route.duty:
        lines.append(ctx.t("duty.no_duty", agency=ctx.agency_name(route.agency).lower()))
    return lines


async def show_on_call(ctx: Context, cmd: c.ShowOnCall) -> None:
    group, _member = ctx.require_group()
    local = _local_now(ctx)
    members = await ctx.uow.members.list(group.id)
    routes = on_call(members, local=local, hours=ctx.hours)
    await ctx.audit("duty.read")
    key = "duty.head_outside" if not ctx.hours.is_open(local) else "duty.head_inside"
    lines = [ctx.t(key, when=local.strftime("%Y-%m-%d %H:%M"))]
    for route in routes:
        lines.extend(_row(ctx, route))
    if ctx.pager:
        lines.append(ctx.t("duty.pager"))
    ctx.answer("\n".join(lines))


async def send_test_page(ctx: Context, cmd: c.SendTestPage) -> None:
    group, member = ctx.require_lead()
    if not ctx.pager:
        raise Refusal("error.no_pager")
    if cmd.agency is not None:
        members = await ctx.uow.members.list(group.id)
        if duty_agency_missing(members, cmd.agency):
            raise Refusal("error.duty_agency_not_in_group", agency=ctx.agency_name(cmd.agency))
    bindings = await ctx.uow.groups.bindings(group.id)
    ctx.replies.extend(
        page_replies(
            group,
            bindings,
            case=None,
            agency=cmd.agency,
            targets=[cmd.agency],
            step="test",
            locale=ctx.locale,
            message_key=f"page-test:{group.id}:{ctx.now.isoformat()}",
        )
    )
    target = pager_target_name(ctx.locale, target_for(cmd.agency))
    await ctx.audit(
        "page.test",
        detail=f"member={member.id} target={cmd.agency.value if cmd.agency else 'lead'}",
    )
    ctx.answer(ctx.t("page.queued", target=target))
