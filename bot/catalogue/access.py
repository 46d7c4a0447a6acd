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
        "Revisionsspor for {who} i {group}: {count} handlinger:",
        "Audit trail of {who} in {group}: {count} actions:",
    ),
    "audit.member_head_since": (
        "Revisionsspor for {who} i {group} siden {since}: {count} handlinger:",
        "Audit trail of {who} in {group} since {since}: {count} actions:",
    ),
    "audit.latest": ("(de seneste {count} vises)", "(the latest {count} shown)"),
}
