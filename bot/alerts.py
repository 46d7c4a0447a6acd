"""The alert of a case: what its first post shows and every rewrite after it.

An alert is derived from the stored case each time (summary, who flagged it, which agencies
acknowledged and which are awaited, who holds responsibility, open or closed), never kept in
an adapter's memory: a rewrite after a restart reads exactly like one before. `flag` posts it
once per operative room (message key `alert:<ref>`); every later change of the case rewrites
it in place (`edit_of`) and posts its own line in the alert's thread (`thread_of`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.context import Context
from bot.domain import Agency, Case, CaseStatus, Member, Role, pending_acknowledgements
from bot.messages import Action, ReplyKind
from bot.rendering import URGENCY_ICON, headline, member_name, tag_names, urgency_name


def alert_key(case: Case) -> str:
    """The message key of a case's alert in every room: what rewrites and threads point at."""
    return f"alert:{case.ref}"


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


async def acknowledged_agencies(ctx: Context, case: Case) -> frozenset[Agency]:
    return frozenset(a.agency for a in await ctx.uow.cases.acknowledgements(case.id))


def render_alert(
    ctx: Context, case: Case, *, members: Sequence[Member], acknowledged: frozenset[Agency]
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


async def post_alert(ctx: Context, case: Case) -> None:
    """The first alert of a newly flagged case, mentioning the other agencies' on-duty
    representatives."""
    await _broadcast_alert(ctx, case, rewrite=False)


async def rewrite_alert(ctx: Context, case: Case) -> None:
    """Rewrite the alert in every operative room from the case as it stands now, with the
    same mentions (an edit notifies nobody) and buttons as the first post, none once closed."""
    await _broadcast_alert(ctx, case, rewrite=True)


async def _broadcast_alert(ctx: Context, case: Case, *, rewrite: bool) -> None:
    assert ctx.group is not None
    members = await ctx.uow.members.list(ctx.group.id)
    full, minimal = render_alert(
        ctx, case, members=members, acknowledged=await acknowledged_agencies(ctx, case)
    )
    await ctx.broadcast(
        full=full,
        minimal=minimal,
        kind=ReplyKind.ALERT,
        case=case,
        mention=on_duty(members, {m.agency for m in members} - {case.flagging_agency}),
        actions=case_actions(ctx, case) if case.status is CaseStatus.OPEN else (),
        # Each rewrite is a message of its own (its version), editing the first post.
        message_key=f"{alert_key(case)}:v{case.version}" if rewrite else alert_key(case),
        edit_of=alert_key(case) if rewrite else None,
        answer_here=not rewrite,
    )
