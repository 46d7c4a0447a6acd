"""`meeting end` and `meeting minutes <no>`: the minutes posted in the group's operative
rooms, as text and as files (PDF and Markdown); minimal-detail rooms get the refs only, and
no file. The dispatch entries of every meeting-record command are gathered here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.alerts import on_duty
from bot.bounds import fit_message
from bot.context import Context, Refusal
from bot.domain import CaseStatus, DetailLevel, RoomPurpose
from bot.i18n import translate
from bot.messages import Attachment, Mention, Reply, ReplyKind, RoomRef
from bot.minutes import commands as mc
from bot.minutes.document import MinutesData, action_items, gather, minimal_text, render_markdown
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


PDF = "application/pdf"
MARKDOWN = "text/markdown"


def minutes_files(data: MinutesData, locale: str) -> tuple[Attachment, ...]:
    from bot.minutes.pdf import render_minutes_pdf  # fpdf2 only when minutes are made

    markdown = render_markdown(data, locale)
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in data.group.name)
    word = translate(locale, "minutes.file")
    stem = f"{safe.strip('-').lower() or 'psp'}-{word}-{data.held.number}"
    title = translate(locale, "minutes.title", number=data.held.number, group=data.group.name)
    return (
        Attachment(f"{stem}.pdf", PDF, render_minutes_pdf(markdown, title=title, locale=locale)),
        Attachment(f"{stem}.md", MARKDOWN, markdown.encode()),
    )


def _chat_text(ctx: Context, data: MinutesData) -> str:
    text = render_markdown(data, ctx.locale, summaries=False)
    return text.rstrip("\n") + "\n\n" + ctx.t("minutes.files", number=data.held.number)


async def _post(ctx: Context, data: MinutesData, *, everywhere: bool) -> None:
    """The minutes in this room, or (at the end of the meeting) in every operative room of
    the group, mentioning the representatives of each agency that has action items."""
    assert ctx.group is not None
    members = await ctx.uow.members.list(ctx.group.id)
    owners = set(action_items(data))
    mention = on_duty(ctx, members, owners) if everywhere else []
    here = ctx.incoming.room_ref
    rooms = [
        (RoomRef(b.platform, b.room_id), b.detail)
        for b in await ctx.uow.groups.bindings(ctx.group.id)
        if b.purpose is RoomPurpose.OPERATIVE
    ]
    if not everywhere:
        rooms = [(here, ctx.detail)]
    full = fit_message(_chat_text(ctx, data), ctx.locale)
    files = minutes_files(data, ctx.locale)
    for room, detail in rooms:
        minimal = detail is DetailLevel.MINIMAL
        ctx.replies.append(
            Reply(
                room=room,
                text=minimal_text(data, ctx.locale) if minimal else full,
                kind=ReplyKind.UPDATE if everywhere else ReplyKind.ANSWER,
                mentions=tuple(
                    Mention(m.user_id, m.display_name)
                    for m in mention
                    if m.platform is room.platform
                ),
                attachments=() if minimal else files,
                in_reply_to=ctx.incoming.event_id if room == here else None,
                message_key=(
                    f"minutes:{ctx.group.id}:{data.held.number}" if everywhere else None
                ),
            )
        )


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
    await _post(ctx, data, everywhere=True)


async def show_minutes(ctx: Context, cmd: mc.ShowMinutes) -> None:
    group, _member = ctx.require_operative()
    held = await ctx.uow.minutes.get(group.id, cmd.number)
    if held is None:
        raise Refusal("error.minutes_unknown", number=str(cmd.number))
    data = await gather(ctx.uow, group, held)
    await ctx.audit("meeting.minutes", detail=f"minutes={held.number}")
    await _post(ctx, data, everywhere=False)


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

