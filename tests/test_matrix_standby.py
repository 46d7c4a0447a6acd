"""Two bot processes, two data directories, one PostgreSQL and a real Synapse: the Matrix
device lives in the database (`crypto_state = "database"`), one process serves it and the
other stands by; killing the active one mid-conversation hands the same device to the
standby, which answers everything exactly once and still reads new encrypted sessions."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import count_cases
from tests.matrix_support import MatrixUser, users
from tests.synapse import Synapse, synapse
from tests.test_matrix_restart import BotProcess, answers_to, group_room_with_anna

__all__ = ["synapse", "users"]

pytestmark = pytest.mark.synapse

STANDBY = 'crypto_state = "database"\ntakeover_check_seconds = 1'


@pytest.fixture
def pair(synapse: Synapse, tmp_path: Path, pg_database: str) -> Iterator[list[BotProcess]]:
    bots = [
        BotProcess(synapse, tmp_path / name, extra_matrix=STANDBY, database_url=pg_database)
        for name in ("host-a", "host-b")
    ]
    yield bots
    for bot in bots:
        bot.stop()
        print(f"--- {bot.directory.name}\n{bot.log()[-4000:]}")  # shown when the test failed


async def wait_for_log(bot: BotProcess, text: str, *, wait_s: float = 60) -> None:
    deadline = time.monotonic() + wait_s
    while text not in bot.log():
        assert time.monotonic() < deadline, f"{bot.directory.name} never logged {text!r}"
        await asyncio.sleep(0.2)


def devices_of(synapse: Synapse, user_id: str) -> list[str]:
    _admin, _pw, token = synapse.register("device-auditor", admin=True)
    request = urllib.request.Request(
        f"{synapse.url}/_synapse/admin/v2/users/{user_id}/devices",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return [d["device_id"] for d in json.loads(answer.read())["devices"]]


async def test_the_standby_takes_over_the_same_device_and_answers_everything_once(
    synapse: Synapse, pair: list[BotProcess], users: dict[str, MatrixUser]
) -> None:
    active, standby = pair
    anna, bo, admin = users["anna"], users["bo"], users["admin"]
    bot = active.user_id
    active.start()
    room = await group_room_with_anna(bot, users, "Vestby")
    standby.start()
    await wait_for_log(standby, "standing by")
    devices = devices_of(synapse, bot)  # the bot's, and the test's own logins

    await anna.ask(bot, room, "!psp flag normal before-failover")
    await anna.say(room, "!psp flag normal in-flight-at-kill")
    active.kill()
    killed = time.monotonic()
    await anna.say(room, "!psp flag normal during-takeover")

    for summary in ("in-flight-at-kill", "during-takeover"):
        await anna.wait_notice(lambda n, s=summary: n.sender == bot and s in n.body, wait_s=90)
    print(f"first answer from the standby {time.monotonic() - killed:.1f} s after the kill")
    assert "took over the Matrix device" in standby.log()

    # A member the bot never had a session with: bo's device claims one of the bot's one-time
    # keys to send it the room key. The standby must hold the private half.
    await admin.ask(bot, room, f"!psp member add {bo.user_id} psychiatry rep")
    await admin.client.room_invite(room, bo.user_id)
    await bo.join(room)
    await bo.wait_joined(room, bot)
    assert (await bo.ask(bot, room, "!psp help", wait_s=60)).body

    await anna.ask(bot, room, "!psp help")  # a barrier after everything above
    for summary in ("before-failover", "in-flight-at-kill", "during-takeover"):
        assert answers_to(anna, bot, summary) == 1, summary
    assert await count_cases(active.database_url) == 3
    assert devices_of(synapse, bot) == devices  # the same device: no new login
    assert not anna.undecryptable_in.get(room)  # every answer of both processes was readable


async def test_a_stopped_standby_leaves_the_active_process_serving(
    synapse: Synapse, pair: list[BotProcess], users: dict[str, MatrixUser]
) -> None:
    active, standby = pair
    anna = users["anna"]
    bot = active.user_id
    active.start()
    room = await group_room_with_anna(bot, users, "Østby")
    standby.start()
    await wait_for_log(standby, "standing by")
    assert standby.terminate() == 0
    answer = await anna.ask(bot, room, "!psp flag normal after-standby-left")
    assert "after-standby-left" in answer.body
    assert "took over" not in active.log()
