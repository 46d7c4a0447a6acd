"""Turning cases into the text members read, in their language and the room's detail level."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.domain import (
    Agency,
    Case,
    CaseDetails,
    CaseStatus,
    CaseSummaryRow,
    Decision,
    DetailLevel,
    Member,
    MemberId,
    Tag,
    Urgency,
)

URGENCY_ICON = {Urgency.ACUTE: "🚨", Urgency.URGENT: "⚠️", Urgency.NORMAL: "•"}


def local_time(ctx: Context, instant: datetime) -> str:
    zone = ZoneInfo(ctx.group.timezone if ctx.group else "Europe/Copenhagen")
    # "%Y-%m-%d %H:%M", written by isoformat() in a third of strftime's time (years ≥ 1000).
    return instant.astimezone(zone).isoformat(" ", "minutes")[:16]


def urgency_name(ctx: Context, urgency: Urgency) -> str:
    return ctx.t(f"urgency.{urgency.value}")


def status_name(ctx: Context, status: CaseStatus) -> str:
    return ctx.t(f"status.{status.value}")


def tag_names(ctx: Context, tags: Sequence[Tag]) -> str:
    return ", ".join(ctx.t(f"tag.{tag.value}") for tag in tags)


def headline(ctx: Context, case: Case | CaseSummaryRow) -> str:
    """Ref, urgency, status and responsible agency: all a minimal-detail room ever sees."""
    return ctx.t(
        "case.headline",
        icon=URGENCY_ICON[case.urgency],
        ref=case.ref,
        urgency=urgency_name(ctx, case.urgency),
        status=status_name(ctx, case.status),
        responsible=ctx.agency_name(case.responsible),
    )


def member_name(members: dict[MemberId, Member], member_id: MemberId | None) -> str:
    if member_id is None or member_id not in members:
        return "—"
    return members[member_id].display_name


def render_details(
    ctx: Context,
    details: CaseDetails,
    *,
    agencies: frozenset[Agency],
    members: dict[MemberId, Member],
    detail: DetailLevel,
) -> str:
    case = details.case
    lines = [headline(ctx, case)]
    acked = frozenset(a.agency for a in details.acknowledgements)
    missing = [a for a in Agency if a in agencies and a not in acked]
    lines.append(
        ctx.t(
            "show.acks",
            acked=ctx.agency_list(a for a in Agency if a in acked),
            missing=ctx.agency_list(missing),
        )
    )
    if case.proposed is not None:
        lines.append(ctx.t("show.proposed", agency=ctx.agency_name(case.proposed)))
    if detail is DetailLevel.MINIMAL:
        lines.append(ctx.t("show.minimal_room"))
        return "\n".join(lines)
    purged_at, closed_at = case.purged_at, case.closed_at
    if (
        case.status is CaseStatus.CLOSED
        and purged_at is not None
        and closed_at is not None
        and purged_at >= closed_at
    ):
        # Retention removed the free text; say so rather than show empty fields.
        lines.append(ctx.t("show.purged", at=local_time(ctx, purged_at)))
        return "\n".join(lines)
    lines.append(ctx.t("show.summary", summary=case.summary))
    if case.tags:
        lines.append(ctx.t("show.tags", tags=tag_names(ctx, case.tags)))
    lines.append(
        ctx.t(
            "show.flagged",
            agency=ctx.agency_name(case.flagging_agency),
            who=member_name(members, case.flagged_by),
            at=local_time(ctx, case.created_at),
        )
    )
    if details.decisions:
        lines.append(ctx.t("show.decisions"))
        lines.extend(render_decision(ctx, d) for d in details.decisions)
    if details.notes:
        lines.append(ctx.t("show.notes"))
        lines.extend(
            f"  {n.number}. {n.text} ({member_name(members, n.by_member)}, {local_time(ctx, n.at)})"
            for n in details.notes
        )
    if details.history:
        lines.append(ctx.t("show.history"))
        lines.extend(
            "  "
            + ctx.t(
                f"history.{change.how}",
                agency=ctx.agency_name(change.agency),
                who=member_name(members, change.by_member),
                at=local_time(ctx, change.at),
            )
            for change in details.history
        )
    if case.status is CaseStatus.CLOSED and case.resolution:
        lines.append(ctx.t("show.resolution", resolution=case.resolution))
    return "\n".join(lines)


def render_decision(ctx: Context, decision: Decision) -> str:
    parts = [f"  {decision.number}. {decision.text}"]
    parts.append(ctx.t("decision.owner", agency=ctx.agency_name(decision.owner)))
    if decision.due:
        parts.append(ctx.t("decision.due", due=decision.due.isoformat()))
    if decision.fallback:
        parts.append(
            ctx.t(
                "decision.fallback",
                fallback=decision.fallback,
                agency=ctx.agency_name(decision.fallback_owner or decision.owner),
            )
        )
    if decision.done_at:
        parts.append(ctx.t("decision.done"))
    return " · ".join(parts)


def render_list_row(ctx: Context, row: CaseSummaryRow, detail: DetailLevel) -> str:
    line = headline(ctx, row)
    if detail is DetailLevel.FULL:
        summary = row.summary if len(row.summary) <= 80 else row.summary[:79] + "…"
        line += f" — {summary}"
    return line
