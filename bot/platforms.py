"""What a chat platform offers `psp-bot run`: a typed module per platform (Matrix, Slack)
instead of names looked up at run time.

A platform reads its own config section and builds one service on the router. The service
runs until `stop()`: the first step of a graceful shutdown (bot/shutdown.py), after which it
takes no new input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from bot.config import Settings
from bot.domain import Platform
from bot.runtime import Router
from bot.shutdown import Service


class PlatformConfig(Protocol):
    @property
    def allow_insecure_rooms(self) -> bool:
        """Whether rooms the platform calls insecure (unencrypted, public) may be bound."""
        ...


ConfigT = TypeVar("ConfigT", bound=PlatformConfig)


# Matrix stops syncing; Slack closes its socket or answers HTTP with 503.
ChatService = Service


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
