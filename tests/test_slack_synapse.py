"""One group spanning a Slack channel (signed HTTP against the stand-in) and an encrypted Matrix
room on a real Synapse with real matrix-nio clients: the alert reaches both, and a command in
either place acts on the same case."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.matrix.service import MatrixService
from bot.cli_setup import build_app
from bot.config import Settings
from bot.domain import Platform
from tests.matrix_support import MatrixUser, Running, bot_config, bot_engine, group_room, users
from tests.slack_standin import (
    PRIVATE,
    SlackStandIn,
    alert_blocks_text,
    block_action,
    buttons,
    standin,
    start_rig,
    stop_rig,
)
from tests.synapse import Synapse, synapse

__all__ = ["bot_engine", "standin", "synapse", "users"]

pytestmark = pytest.mark.synapse


async def start_both(synapse: Synapse, tmp: Path, engine: AsyncEngine) -> Running:
    """The bot with both adapters on one router, as `psp-bot run` wires them."""
    user_id, password, _ = synapse.register("pspbot")
    config = bot_config(synapse, tmp / "bot-store", user_id=user_id, password=password)
    settings = Settings(
        locale="en",
        admins=frozenset({(Platform.MATRIX, "@admin:test"), (Platform.SLACK, "UADMIN")}),
        data_dir=tmp / "data",
    )
    router = build_app(settings, engine).router
    service = MatrixService(config, router, settings)
    task = asyncio.create_task(service.run())
    await asyncio.wait_for(service.synced.wait(), 30)
    return Running(service, task, engine, config)


async def test_one_group_on_slack_and_a_real_synapse(
    synapse: Synapse,
    tmp_path: Path,
    bot_engine: AsyncEngine,
    users: dict[str, MatrixUser],
    standin: SlackStandIn,
) -> None:
    bot = await start_both(synapse, tmp_path, bot_engine)
    rig = await start_rig(bot.service.router, standin)
    try:
        room = await group_room(users, bot)
        admin, bo, carl = (users[n] for n in ("admin", "bo", "carl"))
        assert "Nord" in (await admin.ask(bot.user_id, room, "!psp group setup Nord")).body
        for person, agency in ((bo, "social"), (carl, "psychiatry")):
            await admin.ask(bot.user_id, room, f"!psp member add {person.user_id} {agency} rep")
        assert await rig.command("UADMIN", "group setup Nord") == 200
        assert await rig.command("UADMIN", "member add <@UANNA|anna> police rep") == 200
        await standin.wait_for(lambda s: len(s.responses) >= 2)
        assert any("bound" in t for t in standin.response_texts())

        # Flagged on Slack: the Slack channel and the encrypted Matrix room both get the alert.
        mark = len(bo.notices)
        assert await rig.command("UANNA", "flag acute Borger truer naboer #threat") == 200
        await standin.wait_for(lambda s: s.of("chat.postMessage"))
        slack_alert = standin.of("chat.postMessage")[0]
        slack_alert["ts"] = "1700000000.000001"
        assert "PSP-2026-0001" in slack_alert["text"]
        alert = await bo.wait_notice(lambda n: "PSP-2026-0001" in n.body, after=mark)
        assert "Borger truer naboer" in alert.body
        assert set(alert.source["content"]["m.mentions"]["user_ids"]) == {
            bo.user_id,
            carl.user_id,
        }

        # Acknowledged in Matrix: the Slack alert is rewritten in place.
        await bo.ask(bot.user_id, room, "!psp ack PSP-2026-0001")
        await standin.wait_for(lambda s: s.of("chat.update"))
        assert "Acknowledged by: police, social services" in alert_blocks_text(
            standin.of("chat.update")[0]
        )

        # A button on Slack: the Matrix room learns about the same case.
        mark = len(carl.notices)
        status, _h, _t = await rig.interact(
            block_action(
                buttons(slack_alert)["psp.take"],
                "take",
                user="UANNA",
                channel=PRIVATE,
                message_ts=slack_alert["ts"],
            )
        )
        assert status == 200
        taken = await carl.wait_notice(
            lambda n: "police has taken responsibility" in n.body, after=mark
        )
        assert "PSP-2026-0001" in taken.body
    finally:
        await stop_rig(rig)
        with contextlib.suppress(Exception):
            await bot.stop()
