"""Random text into the parser and the whole core: only the project's own replies come out,
and every refused command leaves the database as it was."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalogue import CATALOGUE
from bot.clock import FakeClock
from bot.demo import ensure_demo_group
from bot.domain import contains_cpr, has_unreadable_characters
from bot.i18n import translate
from bot.messages import ReplyKind
from bot.parsing import VERB_WORDS, ParseError, parse
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.conftest import Harness, build_harness
from tests.snapshot import snapshot

WORDS = [w for words in VERB_WORDS.values() for w in words] + [
    "PSP-2026-0001",
    "psp-2026-0002",
    "police",
    "psykiatri",
    "akut",
    "--due",
    "--owner",
    "--fallback",
    "2026-13-01",
    "#threat",
    "#",
    "@anna",
    '"',
    "'",
    "\u202e",
    "\u200b",
    "😀",
    "<b>x</b>",
    "'; DROP TABLE cases; --",
    "010190-1234",
]
# What no reader can see: lone surrogates (a JSON body's "\ud800", undecodable bytes read with
# surrogateescape) and control characters other than newline and tab.
UNREADABLE = [
    "\ud800",
    "\udbff",
    "\udc80",
    "\udcff",
    "\udfff",
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\r",
    "\x1b",
    "\x1f",
    "\x7f",
    "\x85",
    "\x9f",
]
# The separator classes the CPR guard folds: dashes, minus signs, dots, slashes, spaces, quotes,
# percent-encoding, and the invisible characters it drops.
SEPARATORS = [
    "",
    "-",
    "\u2010",
    "\u2013",
    "\u2014",
    "\u2212",
    "\ufe63",
    "\uff0d",
    ".",
    "\u00b7",
    "\u2024",
    "/",
    "\u2044",
    "\\",
    "\uff3c",
    "_",
    " ",
    "  ",
    "\t",
    "\u00a0",
    "\u3000",
    '"',
    "'",
    '" "',
    "\u201e",
    "%2D",
    "%20",
    "&#45;",
    "\u200b",
    "\u2060",
    "\u202e",
    "\u0301",
    "\u20dd",
    "\ufe0f",
]
DIGITS = [
    "0123456789",
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
]

odd_piece = st.one_of(
    st.sampled_from(UNREADABLE), st.sampled_from(SEPARATORS), st.characters(), st.text(max_size=3)
)
odd_text = st.lists(odd_piece, max_size=30).map("".join)


@st.composite
def disguised_cpr(draw: st.DrawFn) -> str:
    """A real CPR number (a valid date) in any script's digits, with a separator of any class
    between its parts."""
    day = draw(st.integers(1, 28))
    month = draw(st.integers(1, 12))
    year = draw(st.integers(0, 99))
    serial = draw(st.integers(0, 3999))  # seventh digit 0-3: born 1900-1999
    digits = draw(st.sampled_from(DIGITS))
    parts = [f"{day:02}", f"{month:02}", f"{year:02}", f"{serial:04}"]
    written = ["".join(digits[int(d)] for d in part) for part in parts]
    separators = [draw(st.sampled_from(SEPARATORS)) for _ in range(3)]
    number = written[0]
    for separator, part in zip(separators, written[1:], strict=True):
        number += separator + part
    return number


command_text = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.text(max_size=12),
        odd_text,
        st.sampled_from(UNREADABLE),
        disguised_cpr(),
    ),
    min_size=0,
    max_size=8,
).map(" ".join)
any_text = st.one_of(command_text, st.text(max_size=200), odd_text)


@given(any_text)
@settings(max_examples=400, deadline=None)
def test_parser_returns_a_command_or_a_known_error(text: str) -> None:
    result = parse(text)
    if isinstance(result, ParseError):
        assert result.key in CATALOGUE


FIELD_COMMANDS = [
    "flag acute Borger {} truer",
    "note PSP-2026-0001 {}",
    "decide PSP-2026-0001 Besøg --fallback {}",
    "close PSP-2026-0001 {} --outcome other",
    "reopen PSP-2026-0001 {}",
    "decline PSP-2026-0001 {}",
    "escalate {}",
    "meeting schedule 2026-12-01 10:00 --theme {}",
    "member add @{} police",
    "show {}",
]


@pytest.fixture(scope="module")
def fuzz_harness(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asyncio.AbstractEventLoop, Harness]]:
    loop = asyncio.new_event_loop()
    path = Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    clock = FakeClock()

    async def setup() -> Harness:
        await upgrade(engine)
        h = build_harness(engine, clock)
        await ensure_demo_group(h.uow_factory, clock)
        await h.text("anna", "flag acute Borger truer naboer")
        return h

    harness = loop.run_until_complete(setup())
    yield loop, harness
    loop.run_until_complete(engine.dispose())
    loop.close()


@given(st.sampled_from(["anna", "bo", "erik", "admin", "stranger"]), any_text)
@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_core_never_crashes_and_refusals_change_nothing(
    fuzz_harness: tuple[asyncio.AbstractEventLoop, Harness], user: str, text: str
) -> None:
    loop, harness = fuzz_harness

    async def run() -> None:
        before = await snapshot(harness.engine)
        replies = await harness.say(user, text)
        assert replies, "every message gets an answer"
        assert all(r.text.strip() for r in replies)
        if any(r.kind is ReplyKind.ERROR for r in replies):
            assert len(replies) == 1 and "\n" not in replies[0].text
            assert await snapshot(harness.engine) == before
        if has_unreadable_characters(text):
            assert [r.text for r in replies] == [translate(harness.locale, "error.unreadable")]
        elif contains_cpr(text):
            assert [r.text for r in replies] == [translate(harness.locale, "error.cpr")]
            assert replies[0].redact_source

    loop.run_until_complete(run())


@given(st.sampled_from(["anna", "erik"]), st.sampled_from(FIELD_COMMANDS), disguised_cpr())
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_a_disguised_cpr_number_is_refused_in_any_field(
    fuzz_harness: tuple[asyncio.AbstractEventLoop, Harness], user: str, command: str, number: str
) -> None:
    loop, harness = fuzz_harness

    async def run() -> None:
        before = await snapshot(harness.engine)
        replies = await harness.say(user, command.format(number))
        assert [r.text for r in replies] == [translate(harness.locale, "error.cpr")]
        assert await snapshot(harness.engine) == before

    loop.run_until_complete(run())
