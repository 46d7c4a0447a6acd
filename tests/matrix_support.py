"""Real matrix-nio clients as test users, and the bot running in-process against Synapse."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinError,
    MegolmEvent,
    RoomCreateResponse,
    RoomEncryptedFile,
    RoomKeyEvent,
    RoomMessageFile,
    RoomMessageNotice,
    RoomSendResponse,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.matrix import crosssigning
from adapters.matrix.config import MatrixConfig
from adapters.matrix.service import MatrixService
from adapters.matrix.vault import FileVault
from bot.cli_setup import build_app
from bot.config import Settings
from bot.domain import Platform
from bot.ports import Clock
from storage.engine import make_engine
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
    files: list[Notice] = field(default_factory=list)  # m.file events, as the client read them
    undecryptable: list[str] = field(default_factory=list)
    # Per room: a fresh device cannot read the history of rooms from earlier tests.
    undecryptable_in: dict[str, list[str]] = field(default_factory=dict)
    # For a failure's message: the megolm sessions of what could not be read, and of the room
    # keys that came (a key that comes after its event is not used for it by matrix-nio).
    missing_sessions: list[str] = field(default_factory=list)
    keys_received: list[str] = field(default_factory=list)
    # Events waiting for their room key, by megolm session: read when it comes, as Element
    # does (matrix-nio alone never looks at them again).
    _waiting: dict[str, list[tuple[Any, MegolmEvent]]] = field(default_factory=dict)
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
            # A person's client retries a lost connection within a second (nio's default
            # doubles its wait up to a minute): a restarted homeserver is seen at once.
            config=AsyncClientConfig(
                encryption_enabled=True, store_sync_tokens=False, max_timeout_retry_wait_time=1
            ),
        )
        await self.client.login(password, device_name=f"{self.localpart}-phone")
        await self.client.keys_upload()
        if self.cross_sign:
            assert await crosssigning.bootstrap(
                self.client,
                vault=FileVault(self.store, user_id),
                pickle_key=PICKLE_KEY,
                password=password,
            )
        self.client.add_event_callback(self._on_notice, RoomMessageNotice)
        self.client.add_event_callback(self._on_megolm, MegolmEvent)
        self.client.add_event_callback(self._on_file, (RoomEncryptedFile, RoomMessageFile))
        self.client.add_to_device_callback(self._on_room_key, RoomKeyEvent)
        await self.client.sync(timeout=0, full_state=True)
        self._task = asyncio.create_task(self.client.sync_forever(timeout=2000))
        return self

    async def _on_notice(self, room: Any, event: RoomMessageNotice) -> None:
        self.notices.append(
            Notice(room.room_id, event.event_id, event.sender, event.body, event.source)
        )

    async def _on_file(self, room: Any, event: RoomEncryptedFile | RoomMessageFile) -> None:
        self.files.append(
            Notice(room.room_id, event.event_id, event.sender, event.body, event.source)
        )

    async def _on_room_key(self, event: RoomKeyEvent) -> None:
        self.keys_received.append(f"{event.sender}:{event.session_id[:8]}")
        for room, waiting in self._waiting.pop(event.session_id, []):
            try:
                readable = self.client.decrypt_event(waiting)
            except Exception:  # still unreadable (another sender's key, a bad event)
                continue
            self.undecryptable.remove(waiting.event_id)
            self.undecryptable_in[room.room_id].remove(waiting.event_id)
            if isinstance(readable, RoomMessageNotice):
                await self._on_notice(room, readable)
            elif isinstance(readable, RoomEncryptedFile | RoomMessageFile):
                await self._on_file(room, readable)

    async def _on_megolm(self, room: Any, event: MegolmEvent) -> None:
        self.missing_sessions.append(f"{event.sender}:{event.session_id[:8]}")
        self._waiting.setdefault(event.session_id, []).append((room, event))
        self.undecryptable.append(event.event_id)
        self.undecryptable_in.setdefault(room.room_id, []).append(event.event_id)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.client.close()

    async def api(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """A raw client-server API call as this user."""
        return await crosssigning.api(self.client, method, path, body)

    async def create_room(
        self, *, encrypted: bool, invite: list[str], moderators: tuple[str, ...] = ()
    ) -> str:
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
        # Room version 12: the creator's power is implicit and must not be listed.
        power = {"users": {m: 50 for m in moderators}} if moderators else None
        answer = await self.client.room_create(
            invite=invite, initial_state=initial, power_level_override=power
        )
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
            # In an encrypted room, also wait until we know the newcomer's devices.
            if (
                room is not None
                and user_id in room.users
                and user_id not in room.invited_users  # joined, not merely invited
                and (
                    not room.encrypted
                    or user_id == self.user_id
                    or list(self.client.device_store.active_user_devices(user_id))
                )
            ):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{user_id} did not join")

    async def _share_with_everyone(self, room_id: str) -> None:
        """matrix-nio shares a room key once per session: when a device joined after that,
        start a new session so the newcomer (the bot) can read what we send."""
        client = self.client
        if client.should_query_keys:
            with contextlib.suppress(Exception):
                await client.keys_query()
        assert client.olm is not None
        session = client.olm.outbound_group_sessions.get(room_id)
        room = client.rooms.get(room_id)
        if session is None or room is None:
            return
        known = session.users_shared_with | session.users_ignored
        for user in room.users:
            for device in client.device_store.active_user_devices(user):
                if device.id != client.device_id and (user, device.id) not in known:
                    client.invalidate_outbound_session(room_id)
                    return

    async def say(self, room_id: str, text: str) -> str:
        return await self.say_content(room_id, {"msgtype": "m.text", "body": text})

    async def say_content(self, room_id: str, content: dict[str, Any]) -> str:
        """Send a message's content exactly as given (e.g. as Element Web shapes it)."""
        await self._share_with_everyone(room_id)
        answer = await self.client.room_send(
            room_id, "m.room.message", content, ignore_unverified_devices=True
        )
        assert isinstance(answer, RoomSendResponse), answer
        return str(answer.event_id)

    async def react(self, room_id: str, event_id: str, key: str, *, encrypted: bool = False) -> str:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        if encrypted:  # as Element does in encrypted rooms (matrix-nio sends them in clear)
            await self._share_with_everyone(room_id)
            if not self.client.rooms[room_id].members_synced:
                await self.client.joined_members(room_id)
            if self.client.olm.should_share_group_session(room_id):
                await self.client.share_group_session(room_id, ignore_unverified_devices=True)
            _type, sealed = self.client.encrypt(room_id, "m.reaction", content)
            txn = secrets.token_hex(8)
            status, answer = await self.api(
                "PUT", f"/_matrix/client/v3/rooms/{room_id}/send/m.room.encrypted/{txn}", sealed
            )
            assert status == 200, answer
            return str(answer["event_id"])
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
        raise AssertionError(
            f"{self.localpart} got no matching notice; got {bodies}; could not read events of "
            f"sessions {self.missing_sessions}; room keys came for {self.keys_received}"
        )

    async def ask(self, bot_id: str, room_id: str, text: str, *, wait_s: float = 30) -> Notice:
        """Send a command and return the bot's answer to it (threaded to the command)."""
        content = {"msgtype": "m.text", "body": text}
        return await self.ask_content(bot_id, room_id, content, wait_s=wait_s)

    async def ask_content(
        self, bot_id: str, room_id: str, content: dict[str, Any], *, wait_s: float = 30
    ) -> Notice:
        """`ask` with the message's whole content given."""
        mark = len(self.notices)
        event_id = await self.say_content(room_id, content)
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
    synapse: Synapse,
    tmp: Path,
    engine: AsyncEngine,
    localpart: str,
    *,
    clock: Clock | None = None,
    **overrides: object,
) -> Running:
    user_id, password, _ = synapse.register(localpart)
    config = bot_config(synapse, tmp / "bot-store", user_id=user_id, password=password)
    config = replace(config, **overrides)  # type: ignore[arg-type]
    settings = Settings(
        locale="en",
        admins=frozenset({(Platform.MATRIX, "@admin:test")}),
        data_dir=tmp / "data",
    )
    router = build_app(settings, engine).router
    if clock is not None:  # a bot living on a fake clock (scheduled work, delivery timing)
        router._clock = router._bot._clock = router.delivery._clock = clock  # type: ignore[misc]
    service = MatrixService(config, router, settings)

    async def run() -> None:
        # What `psp-bot run` runs for a Matrix bot: the adapter and the delivery worker.
        await asyncio.gather(service.run(), router.delivery.run())

    task = asyncio.create_task(run())
    await asyncio.wait_for(service.synced.wait(), 30)
    return Running(service, task, engine, config)


