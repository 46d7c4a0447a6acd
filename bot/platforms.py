"""What a chat platform offers `psp-bot run`: a typed module per platform (Matrix, Slack)
instead of names looked up at run time.

A platform reads its own config section and builds one service on the router; the service
runs until it is cancelled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from bot.config import Settings
from bot.domain import Platform
from bot.runtime import Router


class PlatformConfig(Protocol):
    @property
    def allow_insecure_rooms(self) -> bool:
        """Whether rooms the platform calls insecure (unencrypted, public) may be bound."""
        ...


ConfigT = TypeVar("ConfigT", bound=PlatformConfig)


class ChatService(Protocol):
    async def run(self) -> None:
        """Serve the platform until the task is cancelled."""
        ...


class PlatformModule(Protocol[ConfigT]):
    @property
    def platform(self) -> Platform: ...

    def load_config(self, settings: Settings) -> ConfigT: ...

    def build_service(self, config: ConfigT, router: Router, settings: Settings) -> ChatService: ...


@dataclass(frozen=True)
class ChatPlatform(Generic[ConfigT]):
    """A PlatformModule from the platform's two functions."""

    platform: Platform
    read_config: Callable[[Settings], ConfigT]
    make_service: Callable[[ConfigT, Router, Settings], ChatService]

    def load_config(self, settings: Settings) -> ConfigT:
        return self.read_config(settings)

    def build_service(self, config: ConfigT, router: Router, settings: Settings) -> ChatService:
        return self.make_service(config, router, settings)
