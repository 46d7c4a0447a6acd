"""The installed release of psp-bot (`psp-bot --version`, backup manifests)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def installed_version() -> str:
    try:
        return version("psp-bot")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"
