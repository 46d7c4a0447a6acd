"""Parsers of the need-to-know verbs: the access log (`audit`) and case-scoped guests
(`guest`)."""

from __future__ import annotations

from collections.abc import Callable

from bot import commands as c
from bot.parsing.cases import PARSERS as CASE_PARSERS
from bot.parsing.cases import _agency, _ref
from bot.parsing.tokens import ParseRefusal, iso_date, need, no_more, split_options

_SINCE = {"since": "since", "siden": "since"}
_UNTIL = {"until": "until", "indtil": "until"}


def _audit(args: list[str]) -> c.Command:
    """`audit <case>` or `audit member <@user> [--since YYYY-MM-DD]`."""
    if args and args[0].lower() in ("member", "medlem"):
        positional, options = split_options(args[1:], _SINCE)
        need(positional, 1, "user")
        no_more(positional, 1)
        since = options.get("since")
        return c.ShowMemberAudit(positional[0], iso_date(since) if since is not None else None)
    return CASE_PARSERS["audit"](args)


def _guest(args: list[str]) -> c.Command:
    """`guest add <case> <@user> <agency> [--until D]`, `guest remove <case> <@user>`,
    `guest list <case>`."""
    need(args, 1, "subcommand")
    sub, rest = args[0].lower(), args[1:]
    if sub in ("add", "tilføj", "tilfoej"):
        positional, options = split_options(rest, _UNTIL)
        need(positional, 3, ("case", "user", "agency")[min(len(positional), 2)])
        no_more(positional, 3)
        until = options.get("until")
        return c.AddGuest(
            _ref(positional[0]),
            positional[1],
            _agency(positional[2]),
            iso_date(until) if until is not None else None,
        )
    if sub in ("remove", "fjern"):
        need(rest, 2, "user" if rest else "case")
        no_more(rest, 2)
        return c.RemoveGuest(_ref(rest[0]), rest[1])
    if sub in ("list", "liste"):
        need(rest, 1, "case")
        no_more(rest, 1)
        return c.ListGuests(_ref(rest[0]))
    raise ParseRefusal("error.bad_subcommand", sub=sub[:40], choices="add, remove, list")


PARSERS: dict[str, Callable[[list[str]], c.Command]] = {"audit": _audit, "guest": _guest}
