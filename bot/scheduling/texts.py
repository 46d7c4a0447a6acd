"""How scheduled work reads: times, durations and the agenda, localized. Shared by the
meeting commands and the scheduler's messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain import Agency, CaseStatus, Group, pending_acknowledgements
from bot.i18n import plural, translate
from bot.ports import MeetingRecord, OpenDecision, UnitOfWork

WHEN_FORMAT = "%Y-%m-%d %H:%M"


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
    rows, total = await uow.cases.list(
        group.id, status=CaseStatus.OPEN, responsible=None, limit=cap
    )
    present = frozenset(m.agency for m in await uow.members.list(group.id))
    lines.append("")
    lines.append(t("agenda.cases", total=total) if total else t("agenda.no_cases"))
    for row in rows:
        # A case an agency has not acknowledged is raised at the meeting (that is where
        # normal-urgency flags are escalated).
        waiting = ""
        case = await uow.cases.get_by_ref(group.id, row.ref)
        if case is not None:
            acked = frozenset(a.agency for a in await uow.cases.acknowledgements(case.id))
            pending = pending_acknowledgements(present, acked)
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
        )
    if total > len(rows):
        lines.append(t("agenda.more", count=total - len(rows)))
    decisions = await uow.followup.open_decisions(group.id, due_by=occurrence.date())
    if decisions:
        lines.append("")
        lines.append(t("agenda.decisions"))
        for item in decisions:
            lines.extend(decision_lines(locale, item, today=today))
    escalations = await uow.followup.open_escalations(group.id)
    if escalations:
        lines.append("")
        lines.append(t("agenda.escalations"))
        for esc in escalations:
            lines.append(
                t(
                    "agenda.escalation_row",
                    number=esc.number,
                    date=esc.at.astimezone(ZoneInfo(group.timezone)).date().isoformat(),
                    text=esc.text,
                )
            )
    minimal = t(
        "agenda.minimal",
        number=meeting.number,
        when=when(occurrence),
        cases=plural(locale, "count.open_cases", total),
        decisions=plural(locale, "count.decisions", len(decisions)),
    )
    return "\n".join(lines), minimal


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
