"""Scheduling: meetings, reminders, escalation, decision follow-up: key -> (Danish, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # --- scheduling: meetings, reminders, escalation, decision follow-up ---
    "usage.meeting": (
        "møde planlæg <ÅÅÅÅ-MM-DD TT:MM> [--hver uge|2uger|måned | --rrule REGEL] "
        "[--tema TEKST] [--påmind 7d,1d,1h] | møde liste | møde dagsorden [nr] | "
        "møde aflys <nr> [ÅÅÅÅ-MM-DD|alle] | møde kalender | møde dagsorden tilføj|fjern <sag> | "
        "møde start [nr] | møde slut | møde referat <nr>",
        "meeting schedule <YYYY-MM-DD HH:MM> [--every week|2weeks|month | --rrule RULE] "
        "[--theme TEXT] [--remind 7d,1d,1h] | meeting list | meeting agenda [no] | "
        "meeting cancel <no> [YYYY-MM-DD|all] | meeting ics | meeting agenda add|remove <case> | "
        "meeting start [no] | meeting end | meeting minutes <no>",
    ),
    "help.meeting": (
        "Planlægger gruppens møder med påmindelser og dagsorden; kalenderfil med `møde kalender`. "
        "Tovholderen åbner mødet med `møde start` og afslutter det med `møde slut`; så sendes "
        "referatet (PDF og Markdown) i gruppens rum.",
        "Schedules the group's meetings with reminders and an agenda; calendar file with "
        "`meeting ics`. The lead opens the meeting with `meeting start` and ends it with "
        "`meeting end`, which posts the minutes (PDF and Markdown) in the group's rooms.",
    ),
    "what.meeting_time": ("mødetidspunkt (ÅÅÅÅ-MM-DD TT:MM)", "meeting time (YYYY-MM-DD HH:MM)"),
    "what.meeting_number": ("mødenummer", "meeting number"),
    "error.meeting_bad_number": (
        "«{number}» er ikke et mødenummer; se numrene med `meeting list`.",
        "«{number}» is not a meeting number; see the numbers with `meeting list`.",
    ),
    "error.meeting_bad_time": (
        "«{value}» er ikke et tidspunkt; skriv fx 2026-12-01 09:00.",
        "«{value}» is not a time; write e.g. 2026-12-01 09:00.",
    ),
    "error.meeting_every_and_rrule": (
        "Brug enten --every eller --rrule, ikke begge.",
        "Use either --every or --rrule, not both.",
    ),
    "error.meeting_bad_rrule": (
        "«{rule}» er ikke en brugbar gentagelsesregel (RFC 5545), fx FREQ=WEEKLY;BYDAY=TU.",
        "«{rule}» is not a usable recurrence rule (RFC 5545), e.g. FREQ=WEEKLY;BYDAY=TU.",
    ),
    "error.meeting_bad_remind": (
        "«{value}» er ikke en påmindelse; skriv fx 7d,1d,1h (højst seks, 1m til 60d).",
        "«{value}» is not a reminder; write e.g. 7d,1d,1h (at most six, 1m to 60d).",
    ),
    "error.meeting_in_past": (
        "Mødet {when} ligger i fortiden; vælg et senere tidspunkt.",
        "The meeting {when} is in the past; choose a later time.",
    ),
    "error.meeting_too_far": (
        "Mødet {when} ligger mere end fem år ude i fremtiden; vælg et tidligere tidspunkt.",
        "The meeting {when} is more than five years ahead; choose an earlier time.",
    ),
    "error.meeting_unknown": (
        "Der er intet møde nr. {number} i denne gruppe; se `meeting list`.",
        "There is no meeting no. {number} in this group; see `meeting list`.",
    ),
    "error.meeting_no_occurrence": (
        "Møde nr. {number} holdes ikke {date}; se datoerne med `meeting list`.",
        "Meeting no. {number} does not take place on {date}; see the dates with `meeting list`.",
    ),
    "error.meeting_series_choice": (
        "Møde nr. {number} er en serie: skriv `meeting cancel {number} ÅÅÅÅ-MM-DD` for én "
        "gang eller `meeting cancel {number} all` for hele serien.",
        "Meeting no. {number} is a series: write `meeting cancel {number} YYYY-MM-DD` for one "
        "occurrence or `meeting cancel {number} all` for the whole series.",
    ),
    "error.meeting_none": (
        "Der er ikke planlagt noget kommende møde; planlæg et med `meeting schedule`.",
        "No upcoming meeting is scheduled; schedule one with `meeting schedule`.",
    ),
    "meeting.scheduled": (
        "📅 Møde nr. {number} planlagt: {when}{repeat}. Påmindelser: {remind}.",
        "📅 Meeting no. {number} scheduled: {when}{repeat}. Reminders: {remind}.",
    ),
    "meeting.every.week": (" (hver uge)", " (every week)"),
    "meeting.every.2weeks": (" (hver anden uge)", " (every other week)"),
    "meeting.every.month": (" (hver måned, samme ugedag)", " (every month, same weekday)"),
    "meeting.every.rule": (" (gentages: {rule})", " (repeats: {rule})"),
    "meeting.list_title": ("Møder i {group}:", "Meetings of {group}:"),
    "meeting.list_row": (
        "nr. {number}: næste {when}{repeat}{theme}",
        "no. {number}: next {when}{repeat}{theme}",
    ),
    "meeting.list_over": ("nr. {number}: afholdt {when}", "no. {number}: held {when}"),
    "meeting.list_empty": (
        "Ingen møder er planlagt. Planlæg et med `meeting schedule ÅÅÅÅ-MM-DD TT:MM`.",
        "No meetings are scheduled. Schedule one with `meeting schedule YYYY-MM-DD HH:MM`.",
    ),
    "meeting.theme_suffix": (" — tema: {theme}", " — theme: {theme}"),
    "meeting.cancelled_one": (
        "🚫 Møde nr. {number} {when} er aflyst. Resten af serien står fast.",
        "🚫 Meeting no. {number} on {when} is cancelled. The rest of the series stands.",
    ),
    "meeting.cancelled_all": (
        "🚫 Møde nr. {number} er aflyst.",
        "🚫 Meeting no. {number} is cancelled.",
    ),
    "meeting.already_cancelled": (
        "Møde nr. {number} {when} var allerede aflyst.",
        "Meeting no. {number} on {when} was already cancelled.",
    ),
    "meeting.ics_done": (
        "Kalender for {group}: {meetings} (iCalendar-fil vedhæftet; kan importeres i "
        "Outlook og Google Kalender).",
        "Calendar of {group}: {meetings} (iCalendar file attached; imports into Outlook "
        "and Google Calendar).",
    ),
    "meeting.ics_summary": ("{group}: operativt møde", "{group}: operative meeting"),
    "agenda.title": (
        "📋 Dagsorden, møde nr. {number} {when}",
        "📋 Agenda, meeting no. {number} on {when}",
    ),
    "agenda.theme": ("Tema: {theme}", "Theme: {theme}"),
    "agenda.cases": ("Åbne sager ({total}):", "Open cases ({total}):"),
    "agenda.case_row": (
        "• {ref} {urgency} — ansvar: {responsible}{waiting}: {summary}",
        "• {ref} {urgency} — responsible: {responsible}{waiting}: {summary}",
    ),
    "agenda.waiting": (" — mangler kvittering: {agencies}", " — not acknowledged: {agencies}"),
    "agenda.more": ("… og {count} mere", "… and {count} more"),
    "agenda.over": ("over {count}", "more than {count}"),
    "agenda.no_cases": ("Ingen sager på dagsordenen.", "No cases on the agenda."),
    "agenda.decisions": (
        "Beslutninger med overskredet frist eller frist før mødet:",
        "Decisions overdue or due before the meeting:",
    ),
    "agenda.decision_row": (
        "• {ref} nr. {number} ({owner}, frist {due}){overdue}: {text}",
        "• {ref} no. {number} ({owner}, due {due}){overdue}: {text}",
    ),
    "agenda.overdue": (" — OVERSKREDET", " — OVERDUE"),
    "agenda.fallback": (
        "  ↳ plan B gælder nu ({owner}): {fallback}",
        "  ↳ the fallback now applies ({owner}): {fallback}",
    ),
    "agenda.escalations": (
        "Systemiske eskaleringer, endnu ikke behandlet:",
        "Systemic escalations not yet handled:",
    ),
    "agenda.escalation_row": ("• nr. {number} ({date}): {text}", "• no. {number} ({date}): {text}"),
    "agenda.minimal": (
        "📋 Dagsorden, møde nr. {number} {when}: {cases}, {decisions} "
        "at følge op. Se detaljer i gruppens sikre rum.",
        "📋 Agenda, meeting no. {number} on {when}: {cases}, {decisions} "
        "to follow up. Details in the group's secure room.",
    ),
    "reminder.text": (
        "🔔 {late}Påmindelse: møde nr. {number} {when} (om {left}).",
        "🔔 {late}Reminder: meeting no. {number} on {when} (in {left}).",
    ),
    "reminder.late": ("[forsinket] ", "[late] "),
    "escalation.deputies": (
        "⏰ {late}{ref} ({urgency}): {agency} har ikke kvitteret efter {elapsed}. "
        "Stedfortrædere for {agency}: kvittér med `ack {ref}`.",
        "⏰ {late}{ref} ({urgency}): {agency} has not acknowledged after {elapsed}. "
        "Deputies of {agency}: acknowledge with `ack {ref}`.",
    ),
    "escalation.lead": (
        "⏰ {late}{ref} ({urgency}): {agency} har stadig ikke kvitteret efter {elapsed}. "
        "Tovholder: følg op med {agency}.",
        "⏰ {late}{ref} ({urgency}): {agency} has still not acknowledged after {elapsed}. "
        "Group lead: follow up with {agency}.",
    ),
    "followup.title": ("📌 Opfølgning på beslutninger {date}", "📌 Decision follow-up {date}"),
    "followup.due_soon": ("Frist snart:", "Due soon:"),
    "followup.overdue": ("Overskredet frist:", "Overdue:"),
    "followup.row": (
        "• {ref} nr. {number} ({owner}, frist {due}): {text}",
        "• {ref} no. {number} ({owner}, due {due}): {text}",
    ),
    "followup.fallback": (
        "⚠️ {ref} nr. {number} er overskredet: plan B gælder nu for {owner}: {fallback}",
        "⚠️ {ref} no. {number} is overdue: the fallback now applies for {owner}: {fallback}",
    ),
    "followup.minimal": (
        "📌 Opfølgning {date}: {due} med frist snart, {overdue} overskredet.",
        "📌 Follow-up {date}: {due} due soon, {overdue} overdue.",
    ),
}
