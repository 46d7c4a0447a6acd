"""One group bound to a Slack channel and a Matrix room: an alert reaches both, and a command in
either place acts on the same case. Slack is driven over signed HTTP against the stand-in; the
Matrix side is a recording sender on the same router (the real-Synapse variant lives with the
Matrix adapter's tests)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.domain import Platform
from bot.messages import Reply, ReplyKind
from bot.ports.delivery import Outgoing, SendResult, Sent
from tests.conftest import Harness
from tests.slack_standin import (
    PRIVATE,
    SlackRig,
    alert_blocks_text,
    block_action,
    buttons,
    rig,
    standin,
)

__all__ = ["rig", "standin"]  # the fixtures


MATRIX_ROOM = "!psp:test"


class MatrixRecorder:
    """Stands in for the Matrix adapter's sender: records what the Matrix room would get."""

    def __init__(self) -> None:
        self.sent: list[Reply] = []
        self._changed = asyncio.Condition()

    async def send(self, message: Outgoing) -> SendResult:
        async with self._changed:
            self.sent.append(message.reply)
            self._changed.notify_all()
        return Sent(f"$event{len(self.sent)}")

    async def wait_for(self, predicate: Callable[[], object], limit: float = 15.0) -> None:
        async with asyncio.timeout(limit), self._changed:
            await self._changed.wait_for(predicate)


async def on_matrix(harness: Harness, user: str, text: str) -> str:
    return await harness.text(
        user, text, platform=Platform.MATRIX, room=MATRIX_ROOM, room_secure=True
    )


async def test_one_group_across_slack_and_matrix(rig: SlackRig, harness: Harness) -> None:
    standin = rig.standin
    assert await rig.command("UADMIN", "group setup Nord") == 200
    await standin.wait_for(lambda s: s.responses)
    assert "Nord" in await on_matrix(harness, "@admin:test", "group setup Nord")
    assert await rig.command("UADMIN", "member add <@UANNA|anna> police rep") == 200
    await on_matrix(harness, "@admin:test", "member add @bo:test social rep")
    await on_matrix(harness, "@admin:test", "member add @carl:test psychiatry rep")
    await standin.wait_for(lambda s: len(s.responses) >= 3)

    # Flagged on Slack: the alert reaches the Slack channel and the Matrix room.
    matrix = MatrixRecorder()
    harness.router.attach(Platform.MATRIX, matrix)
    assert await rig.command("UANNA", "flag acute Borger truer naboer") == 200
    await standin.wait_for(lambda s: s.of("chat.postMessage"))
    slack_alert: dict[str, Any] = standin.of("chat.postMessage")[0]
    slack_alert["ts"] = "1700000000.000001"
    assert "PSP-2026-0001" in slack_alert["text"]
    await matrix.wait_for(lambda: matrix.sent)
    assert [r.kind for r in matrix.sent] == [ReplyKind.ALERT]
    matrix_alert = matrix.sent[0]
    assert "Borger truer naboer" in matrix_alert.text
    assert {m.user_id for m in matrix_alert.mentions} == {"@bo:test", "@carl:test"}

    # Acknowledged in Matrix: the Slack alert is rewritten in place.
    assert "acknowledged" in await on_matrix(harness, "@bo:test", "ack PSP-2026-0001")
    await standin.wait_for(lambda s: s.of("chat.update"))
    assert "Acknowledged by: police, social services" in alert_blocks_text(
        standin.of("chat.update")[0]
    )

    # A button click on Slack: the Matrix room is told about the same case.
    matrix.sent.clear()
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
    await standin.wait_for(lambda s: len(s.of("chat.update")) >= 2)
    await matrix.wait_for(lambda: matrix.sent)
    matrix_updates = matrix.sent
    assert "police has taken responsibility" in matrix_updates[0].text
    assert "responsible: police" in await on_matrix(harness, "@carl:test", "show PSP-2026-0001")
