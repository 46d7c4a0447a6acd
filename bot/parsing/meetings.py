"""Parser of the `meeting` verb (registered in bot/parsing/parser.py's table). Pure; every
refusal is a catalogue key, raised as ParseRefusal so the reply carries the usage line."""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from bot.commands import Command
from bot.minutes.commands import (
    AddToAgenda,
    EndMeeting,
    RemoveFromAgenda,
    ShowMinutes,
    StartMeeting,
)
from bot.parsing.cases import case_ref
from bot.parsing.tokens import ParseRefusal, iso_date, no_more, number, split_options
from bot.scheduling import commands as mc
from bot.scheduling.timing import RuleError, check_rule, parse_offset, rule_for_every

_SUBCOMMANDS = {
    "schedule": "schedule",
    "planlæg": "schedule",
    "planlaeg": "schedule",
    "list": "list",
    "liste": "list",
    "agenda": "agenda",
    "dagsorden": "agenda",
    "cancel": "cancel",
    "aflys": "cancel",
    "ics": "ics",
    "kalender": "ics",
    "calendar": "ics",
    "start": "start",
    "begynd": "start",
    "end": "end",
    "slut": "end",
    "afslut": "end",
    "minutes": "minutes",
    "referat": "minutes",
}
_AGENDA_ADD = ("add", "tilføj", "tilfoej")
_AGENDA_REMOVE = ("remove", "fjern")
_OPTIONS = {
    "every": "every",
    "hver": "every",
    "rrule": "rrule",
    "theme": "theme",
    "tema": "theme",
    "remind": "remind",
    "påmind": "remind",
    "paamind": "remind",
}
_EVERY = {
    "week": "week",
    "uge": "week",
    "2weeks": "2weeks",
    "2uger": "2weeks",
    "month": "month",
    "måned": "month",
    "maaned": "month",
}
_ALL = ("all", "alle", "series", "serie")
MAX_THEME = 200


def _refuse(key: str, **params: str) -> NoReturn:
    raise ParseRefusal(key, **params)


def parse_meeting(args: list[str]) -> Command:
    """`meeting schedule|list|agenda|cancel|ics …` -> a meeting command."""
    return _parse(args)


def _parse(args: list[str]) -> Command:
    if not args:
        _refuse("error.missing", what="subcommand")
    sub = _SUBCOMMANDS.get(args[0].lower())
    rest = args[1:]
    if sub is None:
        _refuse(
            "error.bad_subcommand",
            sub=args[0][:40],
            choices="schedule, list, agenda, cancel, ics, start, end, minutes",
        )
    if sub == "schedule":
        return _schedule(rest)
    if sub == "list":
        no_more(rest, 0)
        return mc.ListMeetings()
    if sub == "ics":
        no_more(rest, 0)
        return mc.ExportCalendar()
    if sub == "agenda":
        return _agenda(rest)
    if sub == "start":
        no_more(rest, 1)
        return StartMeeting(_number(rest[0]) if rest else None)
    if sub == "end":
        no_more(rest, 0)
        return EndMeeting()
    if sub == "minutes":
        if not rest:
            _refuse("error.missing", what="minutes_number")
        no_more(rest, 1)
        return ShowMinutes(number(rest[0], key="error.minutes_bad_number"))
    return _cancel(rest)


def _agenda(rest: list[str]) -> Command:
    """`meeting agenda [no]` shows it; `meeting agenda add|remove <case>` changes it."""
    if rest and rest[0].lower() in _AGENDA_ADD + _AGENDA_REMOVE:
        if len(rest) < 2:
            _refuse("error.missing", what="case")
        no_more(rest, 2)
        ref = case_ref(rest[1])
        return AddToAgenda(ref) if rest[0].lower() in _AGENDA_ADD else RemoveFromAgenda(ref)
    no_more(rest, 1)
    return mc.ShowAgenda(_number(rest[0]) if rest else None)


def _number(token: str) -> int:
    return number(token, key="error.meeting_bad_number")


def _start(positional: list[str]) -> datetime:
    if not positional:
        _refuse("error.missing", what="meeting_time")
    text = " ".join(positional[:2]).replace("T", " ", 1)
    if len(positional) > 2:
        _refuse("error.extra", extra=" ".join(positional[2:])[:60])
    try:
        if len(text) != 16:
            raise ValueError(text)
        return datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        _refuse("error.meeting_bad_time", value=text[:40])


def _schedule(args: list[str]) -> mc.ScheduleMeeting:
    positional, options = split_options(args, _OPTIONS)
    start = _start(positional)
    if "every" in options and "rrule" in options:
        _refuse("error.meeting_every_and_rrule")
    rule: str | None = None
    if "every" in options:
        every = _EVERY.get(options["every"].lower())
        if every is None:
            _refuse(
                "error.bad_choice",
                option="--every",
                value=options["every"][:40],
                choices="week, 2weeks, month",
            )
        rule = rule_for_every(every, start)
    elif "rrule" in options:
        try:
            rule = check_rule(options["rrule"], start)
        except RuleError:
            _refuse("error.meeting_bad_rrule", rule=options["rrule"][:60])
    theme = options.get("theme")
    if theme is not None:
        theme = theme.strip()
        if len(theme) > MAX_THEME:
            _refuse("error.name_too_long", max=str(MAX_THEME))
    remind: tuple[int, ...] | None = None
    if "remind" in options:
        offsets: list[int] = []
        tokens = [t for t in options["remind"].split(",") if t.strip()]
        if not tokens or len(tokens) > 6:
            _refuse("error.meeting_bad_remind", value=options["remind"][:40])
        for token in tokens:
            seconds = parse_offset(token)
            if seconds is None:
                _refuse("error.meeting_bad_remind", value=token[:20])
            offsets.append(seconds)
        remind = tuple(sorted(set(offsets), reverse=True))
    return mc.ScheduleMeeting(start, rule, theme or None, remind)


def _cancel(args: list[str]) -> mc.CancelMeeting:
    if not args:
        _refuse("error.missing", what="meeting_number")
    no_more(args, 2)
    number = _number(args[0])
    if len(args) == 1:
        return mc.CancelMeeting(number)
    which = args[1]
    if which.lower() in _ALL:
        return mc.CancelMeeting(number, whole_series=True)
    day = iso_date(which)
    return mc.CancelMeeting(number, datetime.combine(day, datetime.min.time()))
