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
command_text = st.lists(
    st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), min_size=0, max_size=8
).map(" ".join)
any_text = st.one_of(command_text, st.text(max_size=200))


@given(any_text)
@settings(max_examples=400, deadline=None)
def test_parser_returns_a_command_or_a_known_error(text: str) -> None:
    result = parse(text)
    if isinstance(result, ParseError):
        assert result.key in CATALOGUE


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
        if "010190-1234" in text:
            assert all("010190" not in r.text for r in replies)

    loop.run_until_complete(run())
