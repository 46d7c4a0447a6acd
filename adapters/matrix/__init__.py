"""The Matrix adapter: psp-bot in (end-to-end encrypted) Matrix rooms, with matrix-nio.

`psp-bot run` calls `load_config(settings)` and `build_service(config, router, settings)`.
"""

from __future__ import annotations

from adapters.matrix.config import MatrixConfig, load_config
from adapters.matrix.service import MatrixService
from bot.config import Settings
from bot.runtime import Router

__all__ = ["MatrixConfig", "MatrixService", "build_service", "load_config"]


def build_service(config: MatrixConfig, router: Router, settings: Settings) -> MatrixService:
    return MatrixService(config, router, settings)
