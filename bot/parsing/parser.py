"""parse(text): one chat message to a command value, or a ParseError naming what was wrong."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from bot.commands import Command
from bot.parsing.access import PARSERS as ACCESS_PARSERS
from bot.parsing.cases import PARSERS as CASE_PARSERS
from bot.parsing.duty import PARSERS as DUTY_PARSERS
from bot.parsing.evaluation import PARSERS as EVALUATION_PARSERS
from bot.parsing.meetings import parse_meeting
from bot.parsing.minutes import PARSERS as MINUTES_PARSERS
from bot.parsing.tokens import ParseError, ParseRefusal, tokenise
from bot.parsing.verbs import WORD_TO_VERB

PARSERS: dict[str, Callable[[list[str]], Command]] = {
    **CASE_PARSERS,
    **ACCESS_PARSERS,
    **DUTY_PARSERS,
    "meeting": parse_meeting,
    **MINUTES_PARSERS,
    **EVALUATION_PARSERS,
}

_TWO_WORDS = {"til": "stede", "spring": "over"}


def parse(text: str) -> Command | ParseError:
    tokens = tokenise(text)
    if isinstance(tokens, ParseError):
        return tokens
    word = tokens[0].lower()
    verb = WORD_TO_VERB.get(word)
    if verb is None:
        return _unknown_verb(word)
    args = tokens[1:]
    # `til stede`, `spring over`: the second word belongs to the verb.
    second = _TWO_WORDS.get(word)
    if second is not None:
        if not args or args[0].lower() != second:
            return ParseError(
                "error.unknown_verb_suggest", {"verb": word, "suggest": f"{word} {second}"}
            )
        args = args[1:]
    # `akut …`, `haster …` and `normal …` are flags with the urgency already said.
    if word in ("akut", "haster", "normal"):
        args = [word, *args]
    try:
        return PARSERS[verb](args)
    except ParseRefusal as refusal:
        return ParseError(refusal.key, refusal.params, verb=verb)


def _unknown_verb(word: str) -> ParseError:
    close = difflib.get_close_matches(word, list(WORD_TO_VERB), n=1, cutoff=0.6)
    if close:
        return ParseError("error.unknown_verb_suggest", {"verb": word[:40], "suggest": close[0]})
    return ParseError("error.unknown_verb", {"verb": word[:40]})
