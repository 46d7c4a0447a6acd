"""`psp-bot outbox`: the operator sees what is owed (never its text) and can retry dropped
messages. Run as the operator runs it, as a process, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.domain import Platform
from bot.ports.delivery import Retry
from bot.ports.outbox import OutboxStatus
from tests.conftest import Harness
from tests.delivery_support import REFUSED, FlakySender, bind_rooms, outbox
from tests.test_database_cli import psp_bot


async def test_outbox_lists_pending_and_dropped_rows_without_their_text_and_retries(
    harness: Harness, database_url: str, tmp_path: Path
) -> None:
    await bind_rooms(harness, "!gone:test", "!slow:test")
    matrix = FlakySender()
    matrix.fail("!gone:test", REFUSED)
    matrix.refuse_always("!slow:test", Retry(reason="http-502"))
    harness.router.attach(Platform.MATRIX, matrix)
    await harness.text("anna", "flag acute Borger truer naboer")

    listed = await asyncio.to_thread(psp_bot, database_url, tmp_path, "outbox")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == [
        "id",
        "status",
        "platform",
        "room",
        "kind",
        "age",
        "attempts",
        "reason",
    ]
    assert any(
        line.split()[1:5] == ["dropped", "matrix", "!gone:test", "alert"] and "M_FORBIDDEN" in line
        for line in lines
    )
    assert any(
        line.split()[1:5] == ["pending", "matrix", "!slow:test", "alert"] and "http-502" in line
        for line in lines
    )
    assert lines[-1] == "1 pending, 1 dropped"
    assert "Borger" not in listed.stdout

    retried = await asyncio.to_thread(
        psp_bot, database_url, tmp_path, "outbox", "retry", "--all-dropped"
    )
    assert retried.returncode == 0, retried.stderr
    # In the bot's language (Danish unless the config says otherwise), counted as one.
    assert retried.stdout.strip() == "psp-bot: 1 opgivet besked sendes igen"
    assert {r.room_id for r in await outbox(harness, OutboxStatus.PENDING)} == {
        "!gone:test",
        "!slow:test",
    }
    harness.clock.set(datetime.now(UTC))  # the command made it due on the real clock
    await harness.router.delivery.run_once()
    assert len(matrix.texts("!gone:test")) == 1

    wrong = await asyncio.to_thread(
        psp_bot, database_url, tmp_path, "outbox", "retry", "--id", "999"
    )
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == "psp-bot: outbox retry: only dropped messages can be retried"
