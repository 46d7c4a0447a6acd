"""`psp-bot --version` names the installed release, so an operator can say what runs."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version


def test_version_names_the_installed_release() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main(['--version'])"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"psp-bot {version('psp-bot')}"
