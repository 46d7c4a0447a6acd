"""Parsers of the steering level's verbs: `close` with its outcome, `report`, `steering`,
`escalate answer` and `transfer` (parser.py lays them over the case verbs' table)."""

from __future__ import annotations

from datetime import date
from typing import NoReturn

from bot.commands import CloseCase, Command
from bot.domain import normalise_case_ref
from bot.domain.outcome import OUTCOME_ALIASES, outcome_choices
from bot.evaluation import commands as ec
from bot.parsing.cases import PARSERS as CASE_PARSERS
from bot.parsing.tokens import ParseRefusal, free_text, number

OUTCOME_OPTIONS = ("--outcome", "--udfald")
GROUP_OPTIONS = ("--group", "--gruppe")
MAX_NAME = 80


def _refuse(key: str, **params: str) -> NoReturn:
    raise ParseRefusal(key, **params)


def _ref(token: str) -> str:
    ref = normalise_case_ref(token)
    if ref is None:
        _refuse("error.bad_ref", ref=token[:40])
    return ref


def _take_option(args: list[str], names: tuple[str, ...]) -> tuple[list[str], str | None]:
    """Remove `--name value` (any spelling in `names`) from args; its value or None."""
    rest: list[str] = []
    value: str | None = None
    index = 0
    while index < len(args):
        token = args[index]
        if token.lower() in names:
            if value is not None:
                _refuse("error.option_twice", option=token)
            if index + 1 >= len(args) or not args[index + 1].strip():
                _refuse("error.option_value", option=token)
            value = args[index + 1]
            index += 2
            continue
        rest.append(token)
        index += 1
    return rest, value


def parse_close(args: list[str]) -> Command:
    """`close <case> <resolution…> --outcome CODE` (Danish `--udfald`)."""
    rest, code = _take_option(args, OUTCOME_OPTIONS)
    if not rest:
        _refuse("error.missing", what="case")
    ref = _ref(rest[0])
    resolution = free_text(rest[1:], "resolution")
    if code is None:
        _refuse("error.missing_outcome", choices=outcome_choices())
    outcome = OUTCOME_ALIASES.get(code.lower())
    if outcome is None:
        _refuse("error.bad_outcome", outcome=code[:40], choices=outcome_choices())
    return CloseCase(ref, resolution, outcome)


def _year(token: str) -> int | None:
    if len(token) == 4 and token.isascii() and token.isdigit():
        return int(token)
    return None


def _day(token: str) -> date:
    try:
        if len(token) != 10:
            raise ValueError(token)
        return date.fromisoformat(token)
    except ValueError:
        _refuse("error.bad_period", period=token[:40])


def parse_report(args: list[str]) -> Command:
    """`report` (last year), `report 2026`, `report 2026-01-01 2026-06-30`."""
    if not args:
        return ec.MakeReport()
    if len(args) == 1:
        year = _year(args[0])
        if year is None or year < 2000:
            _refuse("error.bad_period", period=args[0][:40])
        return ec.MakeReport(date(year, 1, 1), date(year, 12, 31))
    if len(args) == 2:
        first, last = _day(args[0]), _day(args[1])
        if first > last:
            _refuse("error.period_reversed", first=args[0], last=args[1])
        return ec.MakeReport(first, last)
    _refuse("error.extra", extra=" ".join(args[2:])[:60])


def _name(args: list[str]) -> str:
    name = " ".join(args).strip()
    if not name:
        _refuse("error.missing", what="name")
    if len(name) > MAX_NAME:
        _refuse("error.name_too_long", max=str(MAX_NAME))
    return name


def parse_steering(args: list[str]) -> Command:
    """`steering setup <name>` | `steering add <group>` | `steering remove <group>`."""
    if not args:
        _refuse("error.missing", what="subcommand")
    sub, rest = args[0].lower(), args[1:]
    if sub in ("setup", "opret"):
        return ec.SetUpSteering(_name(rest))
    if sub in ("add", "tilføj", "tilfoej"):
        return ec.LinkGroup(_name(rest))
    if sub in ("remove", "fjern"):
        return ec.UnlinkGroup(_name(rest))
    _refuse("error.bad_subcommand", sub=sub[:40], choices="setup, add, remove")


def parse_answer(args: list[str]) -> Command:
    """`escalate answer <no> <text…> [--group NAME]` (after the word `answer`)."""
    rest, group = _take_option(args, GROUP_OPTIONS)
    if not rest:
        _refuse("error.missing", what="escalation-no")
    return ec.AnswerEscalation(group, number(rest[0]), free_text(rest[1:], "text"))


CONFIRM_WORDS = ("--confirm", "--bekræft", "--bekraeft")


def parse_transfer(args: list[str]) -> Command:
    """`transfer <case> <group…> [--confirm]` | `transfer accept <ref>`."""
    if not args:
        _refuse("error.missing", what="case")
    if args[0].lower() in ("accept", "accepter"):
        if len(args) < 2:
            _refuse("error.missing", what="case")
        if len(args) > 2:
            _refuse("error.extra", extra=" ".join(args[2:])[:60])
        return ec.AcceptTransfer(_ref(args[1]))
    confirm = any(a.lower() in CONFIRM_WORDS for a in args)
    rest = [a for a in args if a.lower() not in CONFIRM_WORDS]
    ref = _ref(rest[0])
    if len(rest) < 2:
        _refuse("error.missing", what="group")
    return ec.RequestTransfer(ref, _name(rest[1:]), confirm)


def parse_escalate(args: list[str]) -> Command:
    """`escalate answer …` in a steering room; every other `escalate` as the case verbs read it."""
    if args and args[0].lower() in ("answer", "svar"):
        return parse_answer(args[1:])
    return CASE_PARSERS["escalate"](args)


PARSERS = {
    "close": parse_close,
    "escalate": parse_escalate,
    "report": parse_report,
    "steering": parse_steering,
    "transfer": parse_transfer,
}
