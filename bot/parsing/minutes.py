"""Parsers of the verbs that run a meeting: `present`, `next`, `discussed`, `skip` (the
`meeting start|end|minutes|agenda add|remove` subcommands are in meetings.py)."""

from __future__ import annotations

from collections.abc import Callable

from bot.commands import Command
from bot.minutes.commands import MarkDiscussed, NextCase, RecordAttendance, SkipCase
from bot.parsing.cases import case_ref
from bot.parsing.tokens import need, no_more


def _present(args: list[str]) -> Command:
    no_more(args, 1)
    return RecordAttendance(args[0] if args else None)


def _next(args: list[str]) -> Command:
    no_more(args, 0)
    return NextCase()


def _marking(factory: Callable[[str], Command]) -> Callable[[list[str]], Command]:
    def parse_mark(args: list[str]) -> Command:
        need(args, 1, "case")
        no_more(args, 1)
        return factory(case_ref(args[0]))

    return parse_mark


PARSERS: dict[str, Callable[[list[str]], Command]] = {
    "present": _present,
    "next": _next,
    "discussed": _marking(MarkDiscussed),
    "skip": _marking(SkipCase),
}