@asynccontextmanager
async def bot_in_room(
    synapse: Synapse,
    tmp: Path,
    engine: AsyncEngine,
    admin: MatrixUser,
    localpart: str,
    **overrides: object,
) -> AsyncIterator[tuple[Running, str]]:
    """A running bot that has joined a new encrypted room of `admin`; stopped afterwards."""
    bot = await start_bot(synapse, tmp, engine, localpart, **overrides)
    try:
        room = await admin.create_room(encrypted=True, invite=[bot.user_id])
        await admin.wait_joined(room, bot.user_id)
        yield bot, room
    finally:
        await bot.stop()


@pytest.fixture
async def bot_engine(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[AsyncEngine]:
    target = tmp_path / "psp.sqlite3"
    shutil.copyfile(sqlite_template, target)  # migrated already
    engine = make_engine(f"sqlite:///{target}")
    yield engine
    await engine.dispose()


PEOPLE = ("admin", "anna", "bo", "carl")


@pytest.fixture
async def users(
    synapse: Synapse, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[dict[str, MatrixUser]]:
    """admin, anna, bo and carl, logged in and cross-signed; a test marked
    `@pytest.mark.people("admin", …)` gets only those it names (each costs a login, keys
    and a cross-signing identity on the homeserver)."""
    marker = request.node.get_closest_marker("people")
    names = PEOPLE if marker is None else marker.args
    people = {n: MatrixUser(synapse, n, tmp_path / f"user-{n}") for n in names}
    # Each logs in and sets up its keys on its own: together they wait on Synapse once.
    await asyncio.gather(*(person.start() for person in people.values()))
    yield people
    await asyncio.gather(*(person.stop() for person in people.values()))


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
