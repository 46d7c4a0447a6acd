"""Administrative `psp-bot` subcommands (keys, audit, purge, export): parsers and runners.
Imported by the composition root only."""

from __future__ import annotations

import argparse
from typing import Any

from bot.config import ConfigError, Settings


def add_commands(sub: Any) -> None:
    """Add the administrative subcommands to the `psp-bot` parser."""


async def run(args: argparse.Namespace, settings: Settings) -> int:
    raise ConfigError(f"unknown command {args.command}")
