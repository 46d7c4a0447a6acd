"""Text no reader can see, as Matrix and Slack JSON bodies can carry it (a lone surrogate
`\\ud800`) or a pipe (undecodable bytes, read as surrogates): one localized refusal line,
nothing stored, no traceback in the log. SQLite and PostgreSQL, Danish and English."""

from __future__ import annotations

import logging

import pytest

from bot.domain import Platform
from bot.i18n import translate
from bot.messages import Incoming, ReplyKind
from tests.conftest import Harness
from tests.snapshot import snapshot

UNREADABLE = (
    "flag acute Borger \ud800 truer",
    "note PSP-2026-0001 \udfff",
    "\udcff",
    "flag acute Borger \x00 truer",
    "flag acute Borger\x07 truer",
    "note PSP-2026-0001 farve \x1b[31m",
    "note PSP-2026-0001 linje\rtilbage",
    "escalate \x7f",
    "flag acute \x85 næste linje",
    "meeting schedule 2026-12-01 10:00 --theme \x0c",
)


@pytest.mark.parametrize("locale", ["da", "en"])
@pytest.mark.parametrize("platform", [Platform.MATRIX, Platform.SLACK, Platform.CONSOLE])
async def test_unreadable_text_is_refused_with_one_line(
    harness: Harness, locale: str, platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h = harness
    await h.say("anna", "flag acute Borger truer naboer")
    before = await snapshot(h.engine)
    line = translate(locale, "error.unreadable")
    for number, text in enumerate(UNREADABLE):
        replies = await h.router.process(
            Incoming(
                platform=platform,
                room="console",
                sender="anna",
                text=text,
                event_id=f"$unreadable-{number}",
                locale=locale,
                display_name="anna",
            )
        )
        assert [(r.kind, r.text) for r in replies] == [(ReplyKind.ERROR, line)], repr(text)
    assert await snapshot(h.engine) == before
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize("name", ["anna\ud800", "010190-1234", "Anna 01.01.90\u20131234"])
async def test_a_display_name_with_a_cpr_number_or_unreadable_text_is_refused(
    harness: Harness, name: str
) -> None:
    h = harness
    before = await snapshot(h.engine)
    for locale in ("da", "en"):
        replies = await h.router.process(
            Incoming(
                platform=Platform.CONSOLE,
                room="console",
                sender="anna",
                text="flag acute Borger truer",
                locale=locale,
                display_name=name,
            )
        )
        assert [r.text for r in replies] == [translate(locale, "error.display_name")]
    assert await snapshot(h.engine) == before


async def test_newline_and_tab_are_ordinary_text(harness: Harness) -> None:
    replies = await harness.say("anna", "flag acute Borger\ttruer\nnaboer")
    assert [r.kind for r in replies] == [ReplyKind.ALERT]
