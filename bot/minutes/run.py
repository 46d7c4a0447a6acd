"""Running the meeting from chat: `meeting start [no]` (lead), `present` / `til stede`
[@user], `next` / `næste`, `discussed` / `drøftet <case>`, `skip` / `udsæt <case>`. The
meeting and everything recorded so far are rows in the database, so a restart of the bot
keeps it open as it was. `meeting end` is in handlers.py, with the minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import Context, Refusal
from bot.domain import Group
from bot.domain import events as ev
from bot.i18n import plural
from bot.minutes.commands import MarkDiscussed, NextCase, RecordAttendance, SkipCase, StartMeeting
from bot.minutes.document import attendance_lines, gather
from bot.minutes.links import running_meeting
from bot.minutes.prepare import COUNT_UP_TO, MEETING_CASES, origin_of
from bot.ports.minutes import HeldMeeting, ItemOrigin, ItemState
from bot.scheduling.timing import occurrences, to_local
from bot.usecases.members import resolve_member


async def require_running(ctx: Context) -> tuple[Group, HeldMeeting]:
    group, _member = ctx.require_operative()
    held = await running_meeting(ctx)
    if held is None:
        raise Refusal("error.no_meeting_running")
    return group, held


async def _scheduled(
    ctx: Context, group: Group, number: int | None
) -> tuple[int | None, datetime | None, str | None]:
    """The scheduled meeting this one is (the one asked for, else one planned for today),
    its occurrence today and its theme."""
    today = to_local(ctx.now, group.timezone).date()
    midnight = datetime.combine(today, datetime.min.time())
    if number is not None:
        meeting = await ctx.uow.meetings.get(group.id, number)
        if meeting is None or meeting.cancelled:
            raise Refusal("error.meeting_unknown", number=str(number))
        candidates = [meeting]
    else:
        candidates = list(await ctx.uow.meetings.list(group.id))
    for meeting in candidates:
        for start in occurrences(
            meeting.start_local,
            meeting.rule,
            after=midnight,
            until=midnight + timedelta(days=1),
        ):
            if start not in meeting.exdates:
                return meeting.number, start, meeting.theme
    if number is not None:
        # Held on another day than planned: the meeting it stands for, without a date.
        return number, None, candidates[0].theme
    return None, None, None


async def start_meeting(ctx: Context, cmd: StartMeeting) -> None:
    group, member = ctx.require_lead()
    ctx.require_operative()
    if await running_meeting(ctx) is not None:
        raise Refusal("error.meeting_running")
    number, occurrence, theme = await _scheduled(ctx, group, cmd.number)
    agenda, _total = await ctx.uow.minutes.agenda(
        group.id,
        since=await ctx.uow.minutes.last_start(group.id),
        due_by=(occurrence or to_local(ctx.now, group.timezone)).date(),
        limit=MEETING_CASES,
        count_up_to=COUNT_UP_TO,
    )
    held = await ctx.uow.minutes.start(
        group_id=group.id,
        meeting_number=number,
        occurrence=occurrence,
        theme=theme,
        started_by=member.id,
        at=ctx.now,
        items=[(a.case_id, origin_of(a)) for a in agenda],
    )
    await ctx.uow.minutes.clear_picks(group.id)
    await ctx.uow.minutes.attend(
        held.id, member_id=member.id, agency=member.agency, by=member.id, at=ctx.now
    )
    await ctx.audit("meeting.start", detail=f"minutes={held.number} cases={len(agenda)}")
    ctx.emit(ev.MeetingStarted(group.id, held.number, member.id, len(agenda)))


async def record_attendance(ctx: Context, cmd: RecordAttendance) -> None:
    group, held = await require_running(ctx)
    _group, member = ctx.require_group()
    who = member
    if cmd.user is not None:
        found = resolve_member(ctx, await ctx.uow.members.list(group.id), cmd.user)
        if found is None:
            raise Refusal("error.unknown_member", user=cmd.user[:60])
        if found.id != member.id and not member.is_lead:
            raise Refusal("error.present_lead_only")
        who = found
    added = await ctx.uow.minutes.attend(
        held.id, member_id=who.id, agency=who.agency, by=member.id, at=ctx.now
    )
    key = "meeting.present" if added else "meeting.present_already"
    if added:
        await ctx.audit("meeting.attend", detail=f"minutes={held.number} member={who.id}")
    data = await gather(ctx.uow, group, held)
    lines = [ctx.t(key, who=who.display_name, agency=ctx.agency_name(who.agency))]
    lines += attendance_lines(data, ctx.locale)
    ctx.answer("\n".join(lines))


async def next_case(ctx: Context, cmd: NextCase) -> None:
    _group, held = await require_running(ctx)
    _group, member = ctx.require_group()
    items = await ctx.uow.minutes.items(held.id)
    for item in items:
        if item.state is ItemState.CURRENT:
            await ctx.uow.minutes.mark(
                held.id, item.case_id, ItemState.DISCUSSED, by=member.id, at=ctx.now
            )
    pending = [i for i in items if i.state is ItemState.PENDING]
    if not pending:
        await ctx.uow.minutes.set_current(held.id, None)
        taken = plural(ctx.locale, "count.taken_up", len(items))
        ctx.answer(ctx.t("meeting.no_more", taken=taken))
        return
    item = pending[0]
    await ctx.uow.minutes.mark(held.id, item.case_id, ItemState.CURRENT, by=member.id, at=ctx.now)
    await ctx.uow.minutes.set_current(held.id, item.case_id)
    case = await ctx.uow.cases.get(item.case_id)
    await ctx.audit("meeting.next", case=case, detail=f"minutes={held.number}")
    assert case is not None
    ctx.remember(case)
    ctx.emit(ev.CasePresented(held.group_id, held.number, case.id, item.position, len(items)))


async def _mark(ctx: Context, ref: str, state: ItemState) -> None:
    _group, held = await require_running(ctx)
    _group, member, case = await ctx.case(ref)
    items = {i.case_id: i for i in await ctx.uow.minutes.items(held.id)}
    item = items.get(case.id)
    if state is ItemState.SKIPPED:
        if item is None:
            raise Refusal("error.agenda_not_on", ref=case.ref)
        if item.state is ItemState.DISCUSSED:
            raise Refusal("error.skip_discussed", ref=case.ref)
    if item is None:
        await ctx.uow.minutes.add_item(held.id, case.id, origin=ItemOrigin.RAISED, state=state)
    else:
        await ctx.uow.minutes.mark(held.id, case.id, state, by=member.id, at=ctx.now)
    if held.current_case == case.id:
        await ctx.uow.minutes.set_current(held.id, None)
    action = "meeting.discussed" if state is ItemState.DISCUSSED else "meeting.skip"
    await ctx.audit(action, case=case, detail=f"minutes={held.number}")
    done = sum(
        1
        for i in items.values()
        if i.state in (ItemState.DISCUSSED, ItemState.SKIPPED) and i.case_id != case.id
    )
    ctx.emit(
        ev.CaseMarked(
            case.id,
            discussed=state is ItemState.DISCUSSED,
            done=done + 1,
            total=max(len(items), done + 1),
        )
    )


async def mark_discussed(ctx: Context, cmd: MarkDiscussed) -> None:
    await _mark(ctx, cmd.ref, ItemState.DISCUSSED)


async def skip_case(ctx: Context, cmd: SkipCase) -> None:
    await _mark(ctx, cmd.ref, ItemState.SKIPPED)


_MARKS = {
    ItemState.PENDING: "•",
    ItemState.CURRENT: "▶️",
    ItemState.DISCUSSED: "✔️",
    ItemState.SKIPPED: "⏭️",
}


async def running_agenda(ctx: Context, held: HeldMeeting, *, cap: int) -> tuple[str, str]:
    """(full, minimal) agenda of the running meeting, each case marked with how far the
    meeting got: at most `cap` cases, those still to come first."""
    items = await ctx.uow.minutes.items(held.id)
    taken = sum(1 for i in items if i.state is not ItemState.PENDING)
    cases = plural(ctx.locale, "count.cases", len(items))
    head = ctx.t("agenda.running", number=held.number, done=taken, cases=cases)
    order = {ItemState.CURRENT: 0, ItemState.PENDING: 1, ItemState.SKIPPED: 2}
    shown = sorted(items, key=lambda i: (order.get(i.state, 3), i.position))[:cap]
    full = [head]
    for item in shown:
        full.append(
            ctx.t(
                "agenda.running_row",
                mark=_MARKS[item.state],
                ref=item.ref,
                urgency=ctx.t(f"urgency.{item.urgency.value}"),
                responsible=ctx.agency_name(item.responsible),
                summary=item.summary,
            )
        )
    if len(items) > len(shown):
        full.append(ctx.t("agenda.more", count=len(items) - len(shown)))
    minimal = [head, *(f"{_MARKS[i.state]} {i.ref}" for i in shown)]
    return "\n".join(full), "\n".join(minimal)
