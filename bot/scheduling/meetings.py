"""The `meeting` use cases: schedule, list, agenda, cancel, ics. Each runs in the caller's
unit of work; scheduling and cancelling are for the group's lead."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.context import Context, Refusal
from bot.domain import Group
from bot.domain import events as ev
from bot.i18n import plural
from bot.messages import Attachment, Reply, ReplyKind
from bot.minutes.run import running_agenda
from bot.ports import MeetingRecord
from bot.scheduling import commands as mc
from bot.scheduling.calendar import MEDIA_TYPE, build_calendar
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.planner import plan_meeting
from bot.scheduling.texts import build_agenda, repeat_text, when
from bot.scheduling.timing import next_occurrence, occurrences, to_instant, to_local

Handler = Callable[[Context, Any], Awaitable[None]]
# `meeting list` names the latest minutes, so that `meeting minutes <no>` can be found.
RECENT_MINUTES = 5
# A cooperation plans a year or two ahead; far-future dates are typing mistakes.
MAX_AHEAD = timedelta(days=5 * 366)


def upcoming(meeting: MeetingRecord, now: datetime) -> datetime | None:
    """The next local start that has not begun and is not cancelled."""
    if meeting.cancelled:
        return None
    local_now = to_local(now, meeting.timezone)
    after = local_now
    for _ in range(400):
        start = next_occurrence(meeting.start_local, meeting.rule, after=after)
        if start is None:
            return None
        if start not in meeting.exdates and to_instant(start, meeting.timezone) > now:
            return start
        after = start + timedelta(minutes=1)
    return None


async def refresh_next_due(ctx: Context, meeting: MeetingRecord, config: SchedulerConfig) -> None:
    known = await ctx.uow.ledger.known("reminder", [str(meeting.id)])
    plan = plan_meeting(meeting, now=ctx.now, known=known, config=config)
    next_at = ctx.now if plan.due or plan.skipped else plan.next_at
    await ctx.uow.meetings.set_next_due(meeting.id, next_at)


def meeting_handlers(config: SchedulerConfig) -> dict[type, Handler]:
    """The dispatch entries of the meeting commands, bound to the scheduler's config."""

    async def schedule_meeting(ctx: Context, cmd: mc.ScheduleMeeting) -> None:
        group, member = ctx.require_lead()
        if to_instant(cmd.start, group.timezone) <= ctx.now:
            raise Refusal("error.meeting_in_past", when=when(cmd.start))
        if to_instant(cmd.start, group.timezone) > ctx.now + MAX_AHEAD:
            raise Refusal("error.meeting_too_far", when=when(cmd.start))
        remind = cmd.remind if cmd.remind is not None else config.remind
        meeting = await ctx.uow.meetings.add(
            group_id=group.id,
            start_local=cmd.start,
            timezone=group.timezone,
            duration_minutes=config.meeting_minutes,
            rule=cmd.rule,
            theme=cmd.theme,
            remind=remind,
            created_by=member.id,
            at=ctx.now,
        )
        await refresh_next_due(ctx, meeting, config)
        await ctx.audit("meeting.schedule", detail=f"meeting={meeting.number}")
        ctx.emit(ev.MeetingScheduled(group.id, meeting.number))

    async def list_meetings(ctx: Context, cmd: mc.ListMeetings) -> None:
        group, _member = ctx.require_group()
        lines = [ctx.t("meeting.list_title", group=group.name)]
        for meeting in await ctx.uow.meetings.list(group.id):
            start = upcoming(meeting, ctx.now)
            if start is None:
                if meeting.rule is None and meeting.start_local >= to_local(
                    ctx.now - timedelta(days=7), group.timezone
                ):
                    lines.append(
                        ctx.t(
                            "meeting.list_over",
                            number=meeting.number,
                            when=when(meeting.start_local),
                        )
                    )
                continue
            theme = ctx.t("meeting.theme_suffix", theme=meeting.theme) if meeting.theme else ""
            lines.append(
                ctx.t(
                    "meeting.list_row",
                    number=meeting.number,
                    when=when(start),
                    repeat=repeat_text(ctx.locale, meeting.rule),
                    theme=theme,
                )
            )
        held = await ctx.uow.minutes.recent(group.id, limit=RECENT_MINUTES)
        if held:
            zone = ZoneInfo(group.timezone)
            lines.append(
                ctx.t(
                    "meeting.list_minutes",
                    minutes=", ".join(
                        ctx.t(
                            "meeting.list_minutes_one",
                            number=h.number,
                            date=h.started_at.astimezone(zone).date().isoformat(),
                        )
                        + ("" if h.ended_at else ctx.t("meeting.list_running"))
                        for h in held
                    ),
                )
            )
        ctx.answer("\n".join(lines) if len(lines) > 1 else ctx.t("meeting.list_empty"))

    async def show_agenda(ctx: Context, cmd: mc.ShowAgenda) -> None:
        group, _member = ctx.require_operative()
        held = await ctx.uow.minutes.running(group.id) if cmd.number is None else None
        if held is not None:
            # While a meeting runs, its own agenda and how far it has got.
            full, minimal = await running_agenda(ctx, held, cap=config.agenda_cap)
            await ctx.audit("meeting.agenda", detail=f"minutes={held.number}")
            ctx.answer(minimal if ctx.detail.value == "minimal" else full)
            return
        meeting, start = await _pick(ctx, group, cmd.number)
        full, minimal = await build_agenda(
            ctx.uow,
            group,
            meeting,
            start,
            today=to_local(ctx.now, group.timezone).date(),
            cap=config.agenda_cap,
            locale=ctx.locale,
        )
        await ctx.audit("meeting.agenda", detail=f"meeting={meeting.number}")
        ctx.answer(minimal if ctx.detail.value == "minimal" else full)

    async def cancel_meeting(ctx: Context, cmd: mc.CancelMeeting) -> None:
        group, _member = ctx.require_lead()
        meeting = await ctx.uow.meetings.get(group.id, cmd.number)
        if meeting is None or meeting.cancelled:
            raise Refusal("error.meeting_unknown", number=str(cmd.number))
        if cmd.occurrence is None and meeting.rule is not None and not cmd.whole_series:
            raise Refusal("error.meeting_series_choice", number=str(cmd.number))
        if cmd.occurrence is not None and meeting.rule is not None:
            day = cmd.occurrence.date()
            found = next(
                iter(
                    occurrences(
                        meeting.start_local,
                        meeting.rule,
                        after=datetime.combine(day, datetime.min.time()),
                        until=datetime.combine(day + timedelta(days=1), datetime.min.time()),
                    )
                ),
                None,
            )
            if found is None:
                raise Refusal(
                    "error.meeting_no_occurrence", number=str(cmd.number), date=day.isoformat()
                )
            if found in meeting.exdates:
                ctx.answer(
                    ctx.t("meeting.already_cancelled", number=meeting.number, when=when(found))
                )
                return
            changed = dataclasses.replace(
                meeting,
                exdates=meeting.exdates | {found},
                sequence=meeting.sequence + 1,
                updated_at=ctx.now,
            )
            occurrence: datetime | None = found
            detail = f"meeting={meeting.number} occurrence={found.date().isoformat()}"
        else:
            if cmd.occurrence is not None and cmd.occurrence.date() != meeting.start_local.date():
                raise Refusal(
                    "error.meeting_no_occurrence",
                    number=str(cmd.number),
                    date=cmd.occurrence.date().isoformat(),
                )
            changed = dataclasses.replace(
                meeting, cancelled=True, sequence=meeting.sequence + 1, updated_at=ctx.now
            )
            occurrence = None
            detail = f"meeting={meeting.number} all"
        await ctx.uow.meetings.save(changed)
        await refresh_next_due(ctx, changed, config)
        await ctx.audit("meeting.cancel", detail=detail)
        ctx.emit(ev.MeetingCancelled(group.id, meeting.number, changed.sequence, occurrence))

    async def export_calendar(ctx: Context, cmd: mc.ExportCalendar) -> None:
        group, _member = ctx.require_group()
        meetings = await ctx.uow.meetings.list(group.id, include_cancelled=True)
        data = build_calendar(
            meetings,
            summary=ctx.t("meeting.ics_summary", group=group.name),
            calendar_name=group.name,
        )
        await ctx.audit("meeting.export", detail=f"count={len(meetings)}")
        live = sum(1 for m in meetings if not m.cancelled)
        ctx.replies.append(
            Reply(
                room=ctx.incoming.room_ref,
                text=ctx.t(
                    "meeting.ics_done",
                    group=group.name,
                    meetings=plural(ctx.locale, "count.meetings", live),
                ),
                kind=ReplyKind.ANSWER,
                in_reply_to=ctx.incoming.event_id,
                attachments=(Attachment(_filename(group), MEDIA_TYPE, data),),
            )
        )

    return {
        mc.ScheduleMeeting: schedule_meeting,
        mc.ListMeetings: list_meetings,
        mc.ShowAgenda: show_agenda,
        mc.CancelMeeting: cancel_meeting,
        mc.ExportCalendar: export_calendar,
    }


def _filename(group: Group) -> str:
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in group.name).strip("-")
    return f"{safe.lower() or 'psp'}-meetings.ics"


async def _pick(ctx: Context, group: Group, number: int | None) -> tuple[MeetingRecord, datetime]:
    """The meeting asked for (or the group's next one) and its next occurrence."""
    if number is not None:
        meeting = await ctx.uow.meetings.get(group.id, number)
        if meeting is None or meeting.cancelled:
            raise Refusal("error.meeting_unknown", number=str(number))
        start = upcoming(meeting, ctx.now)
        if start is None:
            raise Refusal("error.meeting_none")
        return meeting, start
    best: tuple[MeetingRecord, datetime] | None = None
    for meeting in await ctx.uow.meetings.list(group.id):
        start = upcoming(meeting, ctx.now)
        if start is None:
            continue
        instant = to_instant(start, meeting.timezone)
        if best is None or instant < to_instant(best[1], best[0].timezone):
            best = (meeting, start)
    if best is None:
        raise Refusal("error.meeting_none")
    return best
