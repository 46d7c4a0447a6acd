"""The messages of scheduled work, built from a NotificationKey and the database as it is at
send time (so a stale claim taken over after a crash is rebuilt, never read back from a
stored copy: case text is not kept outside its sealed columns)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain import (
    Agency,
    Case,
    CaseId,
    CaseStatus,
    Group,
    GroupId,
    Member,
)
from bot.domain.routing import route_escalation
from bot.evaluation.yearly import YEARLY, yearly_notice
from bot.i18n import translate
from bot.messages import Action
from bot.paging import page_replies
from bot.ports import NotificationKey, UnitOfWork
from bot.scheduling import planner as p
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.followups import followup_notice
from bot.scheduling.notice_base import Notice, message_key, reachable, to_group
from bot.scheduling.texts import (
    agency_name,
    build_agenda,
    duration,
    when,
)
from bot.scheduling.timing import to_instant, to_local


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
        return await followup_notice(uow, key, now=now, locale=locale, config=config)
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
        message_key=message_key(key),
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
        message_key=message_key(key),
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
        message_key=message_key(key),
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
        message_key=message_key(key),
    )
    return Notice(
        replies,
        "case.page",
        f"agency={agency.value} targets={agency.value},lead",
        case_id=case.id,
        group_id=group.id,
    )
