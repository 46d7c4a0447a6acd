"""parse(text): one chat message to a command value, or a ParseError naming what was wrong.

Pure: no I/O, no database. Every refusal is a catalogue key plus parameters, so the reply is
localized by the caller.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from bot import commands as c
from bot.domain import (
    AGENCY_ALIASES,
    MAX_TEXT_LENGTH,
    ROLE_ALIASES,
    TAG_ALIASES,
    URGENCY_ALIASES,
    Agency,
    DetailLevel,
    GroupKind,
    Role,
    RoomPurpose,
    Tag,
    clean_text,
    normalise_case_ref,
    valid_prefix,
)
from bot.scheduling.parsing import parse_meeting

PREFIXES = ("!psp", "/psp")
_T = TypeVar("_T")


@dataclass(frozen=True)
class ParseError:
    key: str
    params: Mapping[str, str] = field(default_factory=dict)
    verb: str | None = None  # the verb whose usage line belongs with the error


class _Refusal(Exception):
    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


# Canonical verb -> every word that names it.
VERB_WORDS: dict[str, tuple[str, ...]] = {
    "help": ("help", "hjælp", "hjaelp", "?"),
    "flag": ("flag", "akut", "haster", "normal"),
    "ack": ("ack", "kvitter"),
    "assign": ("assign", "tildel"),
    "accept": ("accept", "accepter"),
    "decline": ("decline", "afvis"),
    "take": ("take", "overtag"),
    "decide": ("decide", "beslut"),
    "done": ("done", "udført", "udfoert"),
    "note": ("note", "notat"),
    "show": ("show", "vis"),
    "list": ("list", "liste"),
    "close": ("close", "luk"),
    "reopen": ("reopen", "genåbn", "genaabn"),
    "member": ("member", "medlem"),
    "group": ("group", "gruppe"),
    "escalate": ("escalate", "eskaler"),
    "audit": ("audit", "revision"),
    "meeting": ("meeting", "møde"),
}
WORD_TO_VERB: dict[str, str] = {w: verb for verb, words in VERB_WORDS.items() for w in words}


def strip_prefix(text: str) -> str | None:
    """The command text after a `!psp` or `/psp` prefix, or None if the text has none."""
    stripped = text.lstrip()
    for prefix in PREFIXES:
        if stripped.lower() == prefix:
            return ""
        if stripped.lower().startswith(prefix + " ") or stripped.lower().startswith(prefix + "\n"):
            return stripped[len(prefix) :].strip()
    return None


def parse(text: str) -> c.Command | ParseError:
    cleaned = clean_text(text).strip()
    without_prefix = strip_prefix(cleaned)
    if without_prefix is not None:
        cleaned = without_prefix
    if not cleaned:
        return ParseError("error.empty")
    if len(cleaned) > MAX_TEXT_LENGTH:
        return ParseError("error.too_long", {"max": str(MAX_TEXT_LENGTH)})
    try:
        tokens = shlex.split(cleaned)
    except ValueError:
        return ParseError("error.quotes")
    if not tokens:
        return ParseError("error.empty")
    word = tokens[0].lower()
    verb = WORD_TO_VERB.get(word)
    if verb is None:
        return _unknown_verb(word)
    args = tokens[1:]
    # `akut …`, `haster …` and `normal …` are flags with the urgency already said.
    if word in ("akut", "haster", "normal"):
        args = [word, *args]
    try:
        return _PARSERS[verb](args)
    except _Refusal as refusal:
        return ParseError(refusal.key, refusal.params, verb=verb)


def _unknown_verb(word: str) -> ParseError:
    close = difflib.get_close_matches(word, list(WORD_TO_VERB), n=1, cutoff=0.6)
    if close:
        return ParseError("error.unknown_verb_suggest", {"verb": word[:40], "suggest": close[0]})
    return ParseError("error.unknown_verb", {"verb": word[:40]})


# --- helpers ------------------------------------------------------------------------------


def _ref(token: str) -> str:
    ref = normalise_case_ref(token)
    if ref is None:
        raise _Refusal("error.bad_ref", ref=token[:40])
    return ref


def _agency(token: str) -> Agency:
    agency = AGENCY_ALIASES.get(token.lower())
    if agency is None:
        raise _Refusal("error.bad_agency", agency=token[:40])
    return agency


def _role(token: str) -> Role:
    role = ROLE_ALIASES.get(token.lower())
    if role is None:
        raise _Refusal("error.bad_role", role=token[:40])
    return role


def _date(token: str) -> date:
    try:
        if len(token) != 10:
            raise ValueError(token)
        return date.fromisoformat(token)
    except ValueError:
        raise _Refusal("error.bad_date", date=token[:40]) from None


def _text(tokens: list[str], what: str) -> str:
    text = " ".join(tokens).strip()
    if not text:
        raise _Refusal("error.missing", what=what)
    return text


def _need(args: list[str], count: int, what: str) -> None:
    if len(args) < count:
        raise _Refusal("error.missing", what=what)


def _no_more(args: list[str], count: int) -> None:
    if len(args) > count:
        raise _Refusal("error.extra", extra=" ".join(args[count:])[:60])


def _options(args: list[str], known: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
    """Split `--name value` options from positional words. Each option takes one value."""
    positional: list[str] = []
    options: dict[str, str] = {}
    index = 0
    while index < len(args):
        token = args[index]
        if token.startswith("--") and len(token) > 2:
            name = token[2:].lower()
            if name not in known:
                raise _Refusal("error.bad_option", option=token[:40])
            if index + 1 >= len(args) or not args[index + 1].strip():
                raise _Refusal("error.option_value", option=token)
            if name in options:
                raise _Refusal("error.option_twice", option=token)
            options[name] = args[index + 1]
            index += 2
            continue
        positional.append(token)
        index += 1
    return positional, options


# --- one parser per verb ------------------------------------------------------------------


def _help(args: list[str]) -> c.Command:
    _no_more(args, 1)
    if not args:
        return c.ShowHelp()
    verb = WORD_TO_VERB.get(args[0].lower())
    if verb is None:
        raise _Refusal("error.unknown_verb", verb=args[0][:40])
    return c.ShowHelp(verb)


def _flag(args: list[str]) -> c.Command:
    _need(args, 1, "urgency")
    urgency = URGENCY_ALIASES.get(args[0].lower())
    if urgency is None:
        raise _Refusal("error.bad_urgency", urgency=args[0][:40])
    words: list[str] = []
    tags: list[Tag] = []
    for token in args[1:]:
        if token.startswith("#") and len(token) > 1 and not token[1:].isdigit():
            tag = TAG_ALIASES.get(token[1:].lower())
            if tag is None:
                raise _Refusal("error.bad_tag", tag=token[:40])
            if tag not in tags:
                tags.append(tag)
        else:
            words.append(token)
    return c.FlagCase(urgency, _text(words, "summary"), tuple(tags))


def _ref_only(factory: Callable[[str], c.Command]) -> Callable[[list[str]], c.Command]:
    def parse_ref(args: list[str]) -> c.Command:
        _need(args, 1, "case")
        _no_more(args, 1)
        return factory(_ref(args[0]))

    return parse_ref


def _ref_and_text(
    factory: Callable[[str, str], c.Command], what: str
) -> Callable[[list[str]], c.Command]:
    def parse_ref_text(args: list[str]) -> c.Command:
        _need(args, 1, "case")
        ref = _ref(args[0])
        return factory(ref, _text(args[1:], what))

    return parse_ref_text


def _assign(args: list[str]) -> c.Command:
    _need(args, 2, "agency" if args else "case")
    _no_more(args, 3)
    member = args[2] if len(args) == 3 else None
    return c.AssignCase(_ref(args[0]), _agency(args[1]), member)


def _decide(args: list[str]) -> c.Command:
    positional, options = _options(args, ("owner", "due", "fallback", "fallback-owner"))
    _need(positional, 1, "case")
    ref = _ref(positional[0])
    text = _text(positional[1:], "decision")
    owner = _agency(options["owner"]) if "owner" in options else None
    due = _date(options["due"]) if "due" in options else None
    fallback = options.get("fallback")
    fallback_owner = _agency(options["fallback-owner"]) if "fallback-owner" in options else None
    if fallback_owner is not None and fallback is None:
        raise _Refusal("error.fallback_owner_alone")
    return c.RecordDecision(ref, text, owner, due, fallback, fallback_owner)


def _number(token: str) -> int:
    number = token.lstrip("#")
    if not number.isascii() or not number.isdigit() or not 0 < int(number) < 1_000_000:
        raise _Refusal("error.bad_number", number=token[:20])
    return int(number)


def _done(args: list[str]) -> c.Command:
    _need(args, 2, "decision-no" if args else "case")
    _no_more(args, 2)
    return c.CompleteDecision(_ref(args[0]), _number(args[1]))


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


def _list(args: list[str]) -> c.Command:
    _no_more(args, 1)
    if not args:
        return c.ListCases()
    scope = _SCOPES.get(args[0].lower())
    if scope is None:
        raise _Refusal("error.bad_scope", scope=args[0][:40])
    return c.ListCases(scope)


def _member(args: list[str]) -> c.Command:
    _need(args, 1, "subcommand")
    sub = args[0].lower()
    rest = args[1:]
    if sub in ("add", "tilføj", "tilfoej"):
        _need(rest, 2, "agency" if rest else "user")
        _no_more(rest, 3)
        role = _role(rest[2]) if len(rest) == 3 else Role.REP
        return c.AddMember(rest[0], _agency(rest[1]), role)
    if sub in ("remove", "fjern"):
        _need(rest, 1, "user")
        _no_more(rest, 1)
        return c.RemoveMember(rest[0])
    if sub in ("list", "liste"):
        _no_more(rest, 0)
        return c.ListMembers()
    raise _Refusal("error.bad_subcommand", sub=sub[:40], choices="add, remove, list")


_KINDS = {kind.value: kind for kind in GroupKind}
_DETAILS = {"full": DetailLevel.FULL, "fuld": DetailLevel.FULL, "minimal": DetailLevel.MINIMAL}
_PURPOSES = {
    "operative": RoomPurpose.OPERATIVE,
    "operativ": RoomPurpose.OPERATIVE,
    "steering": RoomPurpose.STEERING,
    "styregruppe": RoomPurpose.STEERING,
}


def _choice(table: dict[str, _T], token: str, option: str) -> _T:
    value = table.get(token.lower())
    if value is None:
        raise _Refusal(
            "error.bad_choice", option=option, value=token[:40], choices=", ".join(table)
        )
    return value


_DEFAULT_WORDS = ("default", "standard")


def _authorities(args: list[str]) -> c.Command:
    """`group authorities [agency… | default]`: show or set who can hold responsibility."""
    if not args:
        return c.ShowAuthorities()
    if len(args) == 1 and args[0].lower() in _DEFAULT_WORDS:
        return c.SetAuthorities(None)
    return c.SetAuthorities(tuple(dict.fromkeys(_agency(token) for token in args)))


def _group(args: list[str]) -> c.Command:
    _need(args, 1, "subcommand")
    if args[0].lower() in ("authorities", "myndigheder"):
        return _authorities(args[1:])
    if args[0].lower() not in ("setup", "opret"):
        raise _Refusal("error.bad_subcommand", sub=args[0][:40], choices="setup, authorities")
    positional, options = _options(args[1:], ("kind", "prefix", "detail", "room"))
    name = _text(positional, "name")
    if len(name) > 80:
        raise _Refusal("error.name_too_long", max="80")
    kind = _choice(_KINDS, options["kind"], "--kind") if "kind" in options else GroupKind.PSP
    prefix = options.get("prefix")
    if prefix is not None:
        prefix = prefix.upper()
        if not valid_prefix(prefix):
            raise _Refusal("error.bad_prefix", prefix=prefix[:20])
    detail = _choice(_DETAILS, options.get("detail", "full"), "--detail")
    purpose = _choice(_PURPOSES, options.get("room", "operative"), "--room")
    return c.SetUpGroup(name, kind, prefix, detail, purpose)


def _escalate(args: list[str]) -> c.Command:
    # `escalate handled <n>`: the steering level has answered escalation n.
    if len(args) == 2 and args[0].lower() in ("handled", "håndteret", "haandteret"):
        return c.MarkEscalationHandled(_number(args[1]))
    return c.EscalateProblem(_text(args, "text"))


_PARSERS: dict[str, Callable[[list[str]], c.Command]] = {
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
    "meeting": parse_meeting,
}
