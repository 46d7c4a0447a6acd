"""Texts of the evaluation report: key -> (Danish, English)."""

from __future__ import annotations

_MONTHS = (
    ("januar", "January"),
    ("februar", "February"),
    ("marts", "March"),
    ("april", "April"),
    ("maj", "May"),
    ("juni", "June"),
    ("juli", "July"),
    ("august", "August"),
    ("september", "September"),
    ("oktober", "October"),
    ("november", "November"),
    ("december", "December"),
)

TEXTS: dict[str, tuple[str, str]] = {
    **{f"report.month.{i}": names for i, names in enumerate(_MONTHS, start=1)},
    "report.title": ("Evaluering af samarbejdet", "Evaluation of the cooperation"),
    "report.period": ("{first} – {last}", "{first} – {last}"),
    "report.generated": ("Dannet {at} af psp-bot.", "Generated {at} by psp-bot."),
    "report.decimal": (",", "."),
    "report.hours": ("{value} t", "{value} h"),
    "report.days": ("{value} dage", "{value} days"),
    "report.note.suppression": (
        "Tal fra 1 til 4 vises som «<5», og tal beregnet af dem (medianer, andele) er "
        "tilbageholdt (*), så ingen borger kan genkendes. «–»: ingen data.",
        "Counts from 1 to 4 are shown as «<5», and figures computed from them (medians, "
        "shares) are withheld (*), so that no citizen can be recognised. «–»: no data.",
    ),
    "report.note.working": (
        "Arbejdstid regnes efter botens konfigurerede arbejdstid i gruppens tidszone; 90 %: "
        "den tid, 9 ud af 10 sager holdt sig inden for.",
        "Working time follows the bot's configured working hours in the group's time zone; "
        "90 %: the time within which 9 of 10 cases stayed.",
    ),
    "report.note.meetings": (
        "Afholdte møder: hvert møde holdt fra chatten (møde start … møde slut) i perioden; "
        "før gruppens første møde holdt fra chatten tæller hver planlagt, ikke aflyst mødegang, "
        "der er forbi.",
        "Meetings held: every meeting run from chat (meeting start … meeting end) in the "
        "period; before the group's first meeting run from chat, every scheduled occurrence "
        "that is past and not cancelled.",
    ),
    "report.note.source": (
        "Alle tal er talt i registreringen (hastegrad, myndigheder, karakteristika, udfald, "
        "tidspunkter); ingen sagstekst, ingen navne, ingen sagsnumre.",
        "Every figure is counted from the record (urgency, agencies, characteristics, "
        "outcomes, times); no case text, no names, no case refs.",
    ),
    "report.summary.ack": (
        "Median tid fra melding til kvittering",
        "Median time from flag to acknowledgement",
    ),
    "report.summary.ack_work": (
        "– heraf i arbejdstid",
        "– of it in working time",
    ),
    "report.summary.responsibility": (
        "Median tid fra melding til placeret ansvar",
        "Median time from flag to responsibility",
    ),
    "report.summary.escalations": (
        "Eskaleringer af manglende kvittering",
        "Escalations of missing acknowledgements",
    ),
    "report.chat.line1": (
        "📊 Evaluering · {scope} · {period}",
        "📊 Evaluation · {scope} · {period}",
    ),
    "report.chat.line2": (
        "Meldte sager: {flagged} · lukkede: {closed} · åbne ved periodens slut: {open}",
        "Cases flagged: {flagged} · closed: {closed} · open at the end: {open}",
    ),
    "report.chat.line3": (
        "Median til kvittering: {ack} · eskaleringer: {escalations} · beslutninger udført "
        "til tiden: {on_time}",
        "Median to acknowledgement: {ack} · escalations: {escalations} · decisions done on "
        "time: {on_time}",
    ),
    "report.table.groups": ("Operativgrupperne", "The operative groups"),
    "report.table.by_month": ("Meldte sager pr. måned og hastegrad", "Cases flagged per month"),
    "report.table.by_agency": ("Meldt af myndighed", "Flagged by agency"),
    "report.table.tags": ("Karakteristika", "Characteristics"),
    "report.table.outcomes": ("Udfald af lukkede sager", "Outcomes of closed cases"),
    "report.table.responsible": (
        "Ansvarlig myndighed ved lukning",
        "Agency responsible at close",
    ),
    "report.table.to_ack": (
        "Tid fra melding til kvittering, pr. myndighed",
        "Time from flag to acknowledgement, per agency",
    ),
    "report.table.durations": ("Forløb", "Durations"),
    "report.table.activity": ("Aktivitet", "Activity"),
    "report.table.open_ages": (
        "Åbne sager ved periodens slut, efter alder",
        "Cases open at the end of the period, by age",
    ),
    "report.table.themes": ("Temaer for afholdte møder", "Themes of meetings held"),
    "report.col.count": ("Antal", "Count"),
    "report.col.month": ("Måned", "Month"),
    "report.col.agency": ("Myndighed", "Agency"),
    "report.col.tag": ("Karakteristik", "Characteristic"),
    "report.col.outcome": ("Udfald", "Outcome"),
    "report.col.cases": ("Sager", "Cases"),
    "report.col.median": ("Median", "Median"),
    "report.col.p90": ("90 %", "90 %"),
    "report.col.median_work": ("Median, arbejdstid", "Median, working time"),
    "report.col.p90_work": ("90 %, arbejdstid", "90 %, working time"),
    "report.col.measure": ("Mål", "Measure"),
    "report.col.age": ("Alder", "Age"),
    "report.col.theme": ("Tema", "Theme"),
    "report.col.group": ("Gruppe", "Group"),
    "report.col.median_ack": ("Median til kvittering", "Median to acknowledgement"),
    "report.col.escalations": ("Eskaleringer", "Escalations"),
    "report.to_responsibility": ("Melding til ansvar", "Flag to responsibility"),
    "report.to_close": ("Melding til lukning", "Flag to close"),
    "report.age.band": ("{low}–{high} dage", "{low}–{high} days"),
    "report.age.over": ("over {days} dage", "over {days} days"),
    "report.row.flagged": ("Meldte sager", "Cases flagged"),
    "report.row.closed": ("Lukkede sager", "Cases closed"),
    "report.row.reopened": ("Genåbnede sager", "Cases reopened"),
    "report.row.escalated_deputies": ("Eskaleret til stedfortrædere", "Escalated to deputies"),
    "report.row.escalated_lead": ("Eskaleret til tovholder", "Escalated to the lead"),
    "report.row.declined": ("Afviste ansvarsforslag", "Proposals declined"),
    "report.row.decisions_made": ("Beslutninger truffet", "Decisions made"),
    "report.row.decisions_due": ("Beslutninger med frist i perioden", "Decisions due"),
    "report.row.done_on_time": ("– udført til tiden", "– done on time"),
    "report.row.overdue": ("– overskredet", "– overdue"),
    "report.row.on_time_share": ("Andel udført til tiden", "Share done on time"),
    "report.row.fallbacks": ("Plan B trådt i kraft", "Fallback plans in force"),
    "report.row.meetings_held": ("Møder afholdt", "Meetings held"),
    "report.row.meetings_cancelled": ("Møder aflyst", "Meetings cancelled"),
    "report.row.systemic_raised": ("Systemiske eskaleringer", "Systemic escalations"),
    "report.row.systemic_answered": ("– besvaret af styregruppen", "– answered by steering"),
    "report.row.open_at_end": ("Åbne ved periodens slut", "Open at the end"),
    "report.chart.by_month": ("Meldte sager pr. måned", "Cases flagged per month"),
    "report.chart.outcomes": ("Udfald", "Outcomes"),
    "report.chart.to_ack": (
        "Median tid til kvittering pr. myndighed",
        "Median time to acknowledgement per agency",
    ),
    "report.chart.calendar": ("kalendertid", "calendar time"),
    "report.chart.working": ("arbejdstid", "working time"),
    "report.chart.hours_median": ("timer (median)", "hours (median)"),
    "report.chart.escalations": ("Eskaleringer", "Escalations"),
    "report.yearly_empty": (
        "📊 Evaluering {year} · {scope}: ingen sager i året, så der er ingen rapport.",
        "📊 Evaluation {year} · {scope}: no cases that year, so there is no report.",
    ),
}
