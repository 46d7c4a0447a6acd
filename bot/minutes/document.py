"""The minutes of a held meeting as one Markdown document, in the reader's language: date
and theme, attendance per agency, for each case discussed what was recorded on it (decisions
with owner, due date and fallback plan, responsibility, notes, closings), the cases not
reached, new systemic escalations, and each owner agency's action items. Rendered from the
stored record every time, so a purge shows at once and every language reads the same
meeting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain import Agency, CaseId, Group, Member, MemberId, authorities_for
from bot.i18n import translate
from bot.minutes import links
from bot.ports import UnitOfWork
from bot.ports.minutes import Attendance, HeldMeeting, ItemState, MeetingEntry, MeetingItem

_TAKEN_UP = (ItemState.DISCUSSED, ItemState.CURRENT)
# How responsibility moved, as the case rules record it.
_RESPONSIBILITY = {
    "take": "minutes.resp_take",
    "assign": "minutes.resp_assign",
    "accept": "minutes.resp_accept",
    "propose": "minutes.resp_propose",
    "decline": "minutes.resp_decline",
}


@dataclass(frozen=True)
class MinutesData:
    group: Group
    held: HeldMeeting
    members: Mapping[MemberId, Member]  # everyone the record names, removed members too
    agencies: tuple[Agency, ...]  # the agencies of the group's members now
    authorities: tuple[Agency, ...]  # who can hold action responsibility
    attendance: Sequence[Attendance]
    items: Sequence[MeetingItem]
    entries: Sequence[MeetingEntry]

    @property
    def discussed(self) -> list[MeetingItem]:
        return [i for i in self.items if i.state in _TAKEN_UP]

    @property
    def not_reached(self) -> list[MeetingItem]:
        return [i for i in self.items if i.state not in _TAKEN_UP]

    def decisions(self) -> list[MeetingEntry]:
        return [e for e in self.entries if e.kind == links.DECISION and e.facts]


async def gather(uow: UnitOfWork, group: Group, held: HeldMeeting) -> MinutesData:
    known = await uow.access.known_members(group.id)
    current = await uow.members.list(group.id)
    return MinutesData(
        group=group,
        held=held,
        members={k.member.id: k.member for k in known},
        agencies=tuple(a for a in Agency if a in {m.agency for m in current}),
        authorities=authorities_for(group.kind, await uow.access.authorities(group.id)),
        attendance=await uow.minutes.attendance(held.id),
        items=await uow.minutes.items(held.id),
        entries=await uow.minutes.entries(held.id),
    )


def absent_authorities(data: MinutesData) -> list[Agency]:
    """Agencies of the group that can hold responsibility and have nobody present."""
    present = {a.agency for a in data.attendance}
    return [a for a in data.authorities if a in data.agencies and a not in present]


class _Writer:
    def __init__(self, data: MinutesData, locale: str) -> None:
        self.data = data
        self.locale = locale
        self.zone = ZoneInfo(data.group.timezone)
        self.lines: list[str] = []

    def t(self, key: str, **params: object) -> str:
        return translate(self.locale, key, **params)

    def agency(self, value: str | Agency | None) -> str:
        if not value:
            return self.t("agency.none")
        return self.t(f"agency.{Agency(value).value}")

    def name(self, member_id: MemberId | None) -> str:
        member = self.data.members.get(member_id) if member_id is not None else None
        return member.display_name if member else "—"

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)


def attendance_lines(data: MinutesData, locale: str) -> list[str]:
    w = _Writer(data, locale)
    by_agency: dict[Agency, list[str]] = {}
    for entry in data.attendance:
        by_agency.setdefault(entry.agency, []).append(w.name(entry.member_id))
    shown = [a for a in Agency if a in by_agency or a in data.agencies]
    lines = []
    for agency in shown:
        names = ", ".join(by_agency.get(agency, [])) or w.t("minutes.nobody")
        lines.append(f"- {w.agency(agency)}: {names}")
    absent = absent_authorities(data)
    if absent:
        lines.append(w.t("minutes.absent_warning", agencies=", ".join(w.agency(a) for a in absent)))
    return lines


def _entry_line(w: _Writer, entry: MeetingEntry) -> str:
    facts = entry.facts
    if facts is None:
        return "- " + w.t("minutes.purged_entry")
    if entry.kind == links.DECISION:
        line = w.t(
            "minutes.decision",
            number=facts["number"],
            text=facts["text"],
            owner=w.agency(facts["owner"]),
            due=facts["due"] or "—",
        )
        if facts.get("fallback"):
            line += w.t(
                "minutes.fallback",
                fallback=facts["fallback"],
                owner=w.agency(facts.get("fallback_owner") or facts["owner"]),
            )
        return "- " + line
    if entry.kind == links.RESPONSIBILITY:
        return "- " + w.t(
            _RESPONSIBILITY.get(facts["move"], "minutes.resp_assign"),
            agency=w.agency(facts["agency"]),
            who=w.name(entry.by_member),
        )
    if entry.kind == links.NOTE:
        return "- " + w.t("minutes.note", text=facts["text"], who=w.name(entry.by_member))
    if entry.kind == links.CLOSE:
        return "- " + w.t(
            "minutes.closed",
            resolution=facts["resolution"],
            outcome=w.t(f"outcome.{facts['outcome']}"),
        )
    if entry.kind == links.REOPEN:
        return "- " + w.t("minutes.reopened", reason=facts["reason"])
    return "- " + w.t("minutes.done", number=facts["number"], text=facts["text"])


def _while(w: _Writer, entry: MeetingEntry, refs: Mapping[CaseId, str]) -> str:
    """Recorded while another case was under discussion: say which."""
    other = entry.discussed
    if other is None or other == entry.case_id or other not in refs:
        return ""
    return w.t("minutes.while", ref=refs[other])


def render_markdown(data: MinutesData, locale: str, *, summaries: bool = True) -> str:
    """The whole minutes. Without `summaries`, the case summaries are left out (the chat
    post; the files have them)."""
    w = _Writer(data, locale)
    held = data.held
    w.add(w.t("minutes.title", number=held.number, group=data.group.name), "")
    started = held.started_at.astimezone(w.zone)
    ended = held.ended_at.astimezone(w.zone).strftime("%H:%M") if held.ended_at else "…"
    w.add(
        w.t(
            "minutes.held",
            date=started.strftime("%Y-%m-%d"),
            start=started.strftime("%H:%M"),
            end=ended,
        )
    )
    if held.meeting_number is not None:
        w.add(w.t("minutes.scheduled", number=held.meeting_number))
    if held.theme:
        w.add(w.t("agenda.theme", theme=held.theme))
    if held.running:
        w.add(w.t("minutes.draft"))
    w.add("", w.t("minutes.attendance"), *attendance_lines(data, locale))
    discussed = data.discussed
    w.add("", w.t("minutes.discussed", count=len(discussed)))
    by_case: dict[int, list[MeetingEntry]] = {}
    for entry in data.entries:
        if entry.case_id is not None:
            by_case.setdefault(entry.case_id, []).append(entry)
    refs = {i.case_id: i.ref for i in data.items}
    for item in discussed:
        w.add(
            "",
            w.t(
                "minutes.case",
                ref=item.ref,
                urgency=w.t(f"urgency.{item.urgency.value}"),
                responsible=w.agency(item.responsible),
            ),
        )
        if item.purged:
            w.add(w.t("minutes.purged_case"))
        elif summaries and item.summary:
            w.add(w.t("minutes.summary", summary=item.summary))
        recorded = by_case.get(item.case_id, [])
        w.add(
            *[_entry_line(w, e) + _while(w, e, refs) for e in recorded]
            or [w.t("minutes.nothing_recorded")]
        )
    missed = data.not_reached
    if missed:
        w.add("", w.t("minutes.not_reached", count=len(missed)))
        for item in missed:
            skipped = w.t("minutes.skipped") if item.state is ItemState.SKIPPED else ""
            w.add(f"- {item.ref} ({w.t(f'urgency.{item.urgency.value}')}){skipped}")
    escalations = [e for e in data.entries if e.kind == links.ESCALATION]
    if escalations:
        w.add("", w.t("minutes.escalations"))
        for entry in escalations:
            facts = entry.facts or {}
            w.add(
                w.t(
                    "minutes.escalation",
                    number=facts.get("number", "?"),
                    text=facts.get("text", ""),
                )
            )
    w.add(*action_lines(data, locale))
    return "\n".join(w.lines) + "\n"


def action_items(data: MinutesData) -> dict[Agency, list[MeetingEntry]]:
    """Each owner agency's decisions from this meeting, in the order they were made."""
    found: dict[Agency, list[MeetingEntry]] = {}
    for entry in data.decisions():
        assert entry.facts is not None
        found.setdefault(Agency(entry.facts["owner"]), []).append(entry)
    return {a: found[a] for a in Agency if a in found}


def action_lines(data: MinutesData, locale: str) -> list[str]:
    w = _Writer(data, locale)
    items = action_items(data)
    if not items:
        return []
    lines = ["", w.t("minutes.actions")]
    for agency, entries in items.items():
        lines.append(w.t("minutes.actions_of", agency=w.agency(agency)))
        for entry in entries:
            assert entry.facts is not None
            lines.append(
                w.t(
                    "minutes.action",
                    ref=entry.ref or "",
                    number=entry.facts["number"],
                    text=entry.facts["text"],
                    due=entry.facts["due"] or "—",
                )
            )
    return lines


def minimal_text(data: MinutesData, locale: str) -> str:
    """Refs only, for minimal-detail rooms."""
    w = _Writer(data, locale)
    discussed = ", ".join(i.ref for i in data.discussed) or w.t("word.none")
    missed = ", ".join(i.ref for i in data.not_reached) or w.t("word.none")
    return w.t(
        "minutes.minimal",
        number=data.held.number,
        date=data.held.started_at.astimezone(w.zone).strftime("%Y-%m-%d"),
        discussed=discussed,
        missed=missed,
    )
