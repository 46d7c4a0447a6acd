"""The member's home view (Slack's App Home): key -> (Danish, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "home.title": ("Dine PSP-grupper", "Your PSP groups"),
    "home.no_groups": (
        "Du er ikke medlem af nogen gruppe her endnu. Tovholderen tilføjer dig med "
        "`/psp medlem tilføj @dig <myndighed>`.",
        "You are not a member of any group here yet. The group's lead adds you with "
        "`/psp member add @you <agency>`.",
    ),
    "home.group": ("{group} — {agency}, {role}", "{group} — {agency}, {role}"),
    "home.partial": (
        "(de {count} ældste åbne sager; `/psp liste` viser resten)",
        "(the {count} first open cases; `/psp list` shows the rest)",
    ),
    "home.awaiting": (
        "Afventer din myndigheds kvittering",
        "Awaiting your agency's acknowledgement",
    ),
    "home.awaiting_none": ("Ingen sager afventer jer.", "No case is waiting for you."),
    "home.responsible": ("Din myndighed har ansvaret", "Your agency is responsible"),
    "home.responsible_none": (
        "Din myndighed har ikke ansvaret for nogen åben sag.",
        "Your agency holds no open case.",
    ),
    "home.decisions": (
        "Din myndigheds åbne beslutninger",
        "Your agency's open decisions",
    ),
    "home.decisions_none": ("Ingen åbne beslutninger.", "No open decisions."),
    "home.meeting": ("Næste møde", "Next meeting"),
    "home.meeting_none": ("Intet møde planlagt.", "No meeting scheduled."),
    "home.more": ("… og {more}", "… and {more}"),
    "home.more_groups": ("{groups}.", "{groups}."),
    "home.waiting_for": (" · mangler kvittering: {agencies}", " · awaiting: {agencies}"),
    "home.decision": ("{ref} #{number} · frist {due}", "{ref} #{number} · due {due}"),
    "home.decision_undated": ("{ref} #{number} · ingen frist", "{ref} #{number} · no due date"),
    "home.decision_overdue": (
        "⏰ {ref} #{number} · frist {due} · OVERSKREDET",
        "⏰ {ref} #{number} · due {due} · OVERDUE",
    ),
    "home.meeting_at": ("Møde {number}: {when}", "Meeting {number}: {when}"),
    "home.updated": ("Opdateret {when}.", "Updated {when}."),
}
