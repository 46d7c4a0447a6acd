"""The Matrix adapter: psp-bot in (end-to-end encrypted) Matrix rooms, with matrix-nio.
`psp-bot run` uses it through `adapters.matrix.platform.MATRIX`."""

from adapters.matrix.config import MatrixConfig, load_config
from adapters.matrix.platform import build_service
from adapters.matrix.service import MatrixService

__all__ = ["MatrixConfig", "MatrixService", "build_service", "load_config"]
