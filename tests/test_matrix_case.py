"""The Matrix adapter against a real Synapse, with real matrix-nio clients as the members."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.matrix_support import MatrixUser, bot_engine, group_room, start_bot, users
from tests.synapse import Synapse, synapse

__all__ = ["bot_engine", "synapse", "users"]

pytestmark = pytest.mark.synapse


async def test_full_case_in_an_encrypted_room(
    synapse: Synapse, tmp_path: Path, engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    """On SQLite and on PostgreSQL (conftest's `engine`)."""
    bot_engine = engine
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot")
    try:
        room = await group_room(users, bot)
        admin, anna, bo, carl = (users[n] for n in ("admin", "anna", "bo", "carl"))
        answer = await admin.ask(bot.user_id, room, "!psp group setup Nordby")
        assert "Nordby" in answer.body
        for person, agency, role in (
            (anna, "police", "rep"),
            (bo, "social", "lead"),
            (carl, "psychiatry", "rep"),
        ):
            answer = await admin.ask(
                bot.user_id, room, f"!psp member add {person.user_id} {agency} {role}"
            )
            assert person.localpart in answer.body

        mark = len(bo.notices)
        await anna.say(room, "!psp flag acute Neighbour threatened with a knife #threat")
        alert = await bo.wait_notice(lambda n: "PSP-" in n.body and "knife" in n.body, after=mark)
        ref = next(w for w in alert.body.replace(":", " ").split() if w.startswith("PSP-"))
        content = alert.source["content"]
        assert content["msgtype"] == "m.notice"
        assert set(content["m.mentions"]["user_ids"]) == {bo.user_id, carl.user_id}
        assert f"https://matrix.to/#/{bo.user_id}" in content["formatted_body"]

        mark = len(bo.notices)
        await bo.react(room, alert.event_id, "✅")
        acked = await bo.wait_notice(
            lambda n: ref in n.body and n.sender == bot.user_id, after=mark
        )
        assert "social" in acked.body.lower() or "acknowledg" in acked.body.lower()

        mark = len(carl.notices)
        await carl.react(room, alert.event_id, "👍", encrypted=True)
        acked = await carl.wait_notice(
            lambda n: ref in n.body and n.sender == bot.user_id and "sychiatry" in n.body,
            after=mark,
        )

        answer = await bo.ask(bot.user_id, room, f"!psp assign {ref} social")
        assert ref in answer.body
        answer = await bo.ask(
            bot.user_id, room, f'!psp decide {ref} "Housing support visit" --owner social'
        )
        assert ref in answer.body
        answer = await bo.ask(
            bot.user_id,
            room,
            f"!psp close {ref} Citizen accepted support --outcome support-accepted",
        )
        assert ref in answer.body

        async with bot_engine.connect() as conn:
            rows = (await conn.execute(text("SELECT * FROM decisions"))).mappings().all()
        assert len(rows) == 1
        assert not bo.undecryptable_in.get(room)
    finally:
        await bot.stop()


async def test_a_change_edits_the_alert_and_goes_in_its_thread(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    """Matrix clients show the alert's current state (an `m.replace` edit) and keep a case's
    updates in the alert's thread (`m.thread`)."""
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot")
    try:
        room = await group_room(users, bot)
        admin, anna, bo = (users[n] for n in ("admin", "anna", "bo"))
        await admin.ask(bot.user_id, room, "!psp group setup Trådby")
        for person, agency in ((anna, "police"), (bo, "social")):
            await admin.ask(bot.user_id, room, f"!psp member add {person.user_id} {agency} rep")
        mark = len(bo.notices)
        await anna.say(room, "!psp flag normal Naboen bekymret for ældre mand")
        alert = await bo.wait_notice(lambda n: "Naboen bekymret" in n.body, after=mark)
        ref = next(w for w in alert.body.replace(":", " ").split() if w.startswith("PSP-"))
        assert "Awaiting acknowledgement from: social services" in alert.body

        mark = len(bo.notices)
        update = await bo.ask(bot.user_id, room, f"!psp ack {ref}")
        relation = update.source["content"]["m.relates_to"]
        assert relation["rel_type"] == "m.thread" and relation["event_id"] == alert.event_id
        edit = await bo.wait_notice(
            lambda n: n.source["content"].get("m.relates_to", {}).get("rel_type") == "m.replace",
            after=mark,
        )
        content = edit.source["content"]
        assert content["m.relates_to"]["event_id"] == alert.event_id
        assert content["body"].startswith("* ")
        new = content["m.new_content"]["body"]
        assert "Naboen bekymret" in new and "flagged by police" in new
        assert "Awaiting acknowledgement from: none" in new
        assert content["m.mentions"] == {}  # an edit pings nobody
    finally:
        await bot.stop()
