"""Real matrix-nio clients as test users, and the bot running in-process against Synapse."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinError,
    MegolmEvent,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomSendResponse,
)

from adapters.matrix import crosssigning
from adapters.matrix.config import MatrixConfig
from tests.synapse import Synapse

PICKLE_KEY = "test-pickle-key-0123456789"


@dataclass
class Notice:
    room_id: str
    event_id: str
    sender: str
    body: str
    source: dict[str, Any]


@dataclass
class MatrixUser:
    """A person in a Matrix client: logs in, syncs in the background, sends and reads."""

    synapse: Synapse
    localpart: str
    store: Path
    cross_sign: bool = True
    client: AsyncClient = field(init=False)
    notices: list[Notice] = field(default_factory=list)
    undecryptable: list[str] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    @property
    def user_id(self) -> str:
        return self.client.user_id

    async def start(self) -> MatrixUser:
        user_id, password, _token = self.synapse.register(self.localpart)
        self.store.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(
            self.synapse.url,
            user_id,
            store_path=str(self.store),
            config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
        )
        await self.client.login(password, device_name=f"{self.localpart}-phone")
        await self.client.keys_upload()
        if self.cross_sign:
            assert await crosssigning.bootstrap(
                self.client, store_dir=self.store, pickle_key=PICKLE_KEY, password=password
            )
        self.client.add_event_callback(self._on_notice, RoomMessageNotice)
        self.client.add_event_callback(self._on_megolm, MegolmEvent)
        await self.client.sync(timeout=0, full_state=True)
        self._task = asyncio.create_task(self.client.sync_forever(timeout=2000))
        return self

    async def _on_notice(self, room: Any, event: RoomMessageNotice) -> None:
        self.notices.append(
            Notice(room.room_id, event.event_id, event.sender, event.body, event.source)
        )

    async def _on_megolm(self, room: Any, event: MegolmEvent) -> None:
        self.undecryptable.append(event.event_id)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.client.close()

    async def create_room(self, *, encrypted: bool, invite: list[str]) -> str:
        initial = (
            [
                {
                    "type": "m.room.encryption",
                    "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                }
            ]
            if encrypted
            else []
        )
        answer = await self.client.room_create(invite=invite, initial_state=initial)
        assert isinstance(answer, RoomCreateResponse), answer
        return str(answer.room_id)

    async def join(self, room_id: str) -> None:
        for _ in range(50):
            answer = await self.client.join(room_id)
            if not isinstance(answer, JoinError):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{self.localpart} could not join")

    async def wait_joined(self, room_id: str, user_id: str, wait_s: float = 20) -> None:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            room = self.client.rooms.get(room_id)
            if room is not None and user_id in room.users:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{user_id} did not join")

    async def say(self, room_id: str, text: str) -> str:
        answer = await self.client.room_send(
            room_id,
            "m.room.message",
            {"msgtype": "m.text", "body": text},
            ignore_unverified_devices=True,
        )
        assert isinstance(answer, RoomSendResponse), answer
        return str(answer.event_id)

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        answer = await self.client.room_send(
            room_id, "m.reaction", content, ignore_unverified_devices=True
        )
        assert isinstance(answer, RoomSendResponse), answer
        return str(answer.event_id)

    async def wait_notice(
        self,
        predicate: Callable[[Notice], bool],
        *,
        after: int = 0,
        wait_s: float = 30,
    ) -> Notice:
        """The first notice (from index `after` on) that matches; fails after `wait_s`."""
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            for notice in self.notices[after:]:
                if predicate(notice):
                    return notice
            await asyncio.sleep(0.02)
        bodies = [n.body for n in self.notices[after:]]
        raise AssertionError(f"{self.localpart} got no matching notice; got {bodies}")

    async def ask(self, bot_id: str, room_id: str, text: str, *, wait_s: float = 30) -> Notice:
        """Send a command and return the bot's answer to it (threaded to the command)."""
        mark = len(self.notices)
        event_id = await self.say(room_id, text)
        return await self.wait_notice(
            lambda n: (
                n.sender == bot_id
                and n.room_id == room_id
                and n.source["content"]
                .get("m.relates_to", {})
                .get("m.in_reply_to", {})
                .get("event_id")
                == event_id
            ),
            after=mark,
            wait_s=wait_s,
        )


def bot_config(
    synapse: Synapse,
    store: Path,
    *,
    user_id: str,
    password: str,
    **overrides: Any,
) -> MatrixConfig:
    values: dict[str, Any] = {
        "homeserver": synapse.url,
        "user_id": user_id,
        "device_name": "psp-bot",
        "store_dir": store,
        "password": password,
        "access_token": None,
        "pickle_key": PICKLE_KEY,
        "invite_allowlist_servers": (synapse.server_name,),
        "sync_timeout_ms": 2000,
        "undecryptable_wait_seconds": 3,
    }
    values.update(overrides)
    return MatrixConfig(**values)
