"""Files the bot hands over reach Slack as shared files (files.getUploadURLExternal, the
upload, files.completeUploadExternal): the minutes at the end of a meeting, with their
message, and the calendar a member asks for."""

from __future__ import annotations

from tests.slack_standin import PRIVATE, SlackRig, rig, standin
from tests.test_slack_flow import answered, set_up_group

__all__ = ["rig", "standin"]  # the fixtures


async def test_the_minutes_are_shared_in_the_channel_as_pdf_and_markdown(rig: SlackRig) -> None:
    standin = rig.standin
    await set_up_group(rig)
    assert await rig.command("UANNA", "flag urgent family needs housing support") == 200
    assert await rig.command("UERIK", "meeting start") == 200
    await standin.wait_for(lambda s: any("minutes no. 1" in t for t in s.texts()))
    assert await rig.command("UANNA", "decide PSP-2026-0001 visit the family --owner police") == 200
    await standin.wait_for(lambda s: any("decision no. 1" in t.lower() for t in s.texts()))
    assert await rig.command("UERIK", "meeting end") == 200
    await standin.wait_for(lambda s: len(s.of("files.completeUploadExternal")) >= 1)
    (shared,) = standin.of("files.completeUploadExternal")
    assert shared["channel_id"] == PRIVATE
    files = standin.uploaded()
    assert set(files) == {"nord-minutes-1.pdf", "nord-minutes-1.md"}
    assert files["nord-minutes-1.pdf"].startswith(b"%PDF")
    assert "Decision no. 1: visit the family" in files["nord-minutes-1.md"].decode()
    minutes = next(t for t in standin.texts() if "Minutes no. 1" in t)
    assert "visit the family" in minutes


async def test_a_calendar_asked_for_is_shared_too(rig: SlackRig) -> None:
    standin = rig.standin
    await set_up_group(rig)
    assert await rig.command("UERIK", "meeting schedule 2026-12-01 09:00 --every month") == 200
    await standin.wait_for(lambda s: any("Meeting no. 1 scheduled" in t for t in s.texts()))
    assert "iCalendar file attached" in await answered(rig, "UBO", "meeting ics")
    await standin.wait_for(lambda s: len(s.uploaded()) >= 1)
    assert list(standin.uploaded()) == ["nord-meetings.ics"]
