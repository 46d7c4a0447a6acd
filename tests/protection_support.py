"""Helpers for the data-protection tests: a harness whose storage encrypts, and a sender that
remembers what it posted and can take it back (like Matrix redaction / Slack deletion)."""

from __future__ import annotations

import base64
import itertools

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import BotSettings, PspBot
from bot.clock import FakeClock
from bot.demo import ensure_demo_group
from bot.domain import Platform
from bot.messages import Reply
from bot.ports.delivery import Outgoing, SendResult, Sent
from bot.runtime import Router
from storage.codec import TextCodec
from storage.crypto import AesGcmCodec, Keyring
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.conftest import Harness

ADMINS = frozenset(
    {(Platform.CONSOLE, "admin"), (Platform.MATRIX, "@admin:test"), (Platform.SLACK, "UADMIN")}
)


def keyring(*entries: tuple[str, int]) -> Keyring:
    """A keyring of fixed test keys: ("k1", 1) is 32 bytes of 0x01, and so on."""
    text = "\n".join(
        f"{key_id}:{base64.b64encode(bytes([fill]) * 32).decode()}" for key_id, fill in entries
    )
    return Keyring.parse(text, source="test")


class RetractingSender:
    """Returns a message id for every post and records retractions."""

    def __init__(self, sink: list[Reply]) -> None:
        self._sink = sink
        self._ids = itertools.count(1)
        self.posted: dict[str, Reply] = {}
        self.retracted: list[tuple[str, str]] = []

    async def send(self, message: Outgoing) -> SendResult:
        self._sink.append(message.reply)
        message_id = f"m{next(self._ids)}"
        self.posted[message_id] = message.reply
        return Sent(message_id)

    async def retract(self, room_id: str, message_id: str) -> SendResult:
        self.retracted.append((room_id, message_id))
        return Sent()


TEST_CODEC = AesGcmCodec(keyring(("k1", 1)))


async def secure_harness(
    engine: AsyncEngine, clock: FakeClock, codec: TextCodec | None = None
) -> tuple[Harness, RetractingSender]:
    codec = codec or TEST_CODEC
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine, codec)
    bot = PspBot(
        uow_factory=uow_factory,
        clock=clock,
        settings=BotSettings(
            admins=ADMINS,
            default_locale="en",
            insecure_rooms_allowed=frozenset({Platform.CONSOLE}),
        ),
    )
    router = Router(bot=bot, uow_factory=uow_factory, clock=clock)
    harness = Harness(router, clock, engine, uow_factory, "en", bot=bot)
    sender = RetractingSender(harness.sent)
    for platform in Platform:
        router.attach(platform, sender)
    await ensure_demo_group(uow_factory, clock)
    return harness, sender
