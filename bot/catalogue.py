"""The message catalogue: key -> (Danish, English). Placeholders use str.format names."""

from __future__ import annotations

CATALOGUE: dict[str, tuple[str, str]] = {
    # --- names -----------------------------------------------------------------------
    "agency.police": ("politi", "police"),
    "agency.social": ("socialforvaltning", "social services"),
    "agency.psychiatry": ("psykiatri", "psychiatry"),
    "agency.probation": ("kriminalforsorg", "probation service"),
    "agency.school": ("skole", "school"),
    "agency.gp": ("praktiserende læge", "GP"),
    "agency.housing": ("boligselskab", "housing association"),
    "agency.none": ("ingen", "none"),
    "urgency.acute": ("akut", "acute"),
    "urgency.urgent": ("haster", "urgent"),
    "urgency.normal": ("normal", "normal"),
    "status.open": ("åben", "open"),
    "status.closed": ("lukket", "closed"),
    "role.rep": ("fast repræsentant", "representative"),
    "role.deputy": ("stedfortræder", "deputy"),
    "role.lead": ("tovholder", "lead"),
    "detail.full": ("fuld detalje", "full detail"),
    "detail.minimal": ("minimal detalje", "minimal detail"),
    "purpose.operative": ("operativt rum", "operative room"),
    "purpose.steering": ("styregrupperum", "steering room"),
    "scope.open": ("åbne sager", "open cases"),
    "scope.mine": ("mit myndigheds sager", "my agency's cases"),
    "scope.closed": ("lukkede sager", "closed cases"),
    "scope.all": ("alle sager", "all cases"),
    "tag.threat": ("truende adfærd", "threatening behaviour"),
    "tag.violent": ("voldsomt udadreagerende", "violent"),
    "tag.danger": ("til fare for sig selv eller andre", "danger to self or others"),
    "tag.children": ("børn/familie har brug for hjælp", "children/family need help"),
    "tag.crime": ("i kriminalitet", "involved in crime"),
    "tag.no-insight": ("erkender ikke egen situation", "no insight into own situation"),
    "tag.housing": ("risiko for at miste bolig", "at risk of losing home"),
    "tag.complaints": ("3. person klager", "third-party complaints"),
    "tag.isolated": ("isoleret i egen bolig", "isolated in own home"),
    "tag.multiple": ("flere samtidige problemer", "several problems at once"),
    "tag.youth": ("ung", "young person"),
    "tag.radicalisation": ("radikalisering", "radicalisation"),
    "tag.gang": ("bande", "gang"),
    "word.none": ("ingen", "none"),
    "what.urgency": ("hastegrad", "urgency"),
    "what.summary": ("resumé", "summary"),
    "what.case": ("sagsnummer", "case ref"),
    "what.agency": ("myndighed", "agency"),
    "what.decision": ("beslutningstekst", "decision text"),
    "what.decision-no": ("beslutningsnummer", "decision number"),
    "what.reason": ("begrundelse", "reason"),
    "what.text": ("tekst", "text"),
    "what.resolution": ("løsning", "resolution"),
    "what.subcommand": ("underkommando", "subcommand"),
    "what.user": ("bruger", "user"),
    "what.name": ("navn", "name"),
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
        "Ukendt rolle «{role}». Brug rep, deputy eller lead.",
        "Unknown role «{role}». Use rep, deputy or lead.",
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
        "--fallback-owner kræver også --fallback med planen.",
        "--fallback-owner needs --fallback with the plan too.",
    ),
    "error.bad_user": (
        "«{user}» er ikke en bruger på denne platform.",
        "«{user}» is not a user on this platform.",
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
    "error.busy": (
        "Sagen blev ændret af andre samtidig; prøv igen.",
        "The case was being changed by others at the same time; try again.",
    ),
    # --- case lifecycle --------------------------------------------------------------
    "case.headline": (
        "{icon} {ref} · {urgency} · {status} · ansvar: {responsible}",
        "{icon} {ref} · {urgency} · {status} · responsible: {responsible}",
    ),
    "alert.full": (
        "{icon} {urgency}: ny sag {ref} meldt af {agency} ({who}): {summary}\n"
        "Afventer kvittering fra: {waiting}",
        "{icon} {urgency}: new case {ref} flagged by {agency} ({who}): {summary}\n"
        "Awaiting acknowledgement from: {waiting}",
    ),
    "alert.minimal": (
        "{icon} {urgency}: ny sag {ref} meldt af {agency}.\nAfventer kvittering fra: {waiting}",
        "{icon} {urgency}: new case {ref} flagged by {agency}.\n"
        "Awaiting acknowledgement from: {waiting}",
    ),
    "action.ack": ("Kvittér", "Acknowledge"),
    "action.take": ("Overtag ansvar", "Take responsibility"),
    "action.show": ("Vis", "Show"),
    "ack.done": (
        "✅ {agency} har kvitteret for {ref} ({who}). Mangler: {waiting}",
        "✅ {agency} acknowledged {ref} ({who}). Still waiting for: {waiting}",
    ),
    "ack.already": (
        "{agency} har allerede kvitteret for {ref}; intet ændret.",
        "{agency} has already acknowledged {ref}; nothing changed.",
    ),
    "assign.done": (
        "{ref}: ansvaret ligger nu hos {agency} (sat af {who}).",
        "{ref}: responsibility now lies with {agency} (set by {who}).",
    ),
    "assign.proposed": (
        "{ref}: {who} foreslår, at {agency} overtager ansvaret (nu: {current}). "
        "{agency} svarer med `accept {ref}` eller `decline {ref} <begrundelse>`.",
        "{ref}: {who} proposes that {agency} takes responsibility (now: {current}). "
        "{agency} answers with `accept {ref}` or `decline {ref} <reason>`.",
    ),
    "accept.done": (
        "{ref}: {agency} har accepteret og har nu ansvaret ({who}).",
        "{ref}: {agency} accepted and now holds responsibility ({who}).",
    ),
    "decline.done": (
        "{ref}: {agency} har afvist forslaget ({who}); ansvaret forbliver hos {current}.",
        "{ref}: {agency} declined the proposal ({who}); responsibility stays with {current}.",
    ),
    "take.done": (
        "{ref}: {agency} har overtaget ansvaret ({who}).",
        "{ref}: {agency} has taken responsibility ({who}).",
    ),
    "close.done": (
        "{ref} er lukket med en løsning ({who}).",
        "{ref} is closed with a resolution ({who}).",
    ),
    "reopen.done": ("{ref} er genåbnet ({who}).", "{ref} has been reopened ({who})."),
    "decide.done": (
        "{ref}: beslutning nr. {number} registreret ({who}).",
        "{ref}: decision no. {number} recorded ({who}).",
    ),
    "decision.owner": ("ejer: {agency}", "owner: {agency}"),
    "decision.due": ("frist: {due}", "due: {due}"),
    "decision.fallback": (
        "hvis planen glipper: {fallback} ({agency})",
        "if the plan slips: {fallback} ({agency})",
    ),
    "decision.done": ("✔ udført", "✔ done"),
    "done.done": (
        "{ref}: beslutning nr. {number} er udført ({who}).",
        "{ref}: decision no. {number} is done ({who}).",
    ),
    "done.already": (
        "{ref}: beslutning nr. {number} var allerede meldt udført; intet ændret.",
        "{ref}: decision no. {number} was already marked done; nothing changed.",
    ),
    "note.done": ("{ref}: notat nr. {number} gemt.", "{ref}: note no. {number} saved."),
    "escalate.post": (
        "⬆️ Eskalering nr. {number} fra operativ gruppe «{group}» ({agency}, {who}):\n{text}",
        "⬆️ Escalation no. {number} from operative group «{group}» ({agency}, {who}):\n{text}",
    ),
    "escalate.minimal": (
        "⬆️ Eskalering nr. {number} fra operativ gruppe «{group}».",
        "⬆️ Escalation no. {number} from operative group «{group}».",
    ),
    "escalate.sent": (
        "Eskalering nr. {number} er registreret og sendt til styregruppen.",
        "Escalation no. {number} is recorded and sent to the steering group.",
    ),
    "escalate.recorded": (
        "Eskalering nr. {number} er registreret. Gruppen har intet styregrupperum endnu, så "
        "den kommer på næste dagsorden.",
        "Escalation no. {number} is recorded. The group has no steering room yet, so it goes "
        "on the next agenda.",
    ),
    # --- show and list ---------------------------------------------------------------
    "show.acks": (
        "Kvitteret: {acked} · mangler: {missing}",
        "Acknowledged: {acked} · missing: {missing}",
    ),
    "show.proposed": (
        "Forslag: {agency} overtager (afventer svar)",
        "Proposal: {agency} to take over (awaiting answer)",
    ),
    "show.minimal_room": (
        "(Dette rum viser kun minimal detalje.)",
        "(This room shows minimal detail only.)",
    ),
    "show.summary": ("Resumé: {summary}", "Summary: {summary}"),
    "show.purged": (
        "Sagens tekster er slettet efter opbevaringsfristen ({at}); kun statistikken er tilbage.",
        "The case's texts were deleted when the retention period ended ({at}); only the "
        "statistics remain.",
    ),
    "show.tags": ("Karakteristika: {tags}", "Characteristics: {tags}"),
    "show.flagged": (
        "Meldt af {agency} ({who}) {at}",
        "Flagged by {agency} ({who}) {at}",
    ),
    "show.decisions": ("Beslutninger:", "Decisions:"),
    "show.notes": ("Notater:", "Notes:"),
    "show.history": ("Ansvarshistorik:", "Responsibility history:"),
    "show.resolution": ("Løsning: {resolution}", "Resolution: {resolution}"),
    "history.take": ("{at}: {agency} overtog ({who})", "{at}: {agency} took over ({who})"),
    "history.assign": (
        "{at}: tildelt {agency} af tovholder ({who})",
        "{at}: assigned to {agency} by the lead ({who})",
    ),
    "history.accept": (
        "{at}: {agency} accepterede forslaget ({who})",
        "{at}: {agency} accepted the proposal ({who})",
    ),
    "history.decline": (
        "{at}: {agency} afviste forslaget ({who})",
        "{at}: {agency} declined the proposal ({who})",
    ),
    "list.head": ("{scope}: {count}", "{scope}: {count}"),
    "list.empty": ("Ingen {scope}.", "No {scope}."),
    "list.more": ("… og {count} flere.", "… and {count} more."),
    "audit.head": (
        "Revisionsspor for {ref} (seneste {count}):",
        "Audit trail of {ref} (latest {count}):",
    ),
    # --- members and groups ----------------------------------------------------------
    "member.added": (
        "{who} er tilføjet som {role} for {agency}.",
        "{who} added as {role} for {agency}.",
    ),
    "member.updated": (
        "{who} er nu {role} for {agency}.",
        "{who} is now {role} for {agency}.",
    ),
    "member.unchanged": (
        "{who} er allerede medlem sådan; intet ændret.",
        "{who} is already a member like that; nothing changed.",
    ),
    "member.removed": ("{who} er fjernet fra gruppen.", "{who} removed from the group."),
    "member.list_head": ("Medlemmer af «{group}» ({count}):", "Members of «{group}» ({count}):"),
    "group.created": (
        "Gruppen «{group}» er oprettet (sagsnumre {prefix}-…); dette rum er bundet som "
        "{purpose} med {detail}.",
        "Group «{group}» created (case refs {prefix}-…); this room is bound as {purpose} "
        "with {detail}.",
    ),
    "group.bound": (
        "Dette rum er nu bundet til gruppen «{group}» som {purpose} med {detail}.",
        "This room is now bound to the group «{group}» as {purpose} with {detail}.",
    ),
    "group.next_step": (
        "Næste skridt: `member add <@bruger> <myndighed> lead` for gruppens tovholder.",
        "Next step: `member add <@user> <agency> lead` for the group's lead.",
    ),
    # --- help ------------------------------------------------------------------------
    "help.head": ("Kommandoer:", "Commands:"),
    "help.tail": (
        "`help <kommando>` forklarer en kommando. Skriv aldrig navne eller CPR-numre.",
        "`help <command>` explains one command. Never write names or CPR numbers.",
    ),
    "help.words": ("Kan også skrives: {words}", "Also written: {words}"),
    "usage.help": ("help [kommando]", "help [command]"),
    "usage.flag": (
        "flag <akut|haster|normal> <resumé…> [#karakteristik…]",
        "flag <acute|urgent|normal> <summary…> [#tag…]",
    ),
    "usage.ack": ("ack <sag>", "ack <case>"),
    "usage.assign": ("assign <sag> <myndighed> [@medlem]", "assign <case> <agency> [@member]"),
    "usage.accept": ("accept <sag>", "accept <case>"),
    "usage.decline": ("decline <sag> <begrundelse…>", "decline <case> <reason…>"),
    "usage.take": ("take <sag>", "take <case>"),
    "usage.decide": (
        "decide <sag> <tekst…> [--owner M] [--due ÅÅÅÅ-MM-DD] [--fallback TEKST] "
        "[--fallback-owner M]",
        "decide <case> <text…> [--owner A] [--due YYYY-MM-DD] [--fallback TEXT] "
        "[--fallback-owner A]",
    ),
    "usage.done": ("done <sag> <beslutningsnr>", "done <case> <decision-no>"),
    "usage.note": ("note <sag> <tekst…>", "note <case> <text…>"),
    "usage.show": ("show <sag>", "show <case>"),
    "usage.list": ("list [open|mine|closed|all]", "list [open|mine|closed|all]"),
    "usage.close": ("close <sag> <løsning…>", "close <case> <resolution…>"),
    "usage.reopen": ("reopen <sag> <begrundelse…>", "reopen <case> <reason…>"),
    "usage.member": (
        "member add <@bruger> <myndighed> [rep|deputy|lead] | member remove <@bruger> | "
        "member list",
        "member add <@user> <agency> [rep|deputy|lead] | member remove <@user> | member list",
    ),
    "usage.group": (
        "group setup <navn> [--kind psp|ssp|sspplus|ksp] [--prefix PSP] [--detail full|minimal] "
        "[--room operative|steering]",
        "group setup <name> [--kind psp|ssp|sspplus|ksp] [--prefix PSP] [--detail full|minimal] "
        "[--room operative|steering]",
    ),
    "usage.escalate": ("escalate <tekst…>", "escalate <text…>"),
    "usage.audit": ("audit <sag>", "audit <case>"),
    "help.help": ("Viser kommandoerne.", "Shows the commands."),
    "help.flag": (
        "Melder en hastesag mellem møderne; de andre myndigheders repræsentanter får besked "
        "og skal kvittere.",
        "Flags an urgent case between meetings; the other agencies' representatives are "
        "notified and asked to acknowledge.",
    ),
    "help.ack": (
        "Kvitterer for din myndighed: I har set sagen.",
        "Acknowledges for your agency: you have seen the case.",
    ),
    "help.assign": (
        "Foreslår en myndighed ansvaret; den svarer med accept/decline. Tovholderens tildeling "
        "gælder straks.",
        "Proposes an agency for responsibility; it answers with accept/decline. The lead's "
        "assignment takes effect at once.",
    ),
    "help.accept": ("Din myndighed accepterer ansvaret.", "Your agency accepts responsibility."),
    "help.decline": (
        "Din myndighed afviser forslaget, med begrundelse.",
        "Your agency declines the proposal, with a reason.",
    ),
    "help.take": (
        "Din myndighed overtager ansvaret straks.",
        "Your agency takes responsibility now.",
    ),
    "help.decide": (
        "Registrerer en beslutning med ejer, frist og plan for hvis borgeren ikke samarbejder.",
        "Records a decision with owner, due date and a plan for when the citizen does not "
        "cooperate.",
    ),
    "help.done": ("Melder en beslutning udført.", "Marks a decision done."),
    "help.note": ("Tilføjer et notat til sagen.", "Adds a note to the case."),
    "help.show": ("Viser sagen.", "Shows the case."),
    "help.list": ("Lister sager.", "Lists cases."),
    "help.close": (
        "Lukker sagen med den fundne løsning; kræver en ansvarlig myndighed.",
        "Closes the case with the solution found; needs a responsible agency.",
    ),
    "help.reopen": ("Genåbner en lukket sag (tovholder).", "Reopens a closed case (lead)."),
    "help.member": (
        "Styrer gruppens medlemmer (tovholder).",
        "Manages the group's members (lead).",
    ),
    "help.group": (
        "Opretter en gruppe eller binder dette rum til den (administrator).",
        "Creates a group or binds this room to it (admin).",
    ),
    "help.escalate": (
        "Sender et systemisk problem til styregruppen.",
        "Sends a systemic problem to the steering group.",
    ),
    "help.audit": (
        "Viser hvem der har læst eller ændret sagen (tovholder).",
        "Shows who read or changed the case (lead).",
    ),
    # --- matrix adapter ---
    "matrix.cannot_redact": (
        "Jeg kan ikke skjule beskeder med CPR-numre i dette rum: giv mig rettigheden til at "
        "fjerne beskeder (moderator).",
        "I cannot remove messages holding CPR numbers in this room: give me the power to "
        "redact messages (moderator).",
    ),
    "matrix.undecryptable": (
        "{user}: jeg kunne ikke læse din besked (den var krypteret med nøgler jeg ikke har "
        "fået). Send den venligst igen.",
        "{user}: I could not read your message (it was encrypted with keys I was not given). "
        "Please send it again.",
    ),
    "matrix.master_key_changed": (
        "Sikkerhedsadvarsel: {user} har fået en ny krypteringsidentitet. Jeg deler ikke "
        "nøgler med vedkommende, før en administrator har bekræftet skiftet.",
        "Security warning: {user} has a new encryption identity. I share no keys with them "
        "until an administrator has confirmed the change.",
    ),
    # --- data protection ---
    "retention.stale": (
        "Til tovholderen: {count} åbne sager er ikke rørt i {days} dage eller mere: {refs}. "
        "Luk dem med en løsning, eller skriv et notat om hvorfor de stadig er åbne.",
        "To the group lead: {count} open cases have not been touched for {days} days or more: "
        "{refs}. Close them with a resolution, or note why they are still open.",
    ),
    # --- scheduling: meetings, reminders, escalation, decision follow-up ---
    "usage.meeting": (
        "meeting schedule <ÅÅÅÅ-MM-DD TT:MM> [--every week|2weeks|month | --rrule REGEL] "
        "[--theme TEKST] [--remind 7d,1d,1h] | meeting list | meeting agenda [nr] | "
        "meeting cancel <nr> [ÅÅÅÅ-MM-DD|all] | meeting ics",
        "meeting schedule <YYYY-MM-DD HH:MM> [--every week|2weeks|month | --rrule RULE] "
        "[--theme TEXT] [--remind 7d,1d,1h] | meeting list | meeting agenda [no] | "
        "meeting cancel <no> [YYYY-MM-DD|all] | meeting ics",
    ),
    "help.meeting": (
        "Planlægger gruppens møder med påmindelser og dagsorden; kalenderfil med `meeting ics`.",
        "Schedules the group's meetings with reminders and an agenda; calendar file with "
        "`meeting ics`.",
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
        "Kalender for {group}: {count} møder (iCalendar-fil vedhæftet; kan importeres i "
        "Outlook og Google Kalender).",
        "Calendar of {group}: {count} meetings (iCalendar file attached; imports into Outlook "
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
    "agenda.no_cases": ("Ingen åbne sager.", "No open cases."),
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
        "📋 Dagsorden, møde nr. {number} {when}: {cases} åbne sager, {decisions} beslutninger "
        "at følge op. Se detaljer i gruppens sikre rum.",
        "📋 Agenda, meeting no. {number} on {when}: {cases} open cases, {decisions} decisions "
        "to follow up. Details in the group's secure room.",
    ),
    "reminder.text": (
        "🔔 {late}Påmindelse: møde nr. {number} {when} (om {left}).",
        "🔔 {late}Reminder: meeting no. {number} on {when} (in {left}).",
    ),
    "reminder.late": ("[forsinket] ", "[late] "),
    "time.days": ("{n} dage", "{n} days"),
    "time.day": ("1 dag", "1 day"),
    "time.hours": ("{n} timer", "{n} hours"),
    "time.hour": ("1 time", "1 hour"),
    "time.minutes": ("{n} minutter", "{n} minutes"),
    "time.minute": ("1 minut", "1 minute"),
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
        "📌 Opfølgning {date}: {due} beslutninger med frist snart, {overdue} overskredet.",
        "📌 Follow-up {date}: {due} decisions due soon, {overdue} overdue.",
    ),
    # --- slack ---
    "slack.refused_team": (
        "Dette Slack-workspace er ikke godkendt til psp-bot; intet er ændret.",
        "This Slack workspace is not approved for psp-bot; nothing was changed.",
    ),
    "slack.invite_first": (
        "Jeg kan ikke se denne kanal. Invitér mig først med `/invite @psp-bot`; intet er ændret.",
        "I cannot see this channel. Invite me first with `/invite @psp-bot`; nothing was changed.",
    ),
    "slack.modal.flag_title": ("Meld en sag", "Flag a case"),
    "slack.modal.decide_title": ("Beslutning", "Decision"),
    "slack.modal.submit": ("Send", "Submit"),
    "slack.modal.cancel": ("Annullér", "Cancel"),
    "slack.modal.urgency": ("Hastegrad", "Urgency"),
    "slack.modal.summary": (
        "Kort beskrivelse (ingen navne eller CPR-numre)",
        "Short summary (no names or CPR numbers)",
    ),
    "slack.modal.tags": ("Kendetegn", "Characteristics"),
    "slack.modal.case": ("Sag {ref}", "Case {ref}"),
    "slack.modal.decision": ("Beslutning", "Decision"),
    "slack.modal.owner": ("Ejer (myndighed)", "Owner agency"),
    "slack.modal.due": ("Frist", "Due date"),
    "slack.modal.fallback": (
        "Plan hvis borgeren ikke samarbejder",
        "Fallback plan if the citizen does not cooperate",
    ),
    "slack.modal.fallback_owner": ("Ejer af planen", "Fallback owner"),
}
