"""A file the bot shares in Slack is shown once, even when the bot dies between Slack sharing
it and the bot recording that: after the restart the bot looks its staged files up
(files.info) instead of uploading them again. The minutes of a meeting, against the stand-in,
on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from sqlalchemy import text

from bot.domain import Platform
from tests.conftest import Harness, build_harness
from tests.slack_standin import PRIVATE, SlackStandIn, standin
from tests.slack_standin.rig import SlackRig, start_rig, stop_rig
from tests.test_slack_flow import set_up_group

__all__ = ["standin"]  # the fixture

MINUTES = ["nord-minutes-1.md", "nord-minutes-1.pdf"]


async def meeting_ended(harness: Harness, standin: SlackStandIn) -> SlackRig:
    """A group that met; its minutes (a message and two files) wait in the outbox, sent by
    the bot's background loop only, so that the test decides when that send runs."""
    rig = await start_rig(harness.router, standin)
    await set_up_group(rig)
    assert await rig.command("UANNA", "flag urgent family needs housing support") == 200
    assert await rig.command("UERIK", "meeting start") == 200
    harness.router.attach(Platform.SLACK, rig.adapter.sender, inline=False)
    assert await rig.command("UERIK", "meeting end") == 200
    assert standin.shared(PRIVATE) == []
    return rig


def minutes_posted(standin: SlackStandIn) -> int:
    return sum("Minutes no. 1" in t for t in standin.texts())


async def pending(harness: Harness) -> int:
    assert harness.engine is not None
    async with harness.engine.connect() as conn:
        rows = await conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'pending'"))
        return int(rows.scalar_one())


async def restarted(harness: Harness, standin: SlackStandIn) -> tuple[Harness, SlackRig]:
    """A new bot process on the same database, once the dead one's lease has run out."""
    again = build_harness(harness.engine, harness.clock)
    rig = await start_rig(again.router, standin)
    harness.clock.advance(timedelta(seconds=61))
    return again, rig


async def test_files_shared_before_a_crash_are_not_shared_again(
    harness: Harness, standin: SlackStandIn
) -> None:
    rig = await meeting_ended(harness, standin)
    lost = asyncio.Event()
    standin.answers_lost["files.completeUploadExternal"] = lost
    sending = asyncio.create_task(harness.router.delivery.run_once())
    try:
        # Slack has shared both files; its answer never reaches the bot, which dies now,
        # before it could record the row as sent.
        await standin.wait_for(lambda s: s.shared(PRIVATE) == MINUTES)
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sending
    finally:
        lost.set()
        await stop_rig(rig)
    assert await pending(harness) >= 1
    again, rig = await restarted(harness, standin)
    try:
        await again.router.delivery.run_once()
    finally:
        await stop_rig(rig)
    # The channel shows the minutes once: one message, each file once.
    assert standin.shared(PRIVATE) == MINUTES
    assert minutes_posted(standin) == 1
    assert len(standin.of("files.getUploadURLExternal")) == 2
    assert await pending(harness) == 0


async def test_files_staged_but_not_shared_are_shared_once(
    harness: Harness, standin: SlackStandIn
) -> None:
    rig = await meeting_ended(harness, standin)
    # Slack fails the sharing once (the files are staged, the message posted).
    standin.failures["files.completeUploadExternal"].append((500, "internal_error"))
    try:
        await harness.router.delivery.run_once()
        assert standin.shared(PRIVATE) == [] and minutes_posted(standin) == 1
        harness.clock.advance(timedelta(minutes=5))  # past the retry's backoff
        await harness.router.delivery.run_once()
    finally:
        await stop_rig(rig)
    assert standin.shared(PRIVATE) == MINUTES
    assert minutes_posted(standin) == 1
    assert len(standin.of("files.getUploadURLExternal")) == 2  # staged once, not again
    assert await pending(harness) == 0
