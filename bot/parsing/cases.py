"""Parsers of the case, member, group and escalation verbs: each takes the words after the
verb and returns a command value or raises ParseRefusal."""

from __future__ import annotations

from collections.abc import Callable

from bot import commands as c
from bot.domain import (
    AGENCY_ALIASES,
    ROLE_ALIASES,
    TAG_ALIASES,
    URGENCY_ALIASES,
    Agency,
    DetailLevel,
    GroupKind,
    Role,
    RoomPurpose,
    Tag,
    normalise_case_ref,
    valid_prefix,
)
from bot.parsing.tokens import (
    ParseRefusal,
    choice,
    free_text,
    iso_date,
    need,
    no_more,
    number,
    split_options,
)
from bot.parsing.verbs import WORD_TO_VERB


def _ref(token: str) -> str:
    ref = normalise_case_ref(token)
    if ref is None:
        raise ParseRefusal("error.bad_ref", ref=token[:40])
    return ref


# The case ref reader, for the other verbs' parsers.
case_ref = _ref


def _agency(token: str) -> Agency:
    agency = AGENCY_ALIASES.get(token.lower())
    if agency is None:
        raise ParseRefusal("error.bad_agency", agency=token[:40])
    return agency


def _role(token: str) -> Role:
    role = ROLE_ALIASES.get(token.lower())
    if role is None:
        raise ParseRefusal("error.bad_role", role=token[:40])
    return role


def _help(args: list[str]) -> c.Command:
    no_more(args, 1)
    if not args:
        return c.ShowHelp()
    verb = WORD_TO_VERB.get(args[0].lower())
    if verb is None:
        raise ParseRefusal("error.unknown_verb", verb=args[0][:40])
    return c.ShowHelp(verb)


def _flag(args: list[str]) -> c.Command:
    need(args, 1, "urgency")
    urgency = URGENCY_ALIASES.get(args[0].lower())
    if urgency is None:
        raise ParseRefusal("error.bad_urgency", urgency=args[0][:40])
    words: list[str] = []
    tags: list[Tag] = []
    for token in args[1:]:
        if token.startswith("#") and len(token) > 1 and not token[1:].isdigit():
            tag = TAG_ALIASES.get(token[1:].lower())
            if tag is None:
                raise ParseRefusal("error.bad_tag", tag=token[:40])
            if tag not in tags:
                tags.append(tag)
        else:
            words.append(token)
    return c.FlagCase(urgency, free_text(words, "summary"), tuple(tags))


def _ref_only(factory: Callable[[str], c.Command]) -> Callable[[list[str]], c.Command]:
    def parse_ref(args: list[str]) -> c.Command:
        need(args, 1, "case")
        no_more(args, 1)
        return factory(_ref(args[0]))

    return parse_ref


def _ref_and_text(
    factory: Callable[[str, str], c.Command], what: str
) -> Callable[[list[str]], c.Command]:
    def parse_ref_text(args: list[str]) -> c.Command:
        need(args, 1, "case")
        ref = _ref(args[0])
        return factory(ref, free_text(args[1:], what))

    return parse_ref_text


def _assign(args: list[str]) -> c.Command:
    need(args, 2, "agency" if args else "case")
    no_more(args, 3)
    member = args[2] if len(args) == 3 else None
    return c.AssignCase(_ref(args[0]), _agency(args[1]), member)


# Every option has its Danish name beside the English one (`--ejer` is `--owner`).
_DECIDE_OPTIONS = {
    "owner": "owner",
    "ejer": "owner",
    "due": "due",
    "frist": "due",
    "fallback": "fallback",
    "plan": "fallback",
    "fallback-owner": "fallback-owner",
    "plan-ejer": "fallback-owner",
}
_GROUP_OPTIONS = {
    "kind": "kind",
    "type": "kind",
    "prefix": "prefix",
    "præfiks": "prefix",
    "praefiks": "prefix",
    "detail": "detail",
    "detaljer": "detail",
    "room": "room",
    "rum": "room",
}


def _decide(args: list[str]) -> c.Command:
    positional, options = split_options(args, _DECIDE_OPTIONS)
    need(positional, 1, "case")
    ref = _ref(positional[0])
    text = free_text(positional[1:], "decision")
    owner = _agency(options["owner"]) if "owner" in options else None
    due = iso_date(options["due"]) if "due" in options else None
    fallback = options.get("fallback")
    fallback_owner = _agency(options["fallback-owner"]) if "fallback-owner" in options else None
    if fallback_owner is not None and fallback is None:
        raise ParseRefusal("error.fallback_owner_alone")
    return c.RecordDecision(ref, text, owner, due, fallback, fallback_owner)


def _done(args: list[str]) -> c.Command:
    need(args, 2, "decision-no" if args else "case")
    no_more(args, 2)
    return c.CompleteDecision(_ref(args[0]), number(args[1]))


