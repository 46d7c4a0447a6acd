"""Parsers of reaching the right person: absence (`away`, `back`), who is on call (`duty`)
and the pager's test (`page test`)."""

from __future__ import annotations

from collections.abc import Callable

from bot import commands as c
from bot.parsing.cases import _agency
from bot.parsing.tokens import ParseRefusal, iso_date, need, no_more, split_options

_DEPUTY = {"deputy": "deputy", "stedfortræder": "deputy", "stedfortraeder": "deputy"}
_UNTIL_WORDS = ("until", "indtil", "til")


def _away(args: list[str]) -> c.Command:
    """`away until <YYYY-MM-DD> [--deputy @user]` (`fraværende indtil …`); the word `until`
    may be left out."""
    positional, options = split_options(args, _DEPUTY)
    if positional and positional[0].lower() in _UNTIL_WORDS:
        positional = positional[1:]
    need(positional, 1, "date")
    no_more(positional, 1)
    return c.MarkAway(iso_date(positional[0]), options.get("deputy"))


def _back(args: list[str]) -> c.Command:
    no_more(args, 0)
    return c.MarkBack()


def _duty(args: list[str]) -> c.Command:
    no_more(args, 0)
    return c.ShowOnCall()


def _page(args: list[str]) -> c.Command:
    """`page test [agency]` (`tilkald test [myndighed]`)."""
    need(args, 1, "subcommand")
    if args[0].lower() not in ("test", "prøve", "proeve"):
        raise ParseRefusal("error.bad_subcommand", sub=args[0][:40], choices="test")
    no_more(args, 2)
    return c.SendTestPage(_agency(args[1]) if len(args) == 2 else None)


PARSERS: dict[str, Callable[[list[str]], c.Command]] = {
    "away": _away,
    "back": _back,
    "duty": _duty,
    "page": _page,
}
