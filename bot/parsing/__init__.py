"""The command language: `parse(text)` turns one chat message into a frozen command value or
a ParseError naming what was wrong. Pure: no I/O, no database.

tokens.py holds what every verb shares (tokeniser, option splitter, argument readers);
cases.py and meetings.py the verbs' parsers; parser.py the table from verb to parser."""

from bot.parsing.parser import PARSERS, parse
from bot.parsing.tokens import ParseError, strip_prefix
from bot.parsing.verbs import VERB_WORDS, WORD_TO_VERB

__all__ = ["PARSERS", "VERB_WORDS", "WORD_TO_VERB", "ParseError", "parse", "strip_prefix"]
