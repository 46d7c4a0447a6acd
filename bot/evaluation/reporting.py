"""`report [YEAR | FROM TO]`: the evaluation report as a PDF in the room, with three lines of
summary. A group's lead asks for the group; anyone in a steering room for all the groups it
oversees, together and each apart. Audited; never a case detail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.context import Context, Refusal
from bot.domain import Group, GroupId
from bot.evaluation import commands as ec
from bot.evaluation.document import build_document, chat_summary
from bot.evaluation.gather import Evaluation, gather
from bot.evaluation.period import period_of, previous_year
from bot.messages import Attachment, Reply, ReplyKind
from bot.ports import UnitOfWork
from bot.ports.evaluation import Period, SteeringGroup
from bot.scheduling.timing import WorkingHours, to_local

PDF = "application/pdf"


@dataclass(frozen=True)
class ReportScope:
    name: str
    groups: tuple[Group, ...]
    steering: SteeringGroup | None


async def steering_scope(uow: UnitOfWork, steering: SteeringGroup) -> ReportScope:
    groups: list[Group] = []
    for group_id in await uow.steering.groups(steering.id):
        group = await uow.groups.get(GroupId(group_id))
        if group is not None:
            groups.append(group)
    return ReportScope(steering.name, tuple(groups), steering)


async def _scope(ctx: Context) -> ReportScope:
    steering = await ctx.uow.steering.by_room(ctx.incoming.platform, ctx.incoming.room)
    if steering is not None:
        scope = await steering_scope(ctx.uow, steering)
        if not scope.groups:
            raise Refusal("error.steering_no_groups", name=steering.name)
        return scope
    group, _member = ctx.require_lead()
    return ReportScope(group.name, (group,), None)


def _period(ctx: Context, cmd: ec.MakeReport, zone: str) -> Period:
    if cmd.first_day is None or cmd.last_day is None:
        year = previous_year(ctx.now, timezone=zone)
        first, last = date(year, 1, 1), date(year, 12, 31)
    else:
        first, last = cmd.first_day, cmd.last_day
    today = to_local(ctx.now, zone).date()
    if first > today:
        raise Refusal("error.period_future", first=first.isoformat())
    return period_of(first, last, timezone=zone)


def report_filename(scope: ReportScope, period: Period, extension: str) -> str:
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in scope.name).strip("-")
    first, last = period.first_day, period.last_day
    whole_year = (first, last) == (date(first.year, 1, 1), date(first.year, 12, 31))
    span = str(first.year) if whole_year else f"{first.isoformat()}_{last.isoformat()}"
    return f"{safe.lower() or 'psp'}-evaluation-{span}.{extension}"


async def evaluate(
    uow: UnitOfWork, scope: ReportScope, period: Period, *, hours: WorkingHours, now: datetime
) -> Evaluation:
    return await gather(
        uow, scope.groups, period, hours=hours, now=now, each_group=scope.steering is not None
    )


def report_reply(
    ctx_room: Reply, evaluation: Evaluation, scope: ReportScope, *, locale: str, now: datetime
) -> Reply:
    """`ctx_room` carries where the reply goes; the text and the file are added here."""
    from bot.evaluation.pdf import render_pdf  # fpdf2 only when a report is made

    document = build_document(evaluation, locale=locale, scope=scope.name, generated_at=now)
    return Reply(
        room=ctx_room.room,
        text=chat_summary(evaluation, locale=locale, scope=scope.name),
        kind=ctx_room.kind,
        in_reply_to=ctx_room.in_reply_to,
        message_key=ctx_room.message_key,
        attachments=(
            Attachment(report_filename(scope, evaluation.period, "pdf"), PDF, render_pdf(document)),
        ),
    )


def report_handler(hours: WorkingHours) -> Callable[[Context, ec.MakeReport], Awaitable[None]]:
    async def make_report(ctx: Context, cmd: ec.MakeReport) -> None:
        scope = await _scope(ctx)
        period = _period(ctx, cmd, scope.groups[0].timezone)
        evaluation = await evaluate(ctx.uow, scope, period, hours=hours, now=ctx.now)
        if evaluation.empty:
            raise Refusal(
                "error.report_empty",
                first=period.first_day.isoformat(),
                last=period.last_day.isoformat(),
            )
        await ctx.uow.audit.record(
            at=ctx.now,
            action="report.make",
            actor_member_id=ctx.member.id if ctx.member else None,
            group_id=ctx.group.id if ctx.group else None,
            case_id=None,
            binding_id=ctx.binding.id if ctx.binding else None,
            detail=(
                f"from={period.first_day.isoformat()} to={period.last_day.isoformat()} "
                f"groups={len(scope.groups)} steering={scope.steering.id if scope.steering else 0}"
            ),
        )
        where = Reply(
            room=ctx.incoming.room_ref,
            text="",
            kind=ReplyKind.ANSWER,
            in_reply_to=ctx.incoming.event_id,
        )
        ctx.replies.append(report_reply(where, evaluation, scope, locale=ctx.locale, now=ctx.now))

    return make_report
