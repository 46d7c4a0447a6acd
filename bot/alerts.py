"""The alert of a case: what its first post shows and every rewrite after it.

An alert is derived from the stored case each time (summary, who flagged it, which agencies
acknowledged and which are awaited, who holds responsibility, open or closed), never kept in
an adapter's memory: a rewrite after a restart reads exactly like one before. `flag` posts it
once per operative room (message key `alert:<ref>`); every later change of the case rewrites
it in place (`edit_of`) and posts its own line in the alert's thread (`thread_of`): both are
sent by `bot.announcing.alerts`, from the texts made here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.domain import Agency, Case, CaseStatus, Member, Role, pending_acknowledgements
from bot.domain.routing import Route, alert_routes, present
from bot.messages import Action
from bot.rendering import URGENCY_ICON, headline, member_name, tag_names, urgency_name


def alert_key(case: Case) -> str:
    """The message key of a case's alert in every room: what rewrites and threads point at."""
    return f"alert:{case.ref}"


def on_duty(
    ctx: Context, members: Sequence[Member], agencies: set[Agency] | frozenset[Agency]
) -> list[Member]:
    """The fixed representatives (and leads) of these agencies, an absent one replaced by
    whoever stands in: who an update for these agencies notifies. Deputies are otherwise
    reached by escalation, duty contacts only by acute cases outside working hours."""
    fixed = [m for m in members if m.agency in agencies and m.role in (Role.REP, Role.LEAD)]
    return list(present(fixed, members, local_time(ctx, ctx.now))[0])


def in_order(members: Sequence[Member], reached: Sequence[Member]) -> list[Member]:
    """The reached members in the group's own order (as mentions always were)."""
    wanted = {m.id for m in reached}
    return [m for m in members if m.id in wanted]


def local_time(ctx: Context, instant: datetime) -> datetime:
    """The group's wall time of an instant (naive), as the routing rule reads it."""
    zone = ctx.group.timezone if ctx.group is not None else "Europe/Copenhagen"
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def routes_of(ctx: Context, case: Case, members: Sequence[Member]) -> tuple[Route, ...]:
    """Who the case's alert reaches: decided at the moment it was flagged (a rewrite later
    reads the same)."""
    return alert_routes(
        members,
        flagging=case.flagging_agency,
        urgency=case.urgency,
        local=local_time(ctx, case.created_at),
        hours=ctx.hours,
    )


def routing_lines(ctx: Context, routes: Sequence[Route]) -> tuple[list[str], list[str]]:
    """(full, minimal) lines saying who was reached and why: duty contacts outside working
    hours, stand-ins for absent members. Nothing when nothing differs from the usual."""
    full: list[str] = []
    minimal: list[str] = []
    with_duty = [r.agency for r in routes if r.duty]
    without = [r.agency for r in routes if r.out_of_hours and not r.duty]
    if with_duty:
        line = ctx.t("alert.out_of_hours", agencies=ctx.agency_list(with_duty))
        full.append(line)
        minimal.append(line)
    if without and with_duty:
        line = ctx.t("alert.no_duty", agencies=ctx.agency_list(without))
        full.append(line)
        minimal.append(line)
    for route in routes:
        for stand_in in route.stand_ins:
            if stand_in.by:
                full.append(
                    ctx.t(
                        "alert.stand_in",
                        absent=stand_in.absent.display_name,
                        by=", ".join(m.display_name for m in stand_in.by),
                    )
                )
    return full, minimal


def case_actions(ctx: Context, case: Case) -> tuple[Action, ...]:
    return (
        Action("ack", ctx.t("action.ack"), f"ack {case.ref}"),
        Action("take", ctx.t("action.take"), f"take {case.ref}"),
        Action("show", ctx.t("action.show"), f"show {case.ref}"),
    )


async def acknowledged_agencies(ctx: Context, case: Case) -> frozenset[Agency]:
    return frozenset(a.agency for a in await ctx.uow.cases.acknowledgements(case.id))


def render_alert(
    ctx: Context,
    case: Case,
    *,
    members: Sequence[Member],
    acknowledged: frozenset[Agency],
    routes: Sequence[Route] = (),
) -> tuple[str, str]:
    """(full, minimal) text of the alert as the case stands now."""
    waiting = pending_acknowledgements(frozenset(m.agency for m in members), acknowledged)
    params = {
        "icon": URGENCY_ICON[case.urgency],
        "ref": case.ref,
        "urgency": urgency_name(ctx, case.urgency).upper(),
        "agency": ctx.agency_name(case.flagging_agency),
        "who": member_name({m.id: m for m in members}, case.flagged_by),
        "waiting": ctx.agency_list(waiting),
    }
    full = ctx.t("alert.full", summary=case.summary, **params)
    minimal = ctx.t("alert.minimal", **params)
    if case.status is CaseStatus.OPEN:
        extra_full, extra_minimal = routing_lines(ctx, routes)
        full = "\n".join([full, *extra_full])
        minimal = "\n".join([minimal, *extra_minimal])
    if acknowledged - {case.flagging_agency}:
        # Who answered so far (the flagging agency's own acknowledgement goes without saying).
        line = ctx.t(
            "alert.acknowledged", agencies=ctx.agency_list(a for a in Agency if a in acknowledged)
        )
        full += "\n" + line
        minimal += "\n" + line
    if case.tags:
        full += "\n" + ctx.t("show.tags", tags=tag_names(ctx, case.tags))
    if case.responsible is not None or case.status is not CaseStatus.OPEN:
        # Once responsibility is placed or the case is closed, the alert says so too.
        full += "\n" + headline(ctx, case)
        minimal += "\n" + headline(ctx, case)
    return full, minimal
