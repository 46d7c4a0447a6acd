"""The previous year's report is posted by itself in every steering room on 15 January at
09:00 (Copenhagen), exactly once, also across a restart."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.config import ConfigError
from bot.scheduling.config import SchedulerConfig, parse_scheduler_config
from tests.conftest import Harness
from tests.evaluation_support import build_year
from tests.scheduler_support import Driver

DAY_BEFORE = datetime(2027, 1, 14, 12, 0, tzinfo=UTC)
DUE = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)  # 09:00 in Copenhagen


def yearly(driver: Driver) -> list[tuple[datetime, str, int]]:
    return [
        (p.at, p.reply.room.room_id, len(p.reply.attachments))
        for p in driver.posted
        if p.reply.text.startswith("📊")
    ]


async def test_yearly_report_is_posted_once_on_the_day(harness: Harness) -> None:
    h = harness
    await build_year(h)
    await h.text("admin", "steering setup Nord", room="steer")
    await h.text("admin", "steering add Demo", room="steer")
    await h.text("admin", "steering setup Tom", room="steer-empty")
    await h.text("admin", "group setup Vest", room="vest")
    await h.text("admin", "steering add Vest", room="steer-empty")
    h.clock.set(DAY_BEFORE)
    driver = Driver(h)
    await driver.run_until(DUE - timedelta(seconds=1))
    assert yearly(driver) == []
    await driver.run_until(DUE + timedelta(hours=1))
    assert sorted(yearly(driver)) == [(DUE, "steer", 1), (DUE, "steer-empty", 0)]
    assert "Cases flagged: 9" in next(
        p.reply.text for p in driver.posted if p.reply.room.room_id == "steer"
    )
    # A restarted process on the same day, and a later day of the window: nothing more.
    await driver.run_until(DUE + timedelta(days=3), tick=driver.new_tick())
    assert len(yearly(driver)) == 2


async def test_the_day_and_time_are_configurable(harness: Harness) -> None:
    h = harness
    await build_year(h)
    await h.text("admin", "steering setup Nord", room="steer")
    await h.text("admin", "steering add Demo", room="steer")
    config = SchedulerConfig(yearly_report_day=(2, 1), yearly_report_time=time(13, 30))
    h.clock.set(DAY_BEFORE)
    driver = Driver(h, config=config)
    await driver.run_until(datetime(2027, 2, 1, 12, 29, tzinfo=UTC))
    assert yearly(driver) == []
    await driver.run_until(datetime(2027, 2, 1, 13, 0, tzinfo=UTC))
    assert yearly(driver) == [(datetime(2027, 2, 1, 12, 30, tzinfo=UTC), "steer", 1)]


def test_the_yearly_day_is_checked_when_the_config_is_read() -> None:
    config = parse_scheduler_config({"yearly_report_day": "02-01", "yearly_report_time": "13:30"})
    assert (config.yearly_report_day, config.yearly_report_time) == ((2, 1), time(13, 30))
    for bad in ("02-30", "15-01", "januar"):
        with pytest.raises(ConfigError, match="yearly_report_day: must be MM-DD"):
            parse_scheduler_config({"yearly_report_day": bad})
