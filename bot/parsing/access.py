"""Parsers of the need-to-know verbs: the access log (`audit`)."""

from __future__ import annotations

from collections.abc import Callable

from bot import commands as c
from bot.parsing.cases import PARSERS as CASE_PARSERS
from bot.parsing.tokens import iso_date, need, no_more, split_options

_SINCE = {"since": "since", "siden": "since"}


def _audit(args: list[str]) -> c.Command:
    """`audit <case>` or `audit member <@user> [--since YYYY-MM-DD]`."""
    if args and args[0].lower() in ("member", "medlem"):
        positional, options = split_options(args[1:], _SINCE)
        need(positional, 1, "user")
        no_more(positional, 1)
        since = options.get("since")
        return c.ShowMemberAudit(positional[0], iso_date(since) if since is not None else None)
    return CASE_PARSERS["audit"](args)


PARSERS: dict[str, Callable[[list[str]], c.Command]] = {"audit": _audit}
