"""Refusals: one line saying what was wrong and how to write it right: key -> (Danish, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # --- refusals --------------------------------------------------------------------
    "error.empty": (
        "Tom kommando. Skriv `help` for at se kommandoerne.",
        "Empty command. Type `help` to see the commands.",
    ),
    "error.too_long": (
        "Beskeden er for lang (højst {max} tegn). Skriv kortere og kun det nødvendige.",
        "The message is too long (at most {max} characters). Keep it short and to what is needed.",
    ),
    "error.quotes": (
        'Et anførselstegn mangler sin partner. Sæt tekst i par af "…" eller fjern tegnet.',
        'A quote has no closing partner. Put text in matching "…" or remove the quote.',
    ),
    "error.unknown_verb": (
        "Ukendt kommando «{verb}». Skriv `help` for at se kommandoerne.",
        "Unknown command «{verb}». Type `help` to see the commands.",
    ),
    "error.unknown_verb_suggest": (
        "Ukendt kommando «{verb}». Mente du `{suggest}`?",
        "Unknown command «{verb}». Did you mean `{suggest}`?",
    ),
    "error.usage": ("Brug: {usage}", "Usage: {usage}"),
    "error.missing": ("Der mangler {what}.", "Missing {what}."),
    "error.extra": ("For mange argumenter: «{extra}».", "Too many arguments: «{extra}»."),
    "error.bad_ref": (
        "«{ref}» er ikke et sagsnummer (fx PSP-2026-0007).",
        "«{ref}» is not a case ref (e.g. PSP-2026-0007).",
    ),
    "error.bad_agency": (
        "Ukendt myndighed «{agency}». Brug politi, social, psykiatri, kriminalforsorg, skole, "
        "læge eller bolig.",
        "Unknown agency «{agency}». Use police, social, psychiatry, probation, school, gp or "
        "housing.",
    ),
    "error.bad_urgency": (
        "Ukendt hastegrad «{urgency}». Brug akut, haster eller normal.",
        "Unknown urgency «{urgency}». Use acute, urgent or normal.",
    ),
    "error.bad_role": (
        "Ukendt rolle «{role}». Brug repræsentant, stedfortræder, tovholder eller vagt.",
        "Unknown role «{role}». Use rep, deputy, lead or duty.",
    ),
    "error.bad_tag": (
        "Ukendt karakteristik «{tag}». Brug fx #threat, #danger, #children, #housing, #youth.",
        "Unknown characteristic «{tag}». Use e.g. #threat, #danger, #children, #housing, #youth.",
    ),
    "error.bad_date": (
        "«{date}» er ikke en gyldig dato. Skriv ÅÅÅÅ-MM-DD, fx 2026-12-01.",
        "«{date}» is not a valid date. Write YYYY-MM-DD, e.g. 2026-12-01.",
    ),
    "error.bad_number": (
        "«{number}» er ikke et beslutningsnummer. Se numrene med `show <sag>`.",
        "«{number}» is not a decision number. See the numbers with `show <case>`.",
    ),
    "error.bad_scope": (
        "Ukendt liste «{scope}». Brug open, mine, closed eller all.",
        "Unknown list «{scope}». Use open, mine, closed or all.",
    ),
    "error.bad_option": ("Ukendt tilvalg {option}.", "Unknown option {option}."),
    "error.bad_page": (
        "«{number}» er ikke et sidenummer (1, 2, 3 …).",
        "«{number}» is not a page number (1, 2, 3 …).",
    ),
    "error.mine_and_agency": (
        "`list mine` viser allerede din myndigheds sager; brug `list open --myndighed …` "
        "for en anden myndigheds.",
        "`list mine` already shows your agency's cases; use `list open --agency …` for "
        "another agency's.",
    ),
    "error.page_too_far": (
        "Kun de første {shown} sager kan bladres igennem. Afgræns listen, fx "
        "`list {scope} --myndighed politi`.",
        "Only the first {shown} cases can be paged through. Narrow the list, e.g. "
        "`list {scope} --agency police`.",
    ),
    "error.option_value": (
        "Tilvalget {option} mangler en værdi.",
        "Option {option} needs a value.",
    ),
    "error.option_twice": ("Tilvalget {option} står to gange.", "Option {option} is given twice."),
    "error.bad_choice": (
        "{option} kan ikke være «{value}». Vælg mellem: {choices}.",
        "{option} cannot be «{value}». Choose one of: {choices}.",
    ),
    "error.bad_subcommand": (
        "Ukendt underkommando «{sub}». Brug {choices}.",
        "Unknown subcommand «{sub}». Use {choices}.",
    ),
    "error.bad_prefix": (
        "Præfikset «{prefix}» duer ikke: 2–10 bogstaver og tal, begyndende med et bogstav.",
        "The prefix «{prefix}» will not do: 2–10 letters and digits, starting with a letter.",
    ),
    "error.name_too_long": (
        "Gruppenavnet er for langt (højst {max} tegn).",
        "The group name is too long (at most {max} characters).",
    ),
    "error.fallback_owner_alone": (
        "--plan-ejer (--fallback-owner) kræver også --plan (--fallback) med planen.",
        "--fallback-owner needs --fallback with the plan too.",
    ),
    "error.bad_user": (
        "«{user}» er ikke en bruger på denne platform.",
        "«{user}» is not a user on this platform.",
    ),
    "error.ambiguous_user": (
        "«{user}» passer på flere personer i rummet; vælg personen med @ eller skriv det fulde id.",
        "«{user}» matches several people in this room; pick the person with @ or write their "
        "full id.",
    ),
    "error.cpr": (
        "Beskeden indeholder et CPR-nummer og er afvist. Brug kun sagsnummeret — aldrig "
        "navn eller CPR-nummer.",
        "The message contains a CPR number and was refused. Use only the case ref — never a "
        "name or CPR number.",
    ),
    "error.unbound_room": (
        "Dette rum hører ikke til nogen gruppe. En administrator binder det med "
        "`group setup <navn>`.",
        "This room belongs to no group. An admin binds it with `group setup <name>`.",
    ),
    "error.not_member": (
        "Du er ikke medlem af denne gruppe. Bed gruppens tovholder om at tilføje dig.",
        "You are not a member of this group. Ask the group's lead to add you.",
    ),
    "error.steering_room": (
        "Dette er et styregrupperum; sager behandles i gruppens operative rum.",
        "This is a steering room; cases are handled in the group's operative room.",
    ),
    "error.insecure_room": (
        "Dette rum er ikke sikret (ikke krypteret eller ikke privat); sager vises ikke her.",
        "This room is not secured (not encrypted or not private); cases are not shown here.",
    ),
    "error.lead_only": (
        "Kun gruppens tovholder må gøre det.",
        "Only the group's lead may do that.",
    ),
    "error.admin_only": (
        "Kun en bot-administrator må oprette eller binde grupper.",
        "Only a bot admin may set up or bind groups.",
    ),
    "error.unknown_case": (
        "Sagen {ref} findes ikke i denne gruppe.",
        "There is no case {ref} in this group.",
    ),
    "error.case_closed": (
        "Sagen {ref} er lukket. Tovholderen kan genåbne den med `reopen`.",
        "Case {ref} is closed. The lead can reopen it with `reopen`.",
    ),
    "error.case_open": ("Sagen {ref} er allerede åben.", "Case {ref} is already open."),
    "error.agency_not_in_group": (
        "Gruppen har ingen medlemmer fra {agency}.",
        "The group has no members from {agency}.",
    ),
    "error.member_not_in_agency": (
        "«{user}» er ikke medlem af gruppen for {agency}.",
        "«{user}» is not a member of the group for {agency}.",
    ),
    "error.already_responsible": (
        "{agency} har allerede ansvaret for {ref}.",
        "{agency} already holds responsibility for {ref}.",
    ),
    "error.proposal_pending": (
        "Der er allerede et forslag om at {agency} overtager {ref}; det skal accepteres eller "
        "afvises først.",
        "There is already a proposal for {agency} to take {ref}; it must be accepted or "
        "declined first.",
    ),
    "error.no_proposal": (
        "Der er intet forslag til {agency} om {ref}.",
        "There is no proposal to {agency} for {ref}.",
    ),
    "error.close_without_responsible": (
        "{ref} kan ikke lukkes før en myndighed har ansvaret (`take` eller `assign`).",
        "{ref} cannot be closed before an agency holds responsibility (`take` or `assign`).",
    ),
    "error.close_not_responsible": (
        "Kun {agency}, der har ansvaret, eller tovholderen kan lukke {ref}.",
        "Only {agency}, which holds responsibility, or the lead can close {ref}.",
    ),
    "error.due_in_past": (
        "Fristen {due} er allerede overskredet; vælg en dato fra i dag.",
        "The due date {due} has already passed; choose a date from today on.",
    ),
    "error.unknown_decision": (
        "{ref} har ingen beslutning nr. {number}.",
        "{ref} has no decision no. {number}.",
    ),
    "error.not_owner": (
        "Beslutning nr. {number} ejes af {agency}; kun dem eller tovholderen kan melde den udført.",
        "Decision no. {number} is owned by {agency}; only they or the lead can mark it done.",
    ),
    "error.unknown_escalation": (
        "Gruppen har ingen eskalering nr. {number}.",
        "The group has no escalation no. {number}.",
    ),
    "error.unknown_member": (
        "«{user}» er ikke medlem af gruppen.",
        "«{user}» is not a member of the group.",
    ),
    "error.last_lead": (
        "Gruppen skal have mindst én tovholder; udpeg en ny først.",
        "The group must keep at least one lead; appoint another first.",
    ),
    "error.room_bound": (
        "Dette rum er allerede bundet til gruppen «{group}».",
        "This room is already bound to the group «{group}».",
    ),
    "error.prefix_mismatch": (
        "Gruppen «{group}» findes og bruger præfikset {prefix}.",
        "The group «{group}» exists and uses the prefix {prefix}.",
    ),
    "error.internal": (
        "Der skete en intern fejl; intet blev ændret. Prøv igen, eller kontakt administratoren.",
        "An internal error occurred; nothing was changed. Try again, or contact the admin.",
    ),
    "error.database_busy": (
        "Databasen er optaget af en anden proces lige nu; intet blev ændret. Prøv igen om lidt.",
        "The database is busy with another process right now; nothing was changed. "
        "Try again in a moment.",
    ),
    "error.busy": (
        "Sagen blev ændret af andre samtidig; prøv igen.",
        "The case was being changed by others at the same time; try again.",
    ),
}
