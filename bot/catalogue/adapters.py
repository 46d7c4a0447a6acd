"""Texts only the chat adapters say (Matrix, Slack): key -> (Danish, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
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
    "matrix.new_device": (
        "Jeg kører nu på en ny enhed ({device}) med en ny krypteringsidentitet: driften har "
        "fornyet mit nøglelager. Viser din klient mig som ny eller ændret, er det derfor.",
        "I now run on a new device ({device}) with a new encryption identity: the operator "
        "renewed my key store. If your client shows me as new or changed, that is why.",
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
    "slack.modal.error.cpr": (
        "Feltet indeholder et CPR-nummer. Fjern det — skriv aldrig navn eller CPR-nummer.",
        "This field contains a CPR number. Remove it — never write a name or CPR number.",
    ),
    "slack.modal.error.unreadable": (
        "Feltet indeholder tegn jeg ikke kan læse (styretegn eller ødelagt tegnkodning). "
        "Skriv det som almindelig tekst.",
        "This field contains characters I cannot read (control characters or broken "
        "encoding). Type it as plain text.",
    ),
    "slack.modal.error.required": ("Skriv noget her.", "Please fill this in."),
    "slack.modal.error.fallback_needed": (
        "Skriv planen, når du vælger dens ejer.",
        "Write the fallback plan when you choose its owner.",
    ),
    "slack.modal.cpr_removed": (
        "Beskeden indeholdt et CPR-nummer; det er fjernet (…) og ikke gemt nogen steder. "
        "Skriv aldrig navn eller CPR-nummer.",
        "The message contained a CPR number; it was removed (…) and is not stored anywhere. "
        "Never write a name or CPR number.",
    ),
    "slack.modal.message_refused": (
        "Beskedens tekst kan ikke bruges (CPR-nummer eller ulæselige tegn) og er ikke "
        "gemt. Skriv en kort beskrivelse uden navn eller CPR-nummer.",
        "The message's text cannot be used (a CPR number or unreadable characters) and was "
        "not stored. Write a short summary without a name or CPR number.",
    ),
}
