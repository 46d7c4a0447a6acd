"""Typed settings from a TOML file, secrets from the environment.

A bad config stops the bot at start with one line naming the key and what is wrong. Each
platform section (`[matrix]`, `[slack]`, …) is read by its own adapter with SectionReader, so
that every module checks exactly the keys it documents.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.domain import Platform
from bot.i18n import LOCALES

ENV_PREFIX = "PSP_BOT_"
KNOWN_SECTIONS = (
    "bot",
    "database",
    "console",
    "matrix",
    "slack",
    "scheduler",
    "retention",
    "encryption",
    "backup",
    "ops",
    "housekeeping",
)


class ConfigError(Exception):
    """One line: which key, what is wrong."""


class SectionReader:
    """Reads one `[section]` table; `done()` refuses keys nobody asked for (typos)."""

    def __init__(self, section: str, table: Mapping[str, Any] | None) -> None:
        self.section = section
        self._table = dict(table or {})
        self._seen: set[str] = set()

    def _fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"config [{self.section}] {key}: {problem}")

    def _get(self, key: str) -> Any:
        self._seen.add(key)
        return self._table.get(key)

    def text(self, key: str, default: str) -> str:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self._fail(key, f"must be a text string, not {type(value).__name__}")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self._get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._fail(key, f"must be a text string, not {type(value).__name__}")
        return value

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.text(key, default)
        if value not in choices:
            raise self._fail(key, f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._fail(key, "must be true or false")
        return value

    def integer(self, key: str, default: int, *, minimum: int = 0, maximum: int = 10**9) -> int:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "must be a whole number")
        if not minimum <= value <= maximum:
            raise self._fail(key, f"must be between {minimum} and {maximum}")
        return value

    def text_list(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "must be a list of text strings")
        return tuple(value)

    def value(self, key: str) -> Any:
        """A key's raw value (a nested table), None if absent; the caller checks its type."""
        return self._get(key)

    def secret(self, key: str, env: str, *, required: bool = False) -> str | None:
        """A secret never sits in the committed file: it comes from the environment variable
        `env`, or from a file named by `<key>_file` in the config."""
        if key in self._table:
            raise self._fail(key, f"secrets are not read from the config; set {env}")
        path = self.optional_text(f"{key}_file")
        value = os.environ.get(env)
        if not value and path:
            try:
                value = Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise self._fail(f"{key}_file", f"cannot read {path}: {exc.strerror}") from None
        if required and not value:
            raise self._fail(key, f"is required: set {env} or {key}_file")
        return value or None

    def done(self) -> None:
        unknown = sorted(set(self._table) - self._seen)
        if unknown:
            raise self._fail(unknown[0], "unknown key")


@dataclass(frozen=True)
class Settings:
    locale: str = "da"
    admins: frozenset[tuple[Platform, str]] = frozenset()
    data_dir: Path = Path("data")
    database_url: str = ""
    console_user: str = "admin"
    log_level: str = "WARNING"
    log_format: str = "text"
    # After SIGTERM/SIGINT: how long to go on delivering what is pending before exiting.
    shutdown_grace_seconds: int = 10
    # [database] pool_size, max_overflow, lock_wait_seconds as set (storage/engine.py has
    # the defaults): keyword arguments of the engine.
    database_options: Mapping[str, int] = field(default_factory=dict)
    # The other sections, raw, for the modules that own them.
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'psp-bot.sqlite3'}"


def _admins(reader: SectionReader) -> frozenset[tuple[Platform, str]]:
    admins: set[tuple[Platform, str]] = set()
    for entry in reader.text_list("admins"):
        platform, _, user = entry.partition(":")
        try:
            admins.add((Platform(platform), user))
        except ValueError:
            raise ConfigError(
                f"config [bot] admins: {entry!r} must be platform:user, platform one of "
                "console, matrix, slack"
            ) from None
        if not user:
            raise ConfigError(f"config [bot] admins: {entry!r} names no user")
    return frozenset(admins)


def parse_settings(data: Mapping[str, Any]) -> Settings:
    for section, table in data.items():
        if section not in KNOWN_SECTIONS:
            raise ConfigError(f"config [{section}]: unknown section")
        if not isinstance(table, dict):
            raise ConfigError(f"config {section}: must be a [{section}] table")
    bot = SectionReader("bot", data.get("bot"))
    locale = bot.choice("locale", "da", LOCALES)
    admins = _admins(bot)
    data_dir = Path(bot.text("data_dir", "data"))
    log_level = bot.choice("log_level", "WARNING", ("DEBUG", "INFO", "WARNING", "ERROR"))
    log_format = bot.choice("log_format", "text", ("text", "json"))
    grace = bot.integer("shutdown_grace_seconds", 10, minimum=0, maximum=600)
    bot.done()
    database = SectionReader("database", data.get("database"))
    url = database.text("url", "")
    if url and not (url.startswith("sqlite:") or url.startswith("postgresql")):
        raise ConfigError("config [database] url: must start with sqlite: or postgresql:")
    database_options = _database_options(database)
    database.done()
    console = SectionReader("console", data.get("console"))
    console_user = console.text("user", "admin")
    console.done()
    return Settings(
        database_url=os.environ.get(f"{ENV_PREFIX}DATABASE_URL") or url,
        console_user=console_user,
        sections={k: v for k, v in data.items() if k not in ("bot", "database", "console")},
        locale=locale,
        admins=admins,
        data_dir=data_dir,
        log_level=log_level,
        log_format=log_format,
        shutdown_grace_seconds=grace,
        database_options=database_options,
    )


# [database] key -> the engine's keyword argument and its bounds.
_DATABASE_OPTIONS = {
    "pool_size": ("pool_size", 1, 500),
    "max_overflow": ("max_overflow", 0, 500),
    "lock_wait_seconds": ("lock_wait", 1, 60),
}


def _database_options(database: SectionReader) -> dict[str, int]:
    """The engine's keyword arguments the config sets; the others keep their defaults."""
    options = {}
    for key, (argument, minimum, maximum) in _DATABASE_OPTIONS.items():
        if database.value(key) is not None:
            options[argument] = database.integer(key, 0, minimum=minimum, maximum=maximum)
    return options


def load_settings(path: Path | None) -> Settings:
    if path is None:
        return parse_settings({})
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config {path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path}: not valid TOML ({exc})") from None
    return parse_settings(data)
