"""Matrix as a platform of `psp-bot run` (the `[matrix]` section)."""

from __future__ import annotations

from adapters.matrix.config import MatrixConfig, load_config
from adapters.matrix.service import MatrixService
from bot.config import Settings
from bot.domain import Platform
from bot.platforms import ChatPlatform, PlatformModule
from bot.runtime import Router


def build_service(config: MatrixConfig, router: Router, settings: Settings) -> MatrixService:
    return MatrixService(config, router, settings)


MATRIX: PlatformModule[MatrixConfig] = ChatPlatform(Platform.MATRIX, load_config, build_service)
