"""How scheduled work reads: times, durations and the agenda, localized. Shared by the
meeting commands and the scheduler's messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain import Agency, Group, pending_acknowledgements
from bot.i18n import plural, translate
from bot.ports import MeetingRecord, OpenDecision, UnitOfWork
from bot.ports.minutes import Pick

WHEN_FORMAT = "%Y-%m-%d %H:%M"
# The agenda stays one chat message with room to spare (Matrix: 64 KiB an event; Slack: 3,000
# characters a section, 50 blocks): at most `agenda_cap` cases (most urgent first, 20 by
# default, 200 at most), these many decisions (the most overdue first) and escalations, each
# list followed by how many more there are. Counts go no further than COUNT_UP_TO.
AGENDA_DECISIONS = 20
AGENDA_ESCALATIONS = 10
COUNT_UP_TO = 500
# Why a case the bot would not have chosen is on the agenda.
_PICKED = {Pick.ADD: "agenda.picked_added", Pick.CARRY: "agenda.picked_carried"}


def when(local: datetime) -> str:
    return local.strftime(WHEN_FORMAT)


def agency_name(locale: str, agency: Agency | None) -> str:
    return translate(locale, "agency.none" if agency is None else f"agency.{agency.value}")


def agency_list(locale: str, agencies: Sequence[Agency]) -> str:
    return ", ".join(agency_name(locale, a) for a in agencies) or translate(locale, "word.none")


def duration(locale: str, seconds: int) -> str:
    """A rounded, human span: "7 days", "1 day", "3 hours", "15 minutes"."""
    if seconds >= 36 * 3600:
        return plural(locale, "count.days", round(seconds / 86400))
    if seconds >= 22 * 3600:
        return plural(locale, "count.days", 1)
    if seconds >= 90 * 60:
        return plural(locale, "count.hours", round(seconds / 3600))
    if seconds >= 55 * 60:
        return plural(locale, "count.hours", 1)
    return plural(locale, "count.minutes", max(1, round(seconds / 60)))


def repeat_text(locale: str, rule: str | None) -> str:
    if rule is None:
        return ""
    if rule == "FREQ=WEEKLY":
        return translate(locale, "meeting.every.week")
    if rule == "FREQ=WEEKLY;INTERVAL=2":
        return translate(locale, "meeting.every.2weeks")
    if rule.startswith("FREQ=MONTHLY;BYDAY=") and len(rule.split(";")) == 2:
        return translate(locale, "meeting.every.month")
    return translate(locale, "meeting.every.rule", rule=rule)


async def build_agenda(
    uow: UnitOfWork,
    group: Group,
    meeting: MeetingRecord,
    occurrence: datetime,
    *,
    today: date,
    cap: int,
    locale: str,
) -> tuple[str, str]:
    """The agenda of one occurrence: (full text, minimal text). Open cases by urgency then
    age (at most `cap`, then "and N more"), decisions overdue or due before the meeting,
    systemic escalations not yet handled."""

    def t(key: str, **params: object) -> str:
        return translate(locale, key, **params)

    lines = [t("agenda.title", number=meeting.number, when=when(occurrence))]
    if meeting.theme:
        lines.append(t("agenda.theme", theme=meeting.theme))
    # What the bot puts there (new since the last meeting, unplaced, decisions due), what
    # members added, and first what the last meeting did not reach (bot/minutes/prepare.py).
    agenda, total = await uow.minutes.agenda(
        group.id,
        since=await uow.minutes.last_start(group.id),
        due_by=occurrence.date(),
        limit=cap,
        count_up_to=COUNT_UP_TO,
    )
    members = await uow.members.list(group.id)
    present = frozenset(m.agency for m in members)
    lines.append("")
    shown_total = counted(locale, total)
    lines.append(t("agenda.cases", total=shown_total) if total else t("agenda.no_cases"))
    for picked in agenda:
        row = picked.row
        # A case an agency has not acknowledged is raised at the meeting (that is where
        # normal-urgency flags are escalated).
        waiting = ""
        pending = pending_acknowledgements(present, row.acknowledged)
        if pending:
            waiting = t("agenda.waiting", agencies=agency_list(locale, pending))
        lines.append(
            t(
                "agenda.case_row",
                ref=row.ref,
                urgency=translate(locale, f"urgency.{row.urgency.value}"),
                responsible=agency_name(locale, row.responsible),
                waiting=waiting,
                summary=row.summary,
            )
            + (t(_PICKED[picked.pick]) if picked.pick in _PICKED else "")
        )
    if total > len(agenda):
        lines.append(t("agenda.more", count=counted(locale, total - len(agenda), over=total)))
    decisions = await uow.followup.open_decisions(
        group.id, due_by=occurrence.date(), limit=COUNT_UP_TO + 1
    )
    if decisions:
        lines.append("")
        lines.append(t("agenda.decisions"))
        for item in decisions[:AGENDA_DECISIONS]:
            lines.extend(decision_lines(locale, item, today=today))
        lines.extend(more_line(locale, len(decisions), AGENDA_DECISIONS))
    escalations = await uow.followup.open_escalations(group.id, limit=COUNT_UP_TO + 1)
    # Read whether or not there are escalations: the agenda costs the same statements
    # whatever the group holds.
    answers = {a.number: a.text for a in await uow.steering.answers(group.id)}
    if escalations:
        lines.append("")
        lines.append(t("agenda.escalations"))
        for esc in escalations[:AGENDA_ESCALATIONS]:
            lines.append(
                t(
                    "agenda.escalation_row",
                    number=esc.number,
                    date=esc.at.astimezone(ZoneInfo(group.timezone)).date().isoformat(),
                    text=esc.text,
                )
            )
            if esc.number in answers:
                lines.append(t("agenda.escalation_answer", text=answers[esc.number]))
        lines.extend(more_line(locale, len(escalations), AGENDA_ESCALATIONS))
    # Who is away on the meeting's day (`away until`): their stand-ins come instead.
    away = [m for m in members if m.is_away(occurrence.date()) and m.away_until is not None]
    if away:
        lines.append("")
        lines.append(t("agenda.away"))
        lines.extend(
            t(
                "agenda.away_row",
                who=m.display_name,
                agency=agency_name(locale, m.agency),
                until=m.away_until.isoformat() if m.away_until else "",
            )
            for m in away
        )
    minimal = t(
        "agenda.minimal",
        number=meeting.number,
        when=when(occurrence),
        cases=counted_plural(locale, "count.open_cases", total),
        decisions=counted_plural(locale, "count.decisions", len(decisions)),
    )
    return "\n".join(lines), minimal


def counted(locale: str, count: int, *, over: int | None = None) -> str:
    """A count that was taken no further than COUNT_UP_TO: "more than 500" past it."""
    if (over if over is not None else count) > COUNT_UP_TO:
        return translate(locale, "agenda.over", count=max(count - 1, 0))
    return str(count)


def counted_plural(locale: str, key: str, count: int, *, over: int | None = None) -> str:
    """plural() of a count taken no further than COUNT_UP_TO."""
    if (over if over is not None else count) <= COUNT_UP_TO:
        return plural(locale, key, count)
    return translate(locale, key, n=counted(locale, count, over=over)).split("|")[1]


def more_line(locale: str, found: int, shown: int) -> list[str]:
    """ "… and N more" under a list cut at `shown`, or nothing if it was not cut."""
    if found <= shown:
        return []
    return [translate(locale, "agenda.more", count=counted(locale, found - shown, over=found))]


def decision_lines(locale: str, item: OpenDecision, *, today: date) -> list[str]:
    d = item.decision
    overdue = d.due is not None and d.due < today
    lines = [
        translate(
            locale,
            "agenda.decision_row",
            ref=item.case_ref,
            number=d.number,
            owner=agency_name(locale, d.owner),
            due=d.due.isoformat() if d.due else "-",
            overdue=translate(locale, "agenda.overdue") if overdue else "",
            text=d.text,
        )
    ]
    if overdue and d.fallback:
        lines.append(
            translate(
                locale,
                "agenda.fallback",
                owner=agency_name(locale, d.fallback_owner or d.owner),
                fallback=d.fallback,
            )
        )
    return lines