_SCOPES = {
    "open": c.ListScope.OPEN,
    "åbne": c.ListScope.OPEN,
    "aabne": c.ListScope.OPEN,
    "mine": c.ListScope.MINE,
    "closed": c.ListScope.CLOSED,
    "lukkede": c.ListScope.CLOSED,
    "all": c.ListScope.ALL,
    "alle": c.ListScope.ALL,
}


# `list`'s options in both languages, each mapped to its English name.
_LIST_OPTIONS = {"agency": "agency", "myndighed": "agency", "page": "page", "side": "page"}


def _list(args: list[str]) -> c.Command:
    positional, options = split_options(args, _LIST_OPTIONS)
    no_more(positional, 1)
    scope = c.ListScope.OPEN
    if positional:
        found = _SCOPES.get(positional[0].lower())
        if found is None:
            raise ParseRefusal("error.bad_scope", scope=positional[0][:40])
        scope = found
    agency = _agency(options["agency"]) if "agency" in options else None
    if agency is not None and scope is c.ListScope.MINE:
        raise ParseRefusal("error.mine_and_agency")
    page = number(options["page"], key="error.bad_page") if "page" in options else 1
    return c.ListCases(scope, agency, page)


def _member(args: list[str]) -> c.Command:
    need(args, 1, "subcommand")
    sub = args[0].lower()
    rest = args[1:]
    if sub in ("add", "tilføj", "tilfoej"):
        need(rest, 2, "agency" if rest else "user")
        no_more(rest, 3)
        role = _role(rest[2]) if len(rest) == 3 else Role.REP
        return c.AddMember(rest[0], _agency(rest[1]), role)
    if sub in ("remove", "fjern"):
        need(rest, 1, "user")
        no_more(rest, 1)
        return c.RemoveMember(rest[0])
    if sub in ("list", "liste"):
        no_more(rest, 0)
        return c.ListMembers()
    raise ParseRefusal("error.bad_subcommand", sub=sub[:40], choices="add, remove, list")


_KINDS = {kind.value: kind for kind in GroupKind}
_DETAILS = {"full": DetailLevel.FULL, "fuld": DetailLevel.FULL, "minimal": DetailLevel.MINIMAL}
_PURPOSES = {
    "operative": RoomPurpose.OPERATIVE,
    "operativ": RoomPurpose.OPERATIVE,
    "steering": RoomPurpose.STEERING,
    "styregruppe": RoomPurpose.STEERING,
}


_DEFAULT_WORDS = ("default", "standard")


def _authorities(args: list[str]) -> c.Command:
    """`group authorities [agency… | default]`: show or set who can hold responsibility."""
    if not args:
        return c.ShowAuthorities()
    if len(args) == 1 and args[0].lower() in _DEFAULT_WORDS:
        return c.SetAuthorities(None)
    return c.SetAuthorities(tuple(dict.fromkeys(_agency(token) for token in args)))


def _group(args: list[str]) -> c.Command:
    need(args, 1, "subcommand")
    if args[0].lower() in ("authorities", "myndigheder"):
        return _authorities(args[1:])
    if args[0].lower() not in ("setup", "opret"):
        raise ParseRefusal("error.bad_subcommand", sub=args[0][:40], choices="setup, authorities")
    positional, options = split_options(args[1:], _GROUP_OPTIONS)
    name = free_text(positional, "name")
    if len(name) > 80:
        raise ParseRefusal("error.name_too_long", max="80")
    kind = choice(_KINDS, options["kind"], "--kind") if "kind" in options else GroupKind.PSP
    prefix = options.get("prefix")
    if prefix is not None:
        prefix = prefix.upper()
        if not valid_prefix(prefix):
            raise ParseRefusal("error.bad_prefix", prefix=prefix[:20])
    detail = choice(_DETAILS, options.get("detail", "full"), "--detail")
    purpose = choice(_PURPOSES, options.get("room", "operative"), "--room")
    return c.SetUpGroup(name, kind, prefix, detail, purpose)


def _escalate(args: list[str]) -> c.Command:
    # `escalate handled <n>`: the steering level has answered escalation n.
    if len(args) == 2 and args[0].lower() in ("handled", "håndteret", "haandteret"):
        return c.MarkEscalationHandled(number(args[1]))
    return c.EscalateProblem(free_text(args, "text"))


PARSERS: dict[str, Callable[[list[str]], c.Command]] = {
    "help": _help,
    "flag": _flag,
    "ack": _ref_only(c.AcknowledgeCase),
    "assign": _assign,
    "accept": _ref_only(c.AcceptAssignment),
    "decline": _ref_and_text(c.DeclineAssignment, "reason"),
    "take": _ref_only(c.TakeCase),
    "decide": _decide,
    "done": _done,
    "note": _ref_and_text(c.AddNote, "text"),
    "show": _ref_only(c.ShowCase),
    "list": _list,
    "close": _ref_and_text(c.CloseCase, "resolution"),
    "reopen": _ref_and_text(c.ReopenCase, "reason"),
    "member": _member,
    "group": _group,
    "escalate": _escalate,
    "audit": _ref_only(c.ShowAudit),
}
