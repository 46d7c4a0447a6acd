"""The case lifecycle, show and list, members and groups: key -> (Danish, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
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
    "alert.acknowledged": ("Kvitteret: {agencies}", "Acknowledged by: {agencies}"),
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
    "escalate.handled": (
        "Eskalering nr. {number} er markeret som behandlet og kommer ikke længere på dagsordenen.",
        "Escalation no. {number} is marked handled and leaves the agenda.",
    ),
    "escalate.already_handled": (
        "Eskalering nr. {number} var allerede markeret som behandlet; intet ændret.",
        "Escalation no. {number} was already marked handled; nothing changed.",
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
    "reply.cut": (
        "… {lines}: svaret ville blive for langt til en chatbesked.",
        "… {lines}: the answer would be too long for one chat message.",
    ),
    "list.head": ("{scope}: {count}", "{scope}: {count}"),
    "list.head_page": ("{scope}: {count} (side {page})", "{scope}: {count} (page {page})"),
    "list.over": ("over {count}", "more than {count}"),
    "list.of_agency": ("{scope} hos {agency}", "{scope} held by {agency}"),
    "list.empty": ("Ingen {scope}.", "No {scope}."),
    "list.empty_page": (
        "Ingen {scope} på side {page}; der er {count}.",
        "No {scope} on page {page}; there are {count}.",
    ),
    "list.more": ("… og {more}.", "… and {more}."),
    "list.more_hint": (
        "… og {more}: `list {scope} --side {next}`, eller afgræns med `--myndighed <myndighed>`.",
        "… and {more}: `list {scope} --page {next}`, or narrow with `--agency <agency>`.",
    ),
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
}
