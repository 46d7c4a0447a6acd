"""The messages of scheduled work, built from a NotificationKey and the database as it is at
send time (so a stale claim taken over after a crash is rebuilt, never read back from a
stored copy: case text is not kept outside its sealed columns)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain import (
    Agency,
    Case,
    CaseId,
    CaseStatus,
    DetailLevel,
    Group,
    GroupId,
    Member,
    Role,
    RoomPurpose,
)
from bot.domain.routing import present, route_escalation
from bot.evaluation.yearly import YEARLY, yearly_notice
from bot.i18n import translate
from bot.messages import Action, Mention, Reply, ReplyKind, RoomRef
from bot.paging import page_replies
from bot.ports import NotificationKey, UnitOfWork
from bot.scheduling import planner as p
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.texts import (
    COUNT_UP_TO,
    agency_name,
    build_agenda,
    counted,
    counted_plural,
    duration,
    more_line,
    when,
)
from bot.scheduling.timing import to_instant, to_local

# The daily decision follow-up stays one chat message with room to spare: at most these many
# decisions under "due soon" and under "overdue" (the most overdue first), then how many more.
FOLLOWUP_ROWS = 15
FOLLOWUP_FALLBACKS = 10


@dataclass(frozen=True)
class Notice:
    replies: list[Reply]
    audit_action: str
    audit_detail: str
    case_id: int | None = None
    group_id: GroupId | None = None


async def to_group(
    uow: UnitOfWork,
    group: Group,
    *,
    full: str,
    minimal: str,
    mention: Sequence[Member],
    message_key: str,
    case_ref: str | None = None,
    case_id: int | None = None,
    actions: tuple[Action, ...] = (),
) -> list[Reply]:
    """One reply per operative room of the group; minimal rooms get the minimal text."""
    replies = []
    for binding in await uow.groups.bindings(group.id):
        if binding.purpose is not RoomPurpose.OPERATIVE:
            continue
        replies.append(
            Reply(
                room=RoomRef(binding.platform, binding.room_id),
                text=minimal if binding.detail is DetailLevel.MINIMAL else full,
                kind=ReplyKind.REMINDER,
                mentions=tuple(
                    Mention(m.user_id, m.display_name)
                    for m in mention
                    if m.platform is binding.platform
                ),
                actions=actions,
                case_ref=case_ref,
                case_id=case_id,
                message_key=message_key,
            )
        )
    return replies


def reachable(
    wanted: Sequence[Member], members: Sequence[Member], *, now: datetime, timezone: str
) -> list[Member]:
    """Who a reminder or follow-up mentions: not the duty contacts (an out-of-hours function
    has no meetings), and an absent member's stand-in instead of them (bot.domain.routing)."""
    chosen = [m for m in wanted if m.role is not Role.DUTY]
    return list(present(chosen, members, to_local(now, timezone))[0])


def _message_key(key: NotificationKey) -> str:
    return ":".join(("sched", key.kind, key.subject, key.occurrence, key.step))


async def build_notice(
    uow: UnitOfWork,
    key: NotificationKey,
    *,
    now: datetime,
    late: bool,
    locale: str,
    config: SchedulerConfig,
) -> Notice | None:
    """The message for a key, or None if there is nothing to say any more (the meeting was
    cancelled, the agency acknowledged, the case was closed)."""
    if key.kind == p.REMINDER:
        return await _reminder(uow, key, now=now, late=late, locale=locale, config=config)
    if key.kind == p.ESCALATION and key.step == p.STEP_PAGE:
        return await page_notice(uow, key, now=now, locale=locale)
    if key.kind == p.ESCALATION:
        return await _escalation(uow, key, now=now, late=late, locale=locale, config=config)
    if key.kind == p.FOLLOWUP:
        return await _followup(uow, key, now=now, locale=locale, config=config)
    if key.kind == YEARLY:
        found = await yearly_notice(uow, key, now=now, locale=locale, config=config)
        if found is None:
            return None
        reply, detail = found
        return Notice([reply], "report.yearly", detail, group_id=GroupId(0))
    return None


def carries_agenda(offset: int, offsets: Sequence[int]) -> bool:
    """The 1-day reminder carries the agenda; without one, the last reminder does."""
    if 86400 in offsets:
        return offset == 86400
    return bool(offsets) and offset == min(offsets)


