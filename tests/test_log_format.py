"""The JSON log format: one object per line with the ids that tie a line to a command, and
never the case text nor an exception's message."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot import commands as c
from bot.app import BotSettings, PspBot, command_handlers
from bot.cli import configure_logging
from bot.config import ConfigError, parse_settings
from bot.context import Context
from bot.domain import Platform
from bot.logfields import room_hash
from bot.messages import Incoming
from tests.conftest import Harness

SUMMARY = "Borger truer naboer med kniv"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    own = [logging.getLogger(name) for name in ("bot", "adapters", "storage", "psp_bot")]
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = [logger.level for logger in own]
    root.handlers = []  # as at the start of `psp-bot`, before logging is configured
    configure_logging("INFO", "json")
    stream = io.StringIO()
    handler = root.handlers[-1]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        yield stream
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)
        for logger, level in zip(own, saved_levels, strict=True):
            logger.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_a_failing_command_logs_its_ids_but_no_case_text(
    harness: Harness, json_log: io.StringIO
) -> None:
    await harness.say("anna", f"flag acute {SUMMARY}")

    async def broken_show(ctx: Context, command: c.ShowCase) -> None:
        await ctx.case(command.ref)
        problem = "could not render " + SUMMARY
        raise ValueError(problem)  # the frames are logged, this message is not

    bot = PspBot(
        uow_factory=harness.uow_factory,
        clock=harness.clock,
        settings=BotSettings(insecure_rooms_allowed=frozenset({Platform.CONSOLE})),
        handlers={**command_handlers(), c.ShowCase: broken_show},
    )
    replies = await bot.handle(
        Incoming(Platform.CONSOLE, "console", "bo", "show PSP-2026-0001", "$ev1", locale="en")
    )
    assert "internal error" in replies[0].text

    logged = lines(json_log)
    failure = next(line for line in logged if line.get("exception") == "ValueError")
    assert failure["level"] == "ERROR"
    assert failure["logger"] == "bot.app"
    assert failure["event"] == "command %s failed; rolled back"
    assert failure["event_id"] == "$ev1"
    assert failure["case_id"] == 1
    assert failure["room"] == room_hash("console", "console")
    assert isinstance(failure["command_id"], str) and len(failure["command_id"]) == 12
    assert "time" in failure
    assert SUMMARY not in json_log.getvalue()
    assert "could not render" not in json_log.getvalue()


def test_log_format_is_checked() -> None:
    assert parse_settings({"bot": {"log_format": "json"}}).log_format == "json"
    assert parse_settings({}).log_format == "text"
    with pytest.raises(ConfigError, match=r"\[bot\] log_format: must be one of text, json"):
        parse_settings({"bot": {"log_format": "xml"}})
