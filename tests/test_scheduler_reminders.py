"""Meeting reminders as the group sees them: on time, once, with the agenda the day before,
late after downtime, skipped once the meeting has begun; a crash between claim and send
resends at most once. Fake clock throughout; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import DetailLevel, Platform, RoomPurpose
from tests.conftest import Harness
from tests.scheduler_support import Driver

# Tuesday 1 December 2026, 09:00 in Copenhagen = 08:00 UTC.
SCHEDULE = "meeting schedule 2026-12-01 09:00 --theme 'Unge i bolig'"
MEETING = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def reminders(posted: list) -> list:
    return [p for p in posted if "Reminder: meeting no. 1" in p.reply.text]


async def test_three_reminders_at_their_offsets_the_day_before_carries_the_agenda(
    core: Harness,
) -> None:
    await core.text("anna", "flag urgent threatening letters to the caseworker")
    await core.text("erik", SCHEDULE)
    driver = Driver(core)
    posted = reminders(await driver.run_until(MEETING + timedelta(hours=1)))
    assert [p.at for p in posted] == [
        MEETING - timedelta(days=7),
        MEETING - timedelta(days=1),
        MEETING - timedelta(hours=1),
    ]
    week, day, hour = (p.reply for p in posted)
    assert "(in 7 days)" in week.text and "Agenda" not in week.text
    assert "(in 1 day)" in day.text
    assert "📋 Agenda, meeting no. 1 on 2026-12-01 09:00" in day.text
    assert "PSP-2026-0001 urgent" in day.text and "threatening letters" in day.text
    assert "(in 1 hour)" in hour.text and "[late]" not in hour.text
    assert {m.display_name for m in hour.mentions} == {"anna", "dina", "bo", "carl", "erik"}


async def test_a_restart_in_the_middle_of_the_reminder_window_sends_nothing_twice(
    core: Harness,
) -> None:
    await core.text("erik", SCHEDULE)
    driver = Driver(core)
    first = reminders(await driver.run_until(MEETING - timedelta(days=1)))
    assert len(first) == 2  # the 7-day and the 1-day reminder
    # The process restarts at the very instant the 1-day reminder went out.
    again = reminders(await driver.run_until(MEETING - timedelta(days=1), tick=driver.new_tick()))
    assert again == []
    rest = reminders(await driver.run_until(MEETING + timedelta(hours=2), tick=driver.new_tick()))
    assert [p.at for p in rest] == [MEETING - timedelta(hours=1)]


async def test_a_reminder_missed_while_down_is_sent_late_if_the_meeting_has_not_started(
    core: Harness,
) -> None:
    await core.text("erik", SCHEDULE)
    driver = Driver(core)
    await driver.run_until(MEETING - timedelta(days=2))
    # Down from two days before until two hours before the meeting: the 1-day reminder
    # (with the agenda) comes late; it is sent once, not together with anything else.
    core.clock.set(MEETING - timedelta(hours=2))
    late = reminders(await driver.run_until(MEETING - timedelta(hours=2), tick=driver.new_tick()))
    assert len(late) == 1
    assert late[0].reply.text.startswith("🔔 [late] Reminder: meeting no. 1")
    assert "📋 Agenda" in late[0].reply.text


async def test_reminders_of_a_meeting_that_began_while_down_are_skipped(core: Harness) -> None:
    await core.text("erik", SCHEDULE)
    driver = Driver(core)
    await driver.run_until(MEETING - timedelta(days=2))
    core.clock.set(MEETING + timedelta(minutes=30))
    posted = await driver.run_until(MEETING + timedelta(days=1), tick=driver.new_tick())
    assert reminders(posted) == []


async def test_cancelled_occurrence_is_not_reminded(core: Harness) -> None:
    await core.text("erik", "meeting schedule 2026-12-01 09:00 --every week --remind 1h")
    await core.text("erik", "meeting cancel 1 2026-12-01")
    driver = Driver(core)
    posted = reminders(await driver.run_until(MEETING + timedelta(days=8)))
    assert [p.at for p in posted] == [MEETING + timedelta(days=7, hours=-1)]
    assert "2026-12-08 09:00" in posted[0].reply.text


class CrashingDelivery:
    """Delivers nothing and raises, as if the process died right after the commit."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, rooms: object) -> None:
        self.calls += 1
        raise RuntimeError("process died while sending")


async def test_crash_between_claim_and_send_sends_once_after_restart_marked_late(
    core: Harness,
) -> None:
    await core.text("erik", "meeting schedule 2026-12-01 09:00 --remind 1h")
    driver = Driver(core)
    core.clock.set(MEETING - timedelta(hours=1))
    crashing = driver.new_tick()
    crashing._deliver = CrashingDelivery()  # type: ignore[assignment]
    with pytest.raises(RuntimeError):
        await crashing.run()
    # A restarted process does not build the reminder again: it is owed by the outbox.
    assert reminders(await driver.run_until(core.clock.now(), tick=driver.new_tick())) == []
    # Its delivery worker sends it, once, marked late (three minutes after it was written).
    core.clock.advance(timedelta(minutes=3))
    await core.router.delivery.start()
    await core.router.delivery.run_once()
    resent = [r.text for r in core.sent if "Reminder: meeting no. 1" in r.text]
    assert len(resent) == 1
    assert resent[0].startswith("⏳ Delayed: written 2026-12-01 07:00 UTC")
    assert "🔔 Reminder: meeting no. 1 on 2026-12-01 09:00" in resent[0]
    assert reminders(await driver.run_until(MEETING + timedelta(hours=1))) == []


async def test_reminders_reach_every_room_of_the_group_minimal_rooms_without_case_text(
    core: Harness,
) -> None:
    async with core.uow_factory() as uow:
        group = await uow.groups.get_by_name("Demo")
        assert group is not None
        await uow.groups.bind(
            group_id=group.id,
            platform=Platform.MATRIX,
            room_id="!municipality:test",
            detail=DetailLevel.MINIMAL,
            purpose=RoomPurpose.OPERATIVE,
        )
        await uow.commit()
    await core.text("anna", "flag urgent threatening letters to the caseworker")
    await core.text("erik", "meeting schedule 2026-12-01 09:00 --remind 1d")
    driver = Driver(core)
    posted = reminders(await driver.run_until(MEETING))
    by_room = {p.reply.room.platform: p.reply for p in posted}
    assert set(by_room) == {Platform.CONSOLE, Platform.MATRIX}
    assert "threatening letters" in by_room[Platform.CONSOLE].text
    assert "threatening letters" not in by_room[Platform.MATRIX].text
    assert "1 open case," in by_room[Platform.MATRIX].text