async def _reminder(
    uow: UnitOfWork,
    key: NotificationKey,
    *,
    now: datetime,
    late: bool,
    locale: str,
    config: SchedulerConfig,
) -> Notice | None:
    meeting = await uow.meetings.by_id(int(key.subject))
    if meeting is None or meeting.cancelled:
        return None
    start = datetime.strptime(key.occurrence, "%Y-%m-%dT%H:%M")
    begins = to_instant(start, meeting.timezone)
    group = await uow.groups.get(meeting.group_id)
    if start in meeting.exdates or begins <= now or group is None:
        return None
    offset = int(key.step)
    text = translate(
        locale,
        "reminder.text",
        late=translate(locale, "reminder.late") if late else "",
        number=meeting.number,
        when=when(start),
        left=duration(locale, int((begins - now).total_seconds())),
    )
    full = minimal = text
    if meeting.theme:
        full += "\n" + translate(locale, "agenda.theme", theme=meeting.theme)
    if carries_agenda(offset, meeting.remind):
        agenda, agenda_minimal = await build_agenda(
            uow,
            group,
            meeting,
            start,
            today=to_local(now, group.timezone).date(),
            cap=config.agenda_cap,
            locale=locale,
        )
        full = f"{text}\n\n{agenda}"
        minimal = f"{text}\n{agenda_minimal}"
    members = await uow.members.list(group.id)
    replies = await to_group(
        uow,
        group,
        full=full,
        minimal=minimal,
        mention=reachable(members, members, now=now, timezone=group.timezone),
        message_key=_message_key(key),
    )
    return Notice(
        replies,
        "meeting.remind",
        f"meeting={meeting.number} offset={offset} late={int(late)}",
        group_id=group.id,
    )


async def _pending_case(
    uow: UnitOfWork, key: NotificationKey
) -> tuple[Case, Group, Agency, list[Member]] | None:
    """The open case of an escalation key whose agency has still not acknowledged."""
    case = await uow.cases.get(CaseId(int(key.subject)))
    if case is None or case.status is not CaseStatus.OPEN:
        return None
    agency = Agency(key.occurrence)
    if any(a.agency is agency for a in await uow.cases.acknowledgements(case.id)):
        return None  # acknowledged since: escalation stops
    group = await uow.groups.get(case.group_id)
    if group is None:
        return None
    return case, group, agency, list(await uow.members.list(group.id))


async def _escalation(
    uow: UnitOfWork,
    key: NotificationKey,
    *,
    now: datetime,
    late: bool,
    locale: str,
    config: SchedulerConfig,
) -> Notice | None:
    found = await _pending_case(uow, key)
    if found is None:
        return None
    case, group, agency, members = found
    route = route_escalation(
        agency,
        key.step,
        members,
        urgency=case.urgency,
        local=to_local(now, group.timezone),
        hours=config.hours,
    )
    template = "escalation.deputies" if key.step == p.STEP_DEPUTIES else "escalation.lead"
    text = translate(
        locale,
        template,
        late=translate(locale, "reminder.late") if late else "",
        ref=case.ref,
        urgency=translate(locale, f"urgency.{case.urgency.value}"),
        agency=agency_name(locale, agency),
        elapsed=duration(locale, int((now - case.created_at).total_seconds())),
    )
    if route.duty:
        text += "\n" + translate(locale, "alert.out_of_hours", agencies=agency_name(locale, agency))
    replies = await to_group(
        uow,
        group,
        full=text,
        minimal=text,
        mention=route.reached,
        message_key=_message_key(key),
        case_ref=case.ref,
        case_id=case.id,
        actions=(
            Action("ack", translate(locale, "action.ack"), f"ack {case.ref}"),
            Action("show", translate(locale, "action.show"), f"show {case.ref}"),
        ),
    )
    return Notice(
        replies,
        "case.escalate",
        f"agency={agency.value} step={key.step} late={int(late)} duty={len(route.duty)}",
        case_id=case.id,
        group_id=group.id,
    )


