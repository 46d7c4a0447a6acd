"""The daily decision follow-up of a group: decisions due by the next working day, overdue
ones, and each fallback plan announced once, the first day it applies."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain import GroupId
from bot.i18n import translate
from bot.ports import NotificationKey, UnitOfWork
from bot.scheduling import planner as p
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.notice_base import Notice, message_key, reachable, to_group
from bot.scheduling.texts import COUNT_UP_TO, agency_name, counted, counted_plural, more_line

# The daily decision follow-up stays one chat message with room to spare: at most these many
# decisions under "due soon" and under "overdue" (the most overdue first), then how many more.
FOLLOWUP_ROWS = 15
FOLLOWUP_FALLBACKS = 10


async def followup_notice(
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
        message_key=message_key(key),
    )
    return Notice(
        replies,
        "decision.followup",
        f"date={today.isoformat()} due={len(soon)} overdue={len(overdue)}",
        group_id=group.id,
    )
