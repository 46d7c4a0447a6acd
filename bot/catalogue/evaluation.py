"""Texts of the steering level: outcomes, the evaluation report and steering groups."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # --- outcomes ------------------------------------------------------------------------
    "outcome.treatment-started": ("behandling startet", "treatment started"),
    "outcome.housing-secured": ("bolig sikret", "housing secured"),
    "outcome.support-accepted": ("social støtte modtaget", "social support accepted"),
    "outcome.ordinary-services": (
        "overdraget til almindelig indsats",
        "handed over to ordinary services",
    ),
    "outcome.moved-away": ("fraflyttet", "moved away"),
    "outcome.not-target-group": ("ikke længere i målgruppen", "no longer in the target group"),
    "outcome.transferred": ("overført til anden gruppe", "transferred to another group"),
    "outcome.other": ("andet", "other"),
    "outcome.none": ("ikke registreret", "not recorded"),
    "error.bad_outcome": (
        "Ukendt udfald «{outcome}». Brug en af: {choices}.",
        "Unknown outcome «{outcome}». Use one of: {choices}.",
    ),
    "error.missing_outcome": (
        "Skriv sagens udfald med --udfald KODE, en af: {choices}.",
        "Give the case's outcome with --outcome CODE, one of: {choices}.",
    ),
    "help.outcomes": ("Udfald: {choices}", "Outcomes: {choices}"),
    "usage.report": ("report [ÅR | FRA TIL]", "report [YEAR | FROM TO]"),
    "help.report": (
        "Evalueringsrapporten for en periode (standard: sidste år) som PDF: tal fra "
        "registreringen, "
        "aldrig sagstekst. Tovholderen i gruppens rum, eller alle i et styregrupperum.",
        "The evaluation report for a period (default: last year) as a PDF: figures from the "
        "record, never case text. The lead in the group's room, or anyone in a steering room.",
    ),
    "usage.steering": (
        "steering setup <navn> | steering add <gruppe> | steering remove <gruppe>",
        "steering setup <name> | steering add <group> | steering remove <group>",
    ),
    "help.steering": (
        "Gør dette rum til en lokal styregruppe og knytter operativgrupper til den "
        "(botadministratorer). Styregruppen modtager gruppernes eskaleringer og statistik, "
        "aldrig sagsdetaljer.",
        "Makes this room a local steering group and links operative groups to it (bot "
        "admins). The steering group receives the groups' escalations and statistics, never "
        "case details.",
    ),
    "what.escalation-no": ("eskaleringsnummer", "escalation number"),
    "error.bad_period": (
        "«{period}» er ikke en periode. Skriv et år (2026) eller to datoer ÅÅÅÅ-MM-DD.",
        "«{period}» is not a period. Write a year (2026) or two dates YYYY-MM-DD.",
    ),
    "error.period_reversed": (
        "Perioden begynder ({first}) efter den slutter ({last}).",
        "The period starts ({first}) after it ends ({last}).",
    ),
    "error.period_future": (
        "Perioden begynder {first}, i fremtiden: der er intet at evaluere endnu.",
        "The period starts {first}, in the future: there is nothing to evaluate yet.",
    ),
    "error.report_empty": (
        "Ingen sager i perioden {first} – {last}: der er ingen rapport at lave.",
        "No cases in the period {first} – {last}: there is no report to make.",
    ),
    "error.steering_no_groups": (
        "Styregruppen {name} har ingen operativgrupper endnu (`steering add <gruppe>`).",
        "The steering group {name} oversees no operative group yet (`steering add <group>`).",
    ),
    "error.not_steering_room": (
        "Dette er ikke et styregrupperum; styregruppekommandoer virker kun dér.",
        "This is not a steering room; steering commands work only there.",
    ),
    "error.steering_in_operative_room": (
        "Rummet er allerede en operativgruppes rum; opret styregruppen i sit eget rum.",
        "This room already belongs to an operative group; set up the steering group in a "
        "room of its own.",
    ),
    "error.steering_room_taken": (
        "Rummet er allerede styregruppen {name}.",
        "This room is already the steering group {name}.",
    ),
    "error.steering_name_taken": (
        "Der findes allerede en styregruppe ved navn {name}.",
        "A steering group named {name} exists already.",
    ),
    "error.unknown_group": (
        "Ingen operativgruppe hedder «{group}».",
        "No group is named «{group}».",
    ),
    "error.group_linked_elsewhere": (
        "{group} hører allerede under styregruppen {name}; fjern den dér først.",
        "{group} already belongs to the steering group {name}; remove it there first.",
    ),
    "error.group_not_linked": (
        "{group} hører ikke under styregruppen {name}.",
        "{group} does not belong to the steering group {name}.",
    ),
    "error.answer_which_group": (
        "Hvilken gruppes eskalering? Tilføj --gruppe NAVN, en af: {groups}.",
        "Which group's escalation? Add --group NAME, one of: {groups}.",
    ),
    "error.escalation_answered": (
        "Eskalering nr. {number} er allerede besvaret.",
        "Escalation no. {number} has been answered already.",
    ),
    "steering.created": (
        "Rummet er nu styregruppen {name}. Tilknyt grupper med `steering add <gruppe>`.",
        "This room is now the steering group {name}. Link groups with `steering add <group>`.",
    ),
    "steering.linked": (
        "{group} hører nu under styregruppen {name}: dens eskaleringer kommer hertil.",
        "{group} now belongs to the steering group {name}: its escalations come here.",
    ),
    "steering.already_linked": (
        "{group} hører allerede under styregruppen {name}.",
        "{group} already belongs to the steering group {name}.",
    ),
    "steering.unlinked": (
        "{group} hører ikke længere under styregruppen {name}.",
        "{group} no longer belongs to the steering group {name}.",
    ),
    "escalate.answer_post": (
        "📬 Styregruppen {name} har svaret på eskalering nr. {number}: {text}\n"
        "Tovholderen markerer den håndteret med `escalate handled {number}`.",
        "📬 The steering group {name} answered escalation no. {number}: {text}\n"
        "The lead marks it handled with `escalate handled {number}`.",
    ),
    "escalate.answered": (
        "Svaret på eskalering nr. {number} er sendt til {group}.",
        "The answer to escalation no. {number} is sent to {group}.",
    ),
    "agenda.escalation_answer": (
        "    ↳ styregruppens svar: {text}",
        "    ↳ steering answer: {text}",
    ),
    "usage.transfer": (
        "transfer <sag> <gruppe> [--bekræft] | transfer accept <sag>",
        "transfer <case> <group> [--confirm] | transfer accept <case>",
    ),
    "help.transfer": (
        "Overfører en sag til en anden gruppe (fx SSP til SSP+ ved 18 år). Tovholderen beder om "
        "det; modtagerens tovholder accepterer, først da flyttes sagen.",
        "Transfers a case to another group (e.g. SSP to SSP+ at 18). The lead asks; the "
        "receiving group's lead accepts, and only then does the case move.",
    ),
    "what.group": ("gruppe", "group"),
    "error.transfer_kind": (
        "{group} er en {kind}-gruppe af en anden slags; skriv `transfer {ref} {group} --bekræft`.",
        "{group} is a {kind} group of another kind; write `transfer {ref} {group} --confirm`.",
    ),
    "error.transfer_pending": (
        "{ref} venter allerede på at blive overført.",
        "{ref} is already waiting to be transferred.",
    ),
    "error.no_transfer": (
        "Ingen gruppe har bedt jer overtage {ref}.",
        "No group has asked you to take over {ref}.",
    ),
    "transfer.requested": (
        "{group} er bedt om at overtage {ref}; intet flyttes, før deres tovholder accepterer.",
        "{group} is asked to take over {ref}; nothing moves until its lead accepts.",
    ),
    "transfer.asked": (
        "📨 {group} beder jer overtage sag {ref} ({urgency}). Tovholderen accepterer med "
        "`transfer accept {ref}`.",
        "📨 {group} asks you to take over case {ref} ({urgency}). The lead accepts with "
        "`transfer accept {ref}`.",
    ),
    "transfer.accepted": (
        "Sagen er overtaget som {ref} (tidligere {source}).",
        "The case is taken over as {ref} (formerly {source}).",
    ),
    "transfer.done_source": (
        "{ref} er overført til {group} som {new} og lukket her.",
        "{ref} is transferred to {group} as {new} and closed here.",
    ),
    "transfer.note_from": ("Overført fra {ref} ({group}).", "Transferred from {ref} ({group})."),
    "transfer.note_to": ("Overført til {ref} ({group}).", "Transferred to {ref} ({group})."),
    "history.transfer": (
        "{at}: {agency} ansvarlig ved overførslen ({who})",
        "{at}: {agency} responsible on transfer ({who})",
    ),
}
