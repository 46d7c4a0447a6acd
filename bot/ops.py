"""`[ops]`: the operations listener (Prometheus metrics, `/healthz`, `/readyz`).

Off unless `listen` is set. It serves no case data, so it needs no authentication, but it
belongs on loopback or a management network: `listen = "127.0.0.1:9464"`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.config import ConfigError, SectionReader


@dataclass(frozen=True)
class OpsConfig:
    listen: tuple[str, int] | None = None
    # /readyz turns not-ready when the oldest undelivered message waits longer than this.
    outbox_max_age_seconds: int = 300


def parse_ops_config(table: Mapping[str, Any] | None) -> OpsConfig:
    reader = SectionReader("ops", table)
    listen = reader.optional_text("listen")
    max_age = reader.integer("outbox_max_age_seconds", 300, minimum=10, maximum=86_400)
    reader.done()
    address = None
    if listen:
        host, _, port = listen.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"config [ops] listen: {listen!r} must be host:port")
        address = (host.strip("[]"), int(port))
    return OpsConfig(listen=address, outbox_max_age_seconds=max_age)
