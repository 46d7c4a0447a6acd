"""The meeting as the record: preparing the agenda, running the meeting, its minutes:
key -> (Danish, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # --- usage and help of the verbs that run a meeting ---
    "usage.present": ("til stede [@bruger]", "present [@user]"),
    "usage.next": ("næste", "next"),
    "usage.discussed": ("drøftet <sag>", "discussed <case>"),
    "usage.skip": ("udsæt <sag> (eller: spring over <sag>)", "skip <case>"),
    "help.present": (
        "Registrerer dit fremmøde på det igangværende møde; tovholderen kan registrere andre "
        "med `til stede @bruger`.",
        "Records your attendance at the running meeting; the lead can record others with "
        "`present @user`.",
    ),
    "help.next": (
        "Tager næste sag på dagsordenen op: dens status, åbne beslutninger og manglende "
        "kvitteringer.",
        "Takes up the next case on the agenda: its state, open decisions and pending "
        "acknowledgements.",
    ),
    "help.discussed": (
        "Markerer en sag som drøftet på mødet.",
        "Marks a case as discussed at the meeting.",
    ),
    "help.skip": (
        "Udsætter en sag; den kommer først på næste dagsorden.",
        "Postpones a case; it heads the next agenda.",
    ),
    "meeting.list_minutes": (
        "Referater (`møde referat <nr>`): {minutes}",
        "Minutes (`meeting minutes <no>`): {minutes}",
    ),
    "meeting.list_minutes_one": ("nr. {number} ({date})", "no. {number} ({date})"),
    "meeting.list_running": (" — i gang", " — running"),
    "what.minutes_number": ("referatnummer", "minutes number"),
    "error.minutes_bad_number": (
        "«{number}» er ikke et referatnummer; numrene står i referaterne og ved `meeting start`.",
        "«{number}» is not a minutes number; the numbers are in the minutes and at "
        "`meeting start`.",
    ),
    "error.minutes_unknown": (
        "Der er intet referat nr. {number} i denne gruppe.",
        "There are no minutes no. {number} in this group.",
    ),
    # --- preparing the agenda ---
    "error.agenda_not_yours": (
        "{ref} ligger hos {agency}: kun tovholderen og {agency} ændrer dens plads på dagsordenen.",
        "{ref} is held by {agency}: only the lead and {agency} change its place on the agenda.",
    ),
    "error.agenda_closed": (
        "{ref} er lukket og kommer ikke på dagsordenen; genåbn den først.",
        "{ref} is closed and does not go on the agenda; reopen it first.",
    ),
    "error.agenda_not_on": (
        "{ref} er ikke på mødets dagsorden.",
        "{ref} is not on the meeting's agenda.",
    ),
    "error.agenda_taken_up": (
        "{ref} er allerede taget op på mødet og kan ikke fjernes fra dagsordenen.",
        "{ref} has already been taken up at the meeting and cannot leave the agenda.",
    ),
    "agenda.added": (
        "{ref} er sat på dagsordenen til næste møde.",
        "{ref} is on the agenda of the next meeting.",
    ),
    "agenda.added_running": (
        "{ref} er sat sidst på mødets dagsorden ({cases}).",
        "{ref} is added last to the meeting's agenda ({cases}).",
    ),
    "agenda.already_running": (
        "{ref} er allerede på mødets dagsorden.",
        "{ref} is already on the meeting's agenda.",
    ),
    "agenda.removed": (
        "{ref} er taget af dagsordenen.",
        "{ref} is taken off the agenda.",
    ),
    "agenda.running": (
        "📋 Dagsorden for mødet i gang (referat nr. {number}): {done} af {cases} taget op",
        "📋 Agenda of the running meeting (minutes no. {number}): {done} of {cases} taken up",
    ),
    "agenda.running_row": (
        "{mark} {ref} {urgency} — ansvar: {responsible}: {summary}",
        "{mark} {ref} {urgency} — responsible: {responsible}: {summary}",
    ),
    "agenda.picked_added": (" (sat på af et medlem)", " (added by a member)"),
    "agenda.picked_carried": (
        " (ikke nået på sidste møde)",
        " (not reached at the last meeting)",
    ),
    # --- running the meeting ---
    "error.no_meeting_running": (
        "Intet møde er i gang; tovholderen åbner det med `møde start`.",
        "No meeting is running; the lead opens it with `meeting start`.",
    ),
    "error.meeting_running": (
        "Et møde i gruppen er allerede i gang; afslut det med `meeting end` først.",
        "A meeting of the group is already running; end it with `meeting end` first.",
    ),
    "error.present_lead_only": (
        "Kun tovholderen kan registrere andres fremmøde; skriv `til stede` for dig selv.",
        "Only the lead records someone else's attendance; write `present` for yourself.",
    ),
    "error.skip_discussed": (
        "{ref} er allerede drøftet på mødet og kan ikke udsættes.",
        "{ref} has already been discussed at the meeting and cannot be postponed.",
    ),
    "meeting.started": (
        "▶️ Mødet er åbnet af {who} (referat nr. {number}); {cases} på dagsordenen.",
        "▶️ The meeting is opened by {who} (minutes no. {number}); {cases} on the agenda.",
    ),
    "meeting.started_scheduled": (
        "Planlagt som møde nr. {number} {when}.",
        "Scheduled as meeting no. {number} on {when}.",
    ),
    "meeting.started_hint": (
        "Skriv `til stede` for at registrere dit fremmøde; `næste` tager første sag op; "
        "`møde slut` afslutter og sender referatet.",
        "Write `present` to record your attendance; `next` takes up the first case; "
        "`meeting end` ends the meeting and posts the minutes.",
    ),
    "meeting.present": ("✅ {who} ({agency}) er til stede.", "✅ {who} ({agency}) is present."),
    "meeting.present_already": (
        "{who} ({agency}) var allerede registreret som til stede.",
        "{who} ({agency}) was already recorded as present.",
    ),
    "meeting.next_case": ("▶️ Sag {done} af {total}:", "▶️ Case {done} of {total}:"),
    "meeting.next_waiting": ("Mangler kvittering: {agencies}", "Not acknowledged: {agencies}"),
    "meeting.no_more": (
        "{taken}; afslut med `møde slut`.",
        "{taken}; end with `meeting end`.",
    ),
    "meeting.marked_discussed": (
        "✔️ {ref} er drøftet ({done} af {total}).",
        "✔️ {ref} is discussed ({done} of {total}).",
    ),
    "meeting.marked_skipped": (
        "⏭️ {ref} er udsat og kommer først på næste dagsorden ({done} af {total}).",
        "⏭️ {ref} is postponed and heads the next agenda ({done} of {total}).",
    ),
    # --- the minutes ---
    "minutes.file": ("referat", "minutes"),
    "minutes.files": (
        "Referatet er vedhæftet som PDF og Markdown; `møde referat {number}` viser det igen.",
        "The minutes are attached as PDF and Markdown; `meeting minutes {number}` shows them "
        "again.",
    ),
    "minutes.title": ("# Referat nr. {number} — {group}", "# Minutes no. {number} — {group}"),
    "minutes.held": ("Møde {date} kl. {start}–{end}", "Meeting on {date}, {start}–{end}"),
    "minutes.scheduled": ("Planlagt møde nr. {number}", "Scheduled meeting no. {number}"),
    "minutes.draft": (
        "> Udkast: mødet er stadig i gang.",
        "> Draft: the meeting is still running.",
    ),
    "minutes.attendance": ("## Fremmøde", "## Attendance"),
    "minutes.nobody": ("ingen til stede", "nobody present"),
    "minutes.absent_warning": (
        "> Advarsel: ingen fra {agencies}, som kan have handleansvaret.",
        "> Warning: nobody from {agencies}, which can hold action responsibility.",
    ),
    "minutes.discussed": ("## Drøftede sager ({count})", "## Cases discussed ({count})"),
    "minutes.case": (
        "### {ref} · {urgency} · ansvar: {responsible}",
        "### {ref} · {urgency} · responsible: {responsible}",
    ),
    "minutes.summary": ("Resumé: {summary}", "Summary: {summary}"),
    "minutes.purged_case": (
        "Sagens tekster er slettet efter opbevaringsfristen.",
        "The case's texts were deleted at the end of the retention period.",
    ),
    "minutes.purged_entry": (
        "(slettet efter opbevaringsfristen)",
        "(deleted at the end of the retention period)",
    ),
    "minutes.nothing_recorded": (
        "- Drøftet; intet registreret.",
        "- Discussed; nothing recorded.",
    ),
    "minutes.decision": (
        "Beslutning nr. {number}: {text} — ejer: {owner}, frist: {due}",
        "Decision no. {number}: {text} — owner: {owner}, due: {due}",
    ),
    "minutes.fallback": (
        "; plan B ({owner}): {fallback}",
        "; fallback ({owner}): {fallback}",
    ),
    "minutes.resp_take": (
        "Ansvar: {agency} overtog sagen ({who})",
        "Responsibility: {agency} took the case ({who})",
    ),
    "minutes.resp_assign": (
        "Ansvar: tildelt {agency} ({who})",
        "Responsibility: assigned to {agency} ({who})",
    ),
    "minutes.resp_accept": (
        "Ansvar: {agency} accepterede ({who})",
        "Responsibility: {agency} accepted ({who})",
    ),
    "minutes.resp_propose": (
        "Ansvar: {agency} foreslået ({who})",
        "Responsibility: {agency} proposed ({who})",
    ),
    "minutes.resp_decline": (
        "Ansvar: {agency} afviste forslaget ({who})",
        "Responsibility: {agency} declined the proposal ({who})",
    ),
    "minutes.while": (
        " (under drøftelsen af {ref})",
        " (while {ref} was discussed)",
    ),
    "minutes.note": ("Notat: {text} ({who})", "Note: {text} ({who})"),
    "minutes.closed": (
        "Lukket: {resolution} (udfald: {outcome})",
        "Closed: {resolution} (outcome: {outcome})",
    ),
    "minutes.reopened": ("Genåbnet: {reason}", "Reopened: {reason}"),
    "minutes.done": (
        "Beslutning nr. {number} udført: {text}",
        "Decision no. {number} done: {text}",
    ),
    "minutes.not_reached": (
        "## Ikke nået ({count}) — kommer først på næste dagsorden",
        "## Not reached ({count}) — they head the next agenda",
    ),
    "minutes.skipped": (" — udsat", " — postponed"),
    "minutes.escalations": (
        "## Nye systemiske eskaleringer",
        "## New systemic escalations",
    ),
    "minutes.escalation": ("- nr. {number}: {text}", "- no. {number}: {text}"),
    "minutes.actions": ("## Opgaver pr. myndighed", "## Action items per agency"),
    "minutes.actions_of": ("### {agency}", "### {agency}"),
    "minutes.action": (
        "- {ref} nr. {number}: {text} (frist: {due})",
        "- {ref} no. {number}: {text} (due: {due})",
    ),
    "minutes.minimal": (
        "📝 Referat nr. {number} ({date}): drøftet {discussed}; ikke nået {missed}. "
        "Detaljer i gruppens sikre rum.",
        "📝 Minutes no. {number} ({date}): discussed {discussed}; not reached {missed}. "
        "Details in the group's secure room.",
    ),
}
