"""Need-to-know: who can hold action responsibility, and the access log: key -> (Danish,
English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "word.or": ("{first} eller {last}", "{first} or {last}"),
    "error.not_authority": (
        "Kun {authorities} kan have handleansvaret i denne gruppe; {agency} kan ikke.",
        "Only {authorities} can hold action responsibility in this group; {agency} cannot.",
    ),
    "error.close_outside_authorities": (
        "{ref} ligger hos {agency}, som ikke kan have handleansvaret her; giv sagen til "
        "{authorities} før den lukkes.",
        "{ref} is held by {agency}, which cannot hold action responsibility here; assign it to "
        "{authorities} before closing it.",
    ),
    "error.authorities_empty": (
        "Nævn mindst én myndighed, fx `group authorities politi social psykiatri`.",
        "Name at least one agency, e.g. `group authorities police social psychiatry`.",
    ),
    "error.never_authority": (
        "{agency} deltager under sin tavshedspligt, men kan aldrig have handleansvaret.",
        "{agency} takes part under its duty of confidentiality but can never hold action "
        "responsibility.",
    ),
    "group.authorities": (
        "I {group} kan {authorities} have handleansvaret.",
        "In {group}, action responsibility can be held by {authorities}.",
    ),
    "group.authorities_kind": (
        "(standard for {kind}; tovholderen ændrer det med `group authorities <myndighed…>`)",
        "(the {kind} default; the lead changes it with `group authorities <agency…>`)",
    ),
    "group.authorities_set": (
        "Fra nu af kan {authorities} have handleansvaret i {group}.",
        "From now on, action responsibility in {group} can be held by {authorities}.",
    ),
    "help.authorities": (
        "Handleansvar her: {authorities}.",
        "Action responsibility here: {authorities}.",
    ),
    "audit.removed": ("fjernet", "removed"),
    "audit.cli": ("kommandolinjen ({operator})", "command line ({operator})"),
    "audit.nowhere": ("kommandolinjen", "command line"),
    "audit.member_head": (
        "Revisionsspor for {who} i {group}: {actions}:",
        "Audit trail of {who} in {group}: {actions}:",
    ),
    "audit.member_head_since": (
        "Revisionsspor for {who} i {group} siden {since}: {actions}:",
        "Audit trail of {who} in {group} since {since}: {actions}:",
    ),
    "audit.latest": ("(de seneste {count} vises)", "(the latest {count} shown)"),
    "audit.guest": ("gæst", "guest"),
    "role.guest": ("gæst", "guest"),
    "usage.guest": (
        "guest add <sag> <@bruger> <myndighed> [--until ÅÅÅÅ-MM-DD] | guest remove <sag> "
        "<@bruger> | guest list <sag>",
        "guest add <case> <@user> <agency> [--until YYYY-MM-DD] | guest remove <case> <@user> | "
        "guest list <case>",
    ),
    "help.guest": (
        "Giver en gæst (fx egen læge, boligselskab, kriminalforsorg, en kollega) adgang til én "
        "sag: `show`, `note` og `ack` af netop den sag, højst 30 dage (tovholderen eller den "
        "ansvarlige myndighed).",
        "Gives a guest (e.g. a GP, a housing association, probation, a colleague) access to one "
        "case: `show`, `note` and `ack` of that case only, for at most 30 days (the lead or the "
        "responsible agency).",
    ),
    "error.guest_only": (
        "Som gæst kan du kun bruge `show`, `note` og `ack` på den sag, du er inviteret til, og "
        "`list`.",
        "As a guest you can only `show`, `note` and `ack` the case you were invited to, and "
        "`list`.",
    ),
    "error.guest_manager": (
        "Kun tovholderen eller {agency}, der har ansvaret for {ref}, kan invitere eller fjerne "
        "gæster.",
        "Only the lead or {agency}, which holds responsibility for {ref}, can invite or remove "
        "guests.",
    ),
    "error.guest_manager_lead": (
        "Ingen myndighed har ansvaret for {ref} endnu; kun tovholderen kan invitere gæster.",
        "No agency holds responsibility for {ref} yet; only the lead can invite guests.",
    ),
    "error.guest_is_member": (
        "{who} er allerede medlem af gruppen og ser sagerne.",
        "{who} is already a member of the group and sees its cases.",
    ),
    "error.guest_until_past": (
        "{until} er allerede passeret; vælg en dato fra i dag.",
        "{until} has already passed; choose a date from today on.",
    ),
    "error.guest_until_far": (
        "En gæst får adgang i højst 30 dage: senest til {latest}.",
        "A guest gets access for at most 30 days: until {latest} at the latest.",
    ),
    "error.not_guest": (
        "«{user}» er ikke gæst i {ref}.",
        "«{user}» is not a guest of {ref}.",
    ),
    "guest.added": (
        "{who} ({agency}) kan nu se, notere og kvittere i {ref} til og med {until} — intet andet.",
        "{who} ({agency}) may now show, note and ack {ref} until {until} inclusive — nothing else.",
    ),
    "guest.removed": (
        "{who} har ikke længere adgang til {ref}.",
        "{who} no longer has access to {ref}.",
    ),
    "guest.none": ("{ref} har ingen gæster.", "{ref} has no guests."),
    "guest.head": ("Gæster i {ref} ({count}):", "Guests of {ref} ({count}):"),
    "guest.row": (
        "{who} ({agency}, {platform}) til og med {until}",
        "{who} ({agency}, {platform}) until {until}",
    ),
}
