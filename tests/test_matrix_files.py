"""Files the bot sends (a meeting calendar here; reports and minutes take the same path)
against a real Synapse: in an encrypted room each is an `m.file` whose content is encrypted
before upload — the event carries `file` (key, IV, hash), never a plain `url` — and a member's
client downloads and decrypts it to exactly the file the bot made."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from nio import DownloadError
from nio.crypto.attachments import decrypt_attachment
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.matrix_support import MatrixUser, bot_engine, group_room, start_bot, users
from tests.synapse import Synapse, synapse

__all__ = ["bot_engine", "synapse", "users"]

pytestmark = pytest.mark.synapse


async def wait_file(user: MatrixUser, after: int) -> dict[str, object]:
    for _ in range(600):
        if len(user.files) > after:
            return user.files[after].source
        await asyncio.sleep(0.05)
    raise AssertionError(f"{user.localpart} got no file")


async def download(user: MatrixUser, mxc: str) -> bytes:
    answer = await user.client.download(mxc)
    assert not isinstance(answer, DownloadError), answer
    return bytes(answer.body)


async def test_a_calendar_in_an_encrypted_room_is_an_encrypted_m_file(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    admin, bo = users["admin"], users["bo"]
    # Short long-polls: the one sync awaited below comes quickly when nothing happens.
    bot = await start_bot(synapse, tmp_path, bot_engine, "filebot", sync_timeout_ms=300)
    try:
        room = await group_room(users, bot)
        await admin.ask(bot.user_id, room, "!psp group setup Filby")
        await admin.ask(bot.user_id, room, f"!psp member add {bo.user_id} social lead")
        answer = await bo.ask(bot.user_id, room, "!psp meeting schedule 2030-03-04 10:00")
        assert "2030-03-04" in answer.body
        mark = len(bo.files)
        answer = await bo.ask(bot.user_id, room, "!psp meeting ics")
        event = await wait_file(bo, mark)
        content = event["content"]
        assert isinstance(content, dict)
        assert content["msgtype"] == "m.file" and "url" not in content
        assert content["body"].endswith(".ics") and content["info"]["mimetype"] == "text/calendar"
        sealed = content["file"]
        assert sealed["v"] == "v2" and sealed["url"].startswith("mxc://")
        ciphertext = await download(bo, sealed["url"])
        assert b"VCALENDAR" not in ciphertext  # the homeserver holds only ciphertext
        plain = decrypt_attachment(
            ciphertext, sealed["key"]["k"], sealed["hashes"]["sha256"], sealed["iv"]
        )
        assert plain.startswith(b"BEGIN:VCALENDAR") and b"20300304T" in plain
        assert len(plain) == content["info"]["size"]
        # The event itself travelled end-to-end encrypted, as every message in the room.
        status, raw = await bo.api(
            "GET", f"/_matrix/client/v3/rooms/{room}/event/{event['event_id']}"
        )
        assert status == 200 and raw["type"] == "m.room.encrypted"
        # Exactly one file for the one command, sent after its text answer.
        await asyncio.wait_for(bot.service.synced.wait(), 30)
        assert len(bo.files) == mark + 1
        assert answer.source["origin_server_ts"] <= event["origin_server_ts"]
    finally:
        await bot.stop()
