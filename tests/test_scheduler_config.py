"""The [scheduler] config section and the console's file attachments."""

from __future__ import annotations

import io
from datetime import time
from pathlib import Path

import pytest

from adapters.console import ConsoleSender
from bot.config import ConfigError
from bot.domain import Platform
from bot.messages import Attachment, Reply, RoomRef
from bot.ports.delivery import Outgoing, Sent
from bot.scheduling.config import SchedulerConfig, parse_scheduler_config

# No database, no network: part of the unit tier.
pytestmark = pytest.mark.unit


def test_defaults_are_the_documented_ones() -> None:
    config = parse_scheduler_config(None)
    assert config == SchedulerConfig()
    assert (config.acute.to_deputies, config.acute.to_lead) == (900, 1800)
    assert (config.urgent.to_deputies, config.urgent.to_lead) == (4 * 3600, 8 * 3600)
    assert config.remind == (604800, 86400, 3600)
    assert (config.hours.start, config.hours.end) == (time(8), time(16))


def test_every_key_can_be_set() -> None:
    config = parse_scheduler_config(
        {
            "tick_seconds": 2,
            "tick_budget_ms": 250,
            "acute_to_deputies_minutes": 10,
            "acute_to_lead_minutes": 20,
            "urgent_to_deputies_minutes": 60,
            "urgent_to_lead_minutes": 120,
            "work_start": "07:30",
            "work_end": "15:00",
            "work_days": ["mon", "tue", "wed", "thu"],
            "overdue_report_time": "08:15",
            "agenda_cap": 10,
            "remind": ["2d", "30m"],
            "meeting_minutes": 90,
        }
    )
    assert config.tick_seconds == 2 and config.acute.to_lead == 1200
    assert config.tick_budget_seconds == 0.25
    assert config.hours.days == frozenset({0, 1, 2, 3})
    assert config.report_time == time(8, 15) and config.remind == (172800, 1800)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"tick_seconds": 0}, "config [scheduler] tick_seconds: must be between 1 and 60"),
        ({"tick_budget_ms": 10}, "tick_budget_ms: must be between 100 and 60000"),
        ({"work_start": "8"}, "config [scheduler] work_start: must be HH:MM"),
        ({"work_start": "16:00", "work_end": "08:00"}, "work_end: must be later"),
        ({"work_days": ["monday"]}, "work_days: 'monday' is not one of"),
        ({"remind": ["7x"]}, "remind: '7x' must be like 7d"),
        ({"agenda_cap": "20"}, "agenda_cap: must be a whole number"),
        ({"tick": 5}, "config [scheduler] tick: unknown key"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_scheduler_config(table)
    assert message in str(error.value) and "\n" not in str(error.value)


async def test_console_writes_an_attachment_to_a_file_and_shows_its_path(tmp_path: Path) -> None:
    out = io.StringIO()
    sender = ConsoleSender(out, files_dir=tmp_path)
    reply = Reply(
        room=RoomRef(Platform.CONSOLE, "console"),
        text="Calendar",
        attachments=(Attachment("../demo-meetings.ics", "text/calendar", b"BEGIN:VCALENDAR"),),
    )
    assert await sender.send(Outgoing(reply, idempotency_key="k")) == Sent()
    path = tmp_path / "demo-meetings.ics"
    assert path.read_bytes() == b"BEGIN:VCALENDAR"
    assert out.getvalue() == f"Calendar\n📎 {path.resolve()}\n"
