"""How meetings are told in the group's operative rooms: one scheduled or cancelled, one
started, and each case the running meeting takes up (its summary, open decisions, who is
awaited; the headline only in minimal-detail rooms)."""

from __future__ import annotations

from bot.announcing.announcer import Announcer
from bot.domain import events as ev
from bot.domain import pending_acknowledgements
from bot.i18n import plural
from bot.messages import ReplyKind
from bot.rendering import headline, render_decision
from bot.scheduling.texts import repeat_text, when
from bot.scheduling.timing import format_offset


async def _tell_group(a: Announcer, text: str, key: str) -> None:
    await a.broadcast(full=text, minimal=text, kind=ReplyKind.UPDATE, case=None, message_key=key)


async def scheduled(a: Announcer, event: ev.MeetingScheduled) -> None:
    meeting = await a.ctx.uow.meetings.get(event.group_id, event.number)
    assert meeting is not None
    text = a.t(
        "meeting.scheduled",
        number=meeting.number,
        when=when(meeting.start_local),
        repeat=repeat_text(a.ctx.locale, meeting.rule),
        remind=", ".join(format_offset(o) for o in meeting.remind) or a.t("word.none"),
    )
    if meeting.theme:
        text += "\n" + a.t("agenda.theme", theme=meeting.theme)
    await _tell_group(a, text, f"meeting:{event.group_id}:{event.number}:0")


async def cancelled(a: Announcer, event: ev.MeetingCancelled) -> None:
    if event.occurrence is not None:
        text = a.t("meeting.cancelled_one", number=event.number, when=when(event.occurrence))
    else:
        text = a.t("meeting.cancelled_all", number=event.number)
    await _tell_group(a, text, f"meeting:{event.group_id}:{event.number}:{event.sequence}")


async def started(a: Announcer, event: ev.MeetingStarted) -> None:
    held = await a.ctx.uow.minutes.get(event.group_id, event.number)
    assert held is not None
    lines = [
        a.t(
            "meeting.started",
            number=held.number,
            who=await a.name_of(event.by),
            cases=plural(a.ctx.locale, "count.cases", event.cases),
        )
    ]
    if held.meeting_number is not None and held.occurrence is not None:
        lines.append(
            a.t("meeting.started_scheduled", number=held.meeting_number, when=when(held.occurrence))
        )
    hint = a.t("meeting.started_hint")
    # The theme is the group's own text: not for minimal-detail rooms.
    minimal = "\n".join([*lines, hint])
    if held.theme:
        lines.append(a.t("agenda.theme", theme=held.theme))
    await a.broadcast(
        full="\n".join([*lines, hint]),
        minimal=minimal,
        kind=ReplyKind.UPDATE,
        case=None,
        message_key=f"held:{event.group_id}:{held.number}:start",
    )


async def case_presented(a: Announcer, event: ev.CasePresented) -> None:
    ctx = a.ctx
    case = await a.case(event.case_id)
    members = await a.members()
    waiting = pending_acknowledgements(
        frozenset(m.agency for m in members), await a.acknowledged(case)
    )
    step = a.t("meeting.next_case", done=event.position, total=event.total)
    full = [f"{step} {headline(ctx, case)}", a.t("show.summary", summary=case.summary)]
    open_decisions = [d for d in await ctx.uow.cases.decisions(case.id) if d.done_at is None]
    if open_decisions:
        full.append(a.t("show.decisions"))
        full.extend(render_decision(ctx, d) for d in open_decisions)
    if waiting:
        full.append(a.t("meeting.next_waiting", agencies=ctx.agency_list(waiting)))
    if case.proposed is not None:
        full.append(a.t("show.proposed", agency=ctx.agency_name(case.proposed)))
    await a.broadcast(
        full="\n".join(full),
        minimal=f"{step} {headline(ctx, case)}",
        kind=ReplyKind.UPDATE,
        case=case,
        message_key=f"held:{event.group_id}:{event.number}:next:{case.ref}:{ctx.now.isoformat()}",
    )
