"""The Matrix adapter against a real Synapse, with real matrix-nio clients as the members."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.matrix.config import MatrixConfig
from adapters.matrix.service import MatrixService
from bot.cli import build_router
from bot.config import Settings
from bot.domain import Platform
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.matrix_support import MatrixUser, bot_config
from tests.synapse import Synapse, synapse

__all__ = ["synapse"]

pytestmark = pytest.mark.synapse


@dataclass
class Running:
    service: MatrixService
    task: asyncio.Task[None]
    engine: AsyncEngine
    config: MatrixConfig

    @property
    def user_id(self) -> str:
        return self.config.user_id

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def start_bot(
    synapse: Synapse, tmp: Path, engine: AsyncEngine, localpart: str, **overrides: object
) -> Running:
    user_id, password, _ = synapse.register(localpart)
    config = bot_config(synapse, tmp / "bot-store", user_id=user_id, password=password)
    config = replace(config, **overrides)  # type: ignore[arg-type]
    settings = Settings(locale="en", admins=frozenset({(Platform.MATRIX, "@admin:test")}))
    router = build_router(settings, engine, insecure=frozenset())
    service = MatrixService(config, router, settings)
    task = asyncio.create_task(service.run())
    await asyncio.wait_for(service.synced.wait(), 30)
    return Running(service, task, engine, config)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'psp.sqlite3'}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def users(synapse: Synapse, tmp_path: Path) -> AsyncIterator[dict[str, MatrixUser]]:
    names = ("admin", "anna", "bo", "carl")
    people = {n: MatrixUser(synapse, n, tmp_path / f"user-{n}") for n in names}
    for person in people.values():
        await person.start()
    yield people
    for person in people.values():
        await person.stop()


async def group_room(users: dict[str, MatrixUser], bot: Running, *, encrypted: bool = True) -> str:
    admin = users["admin"]
    others = [u.user_id for n, u in users.items() if n != "admin"]
    room_id = await admin.create_room(encrypted=encrypted, invite=[bot.user_id, *others])
    for name, person in users.items():
        if name != "admin":
            await person.join(room_id)
    await admin.wait_joined(room_id, bot.user_id)
    for person in users.values():
        for other in users.values():
            await person.wait_joined(room_id, other.user_id)
    return room_id


async def test_full_case_in_an_encrypted_room(
    synapse: Synapse, tmp_path: Path, engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    bot = await start_bot(synapse, tmp_path, engine, "pspbot")
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

        answer = await bo.ask(bot.user_id, room, f"!psp assign {ref} social")
        assert ref in answer.body
        answer = await bo.ask(
            bot.user_id, room, f'!psp decide {ref} "Housing support visit" --owner social'
        )
        assert ref in answer.body
        answer = await bo.ask(bot.user_id, room, f"!psp close {ref} Citizen accepted support")
        assert ref in answer.body

        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT * FROM decisions"))).mappings().all()
        assert len(rows) == 1
        assert not bo.undecryptable
    finally:
        await bot.stop()
