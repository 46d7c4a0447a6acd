"""How the minutes are told: at the end of a meeting in every operative room of the group, as
text and as files (PDF and Markdown), mentioning whoever is on duty for the agencies that
have action items; minimal-detail rooms get the refs only, and no file. `meeting minutes
<no>` shows them again, in the room it was asked in only."""

from __future__ import annotations

from collections.abc import Sequence

from bot.alerts import on_duty
from bot.announcing.announcer import Announcer
from bot.bounds import fit_message
from bot.context import Context
from bot.domain import DetailLevel, Member, RoomPurpose
from bot.domain import events as ev
from bot.i18n import translate
from bot.messages import Attachment, Mention, Reply, ReplyKind, RoomRef
from bot.minutes.document import MinutesData, action_items, gather, minimal_text, render_markdown

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


def _post(
    ctx: Context,
    data: MinutesData,
    rooms: Sequence[tuple[RoomRef, DetailLevel]],
    *,
    mention: Sequence[Member] = (),
    everywhere: bool,
) -> None:
    here = ctx.incoming.room_ref
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
                message_key=f"minutes:{data.group.id}:{data.held.number}" if everywhere else None,
            )
        )


def answer_minutes(ctx: Context, data: MinutesData) -> None:
    """The minutes in the room they were asked for in, at its detail level."""
    _post(ctx, data, [(ctx.incoming.room_ref, ctx.detail)], everywhere=False)


async def ended(a: Announcer, event: ev.MeetingEnded) -> None:
    ctx = a.ctx
    assert ctx.group is not None and ctx.group.id == event.group_id
    held = await ctx.uow.minutes.get(event.group_id, event.number)
    assert held is not None
    data = await gather(ctx.uow, ctx.group, held)
    rooms = [
        (RoomRef(b.platform, b.room_id), b.detail)
        for b in await a.bindings()
        if b.purpose is RoomPurpose.OPERATIVE
    ]
    mention = on_duty(ctx, await a.members(), set(action_items(data)))
    _post(ctx, data, rooms, mention=mention, everywhere=True)
