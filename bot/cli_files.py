"""Small file and terminal helpers of the administrative commands (bot/cli_admin.py)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from bot.config import ConfigError


class Progress:
    """A progress bar on stderr: `re-encrypting [########------------]  40%  400/1000`."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total = label, max(total, 1)

    def __call__(self, done: int) -> None:
        share = min(done / self.total, 1.0)
        bar = "#" * int(share * 30)
        print(
            f"\r{self.label} [{bar:<30}] {share:4.0%}  {done}/{self.total}",
            end="",
            file=sys.stderr,
            flush=True,
        )

    def end(self) -> None:
        print(file=sys.stderr)


def write_private(path: Path, text: str) -> None:
    """Files holding personal data or keys are readable by their owner only, also when they
    replace an existing file: the mode given to open() applies only to a file it creates."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def read_checkpoints(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"checkpoint file {path}: cannot read ({exc.strerror})") from None
    try:
        return [json.loads(line) for line in lines if line.strip()]
    except json.JSONDecodeError:
        raise ConfigError(f"checkpoint file {path}: not one JSON object per line") from None