async def page_notice(
    uow: UnitOfWork, key: NotificationKey, *, now: datetime, locale: str
) -> Notice | None:
    """The acute escalation's last step: page the agency's duty contact and the lead through
    the gateway (one outbox row each, platform `pager`). Audited as `case.page`."""
    found = await _pending_case(uow, key)
    if found is None:
        return None
    case, group, agency, _members = found
    told = translate(
        locale,
        "page.told",
        ref=case.ref,
        agency=agency_name(locale, agency),
        elapsed=duration(locale, int((now - case.created_at).total_seconds())),
    )
    # The rooms hear it too (no mention: nobody new is reached in chat), then the gateway.
    replies = await to_group(
        uow,
        group,
        full=told,
        minimal=told,
        mention=(),
        message_key=_message_key(key),
        case_ref=case.ref,
        case_id=case.id,
    )
    replies += page_replies(
        group,
        await uow.groups.bindings(group.id),
        case=case,
        agency=agency,
        targets=[agency, None],
        step=key.step,
        locale=locale,
        message_key=_message_key(key),
    )
    return Notice(
        replies,
        "case.page",
        f"agency={agency.value} targets={agency.value},lead",
        case_id=case.id,
        group_id=group.id,
    )


async def _followup(
    uow: UnitOfWork,
    key: NotificationKey,
    *,
    now: datetime,
    locale: str,
    config: SchedulerConfig,
) -> Notice | None:
    group = await uow.groups.get(GroupId(int(key.subject)))
    if group is None:
        return None
    today = date.fromisoformat(key.occurrence)
    _first, last = p.due_soon_window(today, config.hours)
    items = await uow.followup.open_decisions(group.id, due_by=last, limit=COUNT_UP_TO + 1)
    overdue = [i for i in items if i.decision.due is not None and i.decision.due < today]
    soon = [i for i in items if i.decision.due is not None and i.decision.due > today]
    if not overdue and not soon:
        return Notice([], "decision.followup", f"date={today.isoformat()} empty", group_id=group.id)
    members = await uow.members.list(group.id)
    owners = {i.decision.owner for i in overdue + soon}
    lines = [translate(locale, "followup.title", date=today.isoformat())]
    for title, chosen in (("followup.due_soon", soon), ("followup.overdue", overdue)):
        if chosen:
            lines.append(translate(locale, title))
            lines.extend(
                translate(
                    locale,
                    "followup.row",
                    ref=i.case_ref,
                    number=i.decision.number,
                    owner=agency_name(locale, i.decision.owner),
                    due=i.decision.due.isoformat() if i.decision.due else "-",
                    text=i.decision.text,
                )
                for i in chosen[:FOLLOWUP_ROWS]
            )
            lines.extend(more_line(locale, len(chosen), FOLLOWUP_ROWS))
    # A fallback is announced once, the first day its decision is overdue (or, past the
    # day's FOLLOWUP_FALLBACKS, on one of the next days: the agenda shows them meanwhile).
    with_fallback = [i for i in overdue if i.decision.fallback]
    told = await uow.ledger.known(
        p.FALLBACK, [f"{i.case_id}:{i.decision.number}" for i in with_fallback]
    )
    announced: list[NotificationKey] = []
    for item in with_fallback:
        fkey = p.fallback_key(item.case_id, item.decision.number)
        if fkey in told:
            continue
        if len(announced) == FOLLOWUP_FALLBACKS:
            break
        fallback_owner = item.decision.fallback_owner or item.decision.owner
        owners.add(fallback_owner)
        lines.append(
            translate(
                locale,
                "followup.fallback",
                ref=item.case_ref,
                number=item.decision.number,
                owner=agency_name(locale, fallback_owner),
                fallback=item.decision.fallback,
            )
        )
        announced.append(fkey)
    await uow.ledger.record_sent(announced, group_id=group.id, at=now)
    minimal = translate(
        locale,
        "followup.minimal",
        date=today.isoformat(),
        due=counted_plural(locale, "count.decisions", len(soon), over=len(items)),
        overdue=counted(locale, len(overdue), over=len(items)),
    )
    replies = await to_group(
        uow,
        group,
        full="\n".join(lines),
        minimal=minimal,
        mention=reachable(
            [m for m in members if m.agency in owners], members, now=now, timezone=group.timezone
        ),
        message_key=_message_key(key),
    )
    return Notice(
        replies,
        "decision.followup",
        f"date={today.isoformat()} due={len(soon)} overdue={len(overdue)}",
        group_id=group.id,
    )
