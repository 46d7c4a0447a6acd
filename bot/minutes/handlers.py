"""`meeting end` and `meeting minutes <no>`: the meeting closed as the record, its minutes
posted by `bot.announcing.minutes` (in every operative room at the end, here when asked for
again). The dispatch entries of every meeting-record command are gathered here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.announcing.minutes import answer_minutes
from bot.context import Context, Refusal
from bot.domain import CaseStatus
from bot.domain import events as ev
from bot.minutes import commands as mc
from bot.minutes.document import gather
from bot.minutes.prepare import add_to_agenda, remove_from_agenda
from bot.minutes.run import (
    mark_discussed,
    next_case,
    record_attendance,
    require_running,
    skip_case,
    start_meeting,
)
from bot.ports.minutes import ItemState, Pick

Handler = Callable[[Context, Any], Awaitable[None]]


async def end_meeting(ctx: Context, cmd: mc.EndMeeting) -> None:
    group, member = ctx.require_lead()
    _group, held = await require_running(ctx)
    for item in await ctx.uow.minutes.items(held.id):
        if item.state is ItemState.CURRENT:
            await ctx.uow.minutes.mark(
                held.id, item.case_id, ItemState.DISCUSSED, by=member.id, at=ctx.now
            )
        elif item.state in (ItemState.PENDING, ItemState.SKIPPED):
            case = await ctx.uow.cases.get(item.case_id)
            if case is not None and case.status is CaseStatus.OPEN:
                # Not reached: it heads the next agenda by itself.
                await ctx.uow.minutes.set_pick(
                    group.id, item.case_id, Pick.CARRY, by=None, at=ctx.now
                )
    await ctx.uow.minutes.end(held.id, by=member.id, at=ctx.now)
    ended = await ctx.uow.minutes.get(group.id, held.number)
    assert ended is not None
    data = await gather(ctx.uow, group, ended)
    await ctx.audit(
        "meeting.end",
        detail=f"minutes={held.number} discussed={len(data.discussed)} "
        f"not_reached={len(data.not_reached)}",
    )
    ctx.emit(ev.MeetingEnded(group.id, held.number))


async def show_minutes(ctx: Context, cmd: mc.ShowMinutes) -> None:
    group, _member = ctx.require_operative()
    held = await ctx.uow.minutes.get(group.id, cmd.number)
    if held is None:
        raise Refusal("error.minutes_unknown", number=str(cmd.number))
    data = await gather(ctx.uow, group, held)
    await ctx.audit("meeting.minutes", detail=f"minutes={held.number}")
    answer_minutes(ctx, data)


def minutes_handlers() -> dict[type, Handler]:
    return {
        mc.AddToAgenda: add_to_agenda,
        mc.RemoveFromAgenda: remove_from_agenda,
        mc.StartMeeting: start_meeting,
        mc.RecordAttendance: record_attendance,
        mc.NextCase: next_case,
        mc.MarkDiscussed: mark_discussed,
        mc.SkipCase: skip_case,
        mc.EndMeeting: end_meeting,
        mc.ShowMinutes: show_minutes,
    }
