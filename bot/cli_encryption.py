"""Encryption at rest for the composition root: which keys the bot uses (environment, key
file, or a key file created for the embedded SQLite database), the codec built from them, and
the check at start that they open this database. storage is imported inside the functions
(layering rule)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, SectionReader, Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from storage.codec import TextCodec
    from storage.crypto import Keyring

KEY_ENV = ("PSP_BOT_ENCRYPTION_KEYS", "PSP_BOT_ENCRYPTION_KEY")
DEFAULT_KEY_FILE = "encryption.key"


@dataclass(frozen=True)
class EncryptionSetup:
    keyring: Keyring | None  # None: plaintext, explicitly allowed
    key_file: Path | None  # where the keyring lives, if in a file (rotation appends there)


def encryption_setup(settings: Settings, *, create: bool = True) -> EncryptionSetup:
    """Keys from PSP_BOT_ENCRYPTION_KEY(S), else `[encryption] key_file`, else (embedded
    SQLite only) a key file created in the data directory on first start. PostgreSQL
    without a key starts only with `allow_plaintext = true`."""
    from storage.crypto import (
        Keyring,
        KeyringError,
        generate_keyring,
        read_key_file,
        write_key_file,
    )
    from storage.engine import is_sqlite

    reader = SectionReader("encryption", settings.sections.get("encryption"))
    if "key" in settings.sections.get("encryption", {}):
        raise ConfigError(
            "config [encryption] key: secrets are not read from the config; set "
            "PSP_BOT_ENCRYPTION_KEY or key_file"
        )
    allow_plaintext = reader.flag("allow_plaintext", False)
    configured_file = reader.optional_text("key_file")
    reader.done()
    try:
        for env in KEY_ENV:
            if os.environ.get(env):
                return EncryptionSetup(Keyring.parse(os.environ[env], source=env), None)
        if configured_file:
            path = Path(configured_file)
            return EncryptionSetup(read_key_file(path), path)
    except KeyringError as exc:
        raise ConfigError(f"encryption: {exc}") from None
    url = settings.effective_database_url
    if allow_plaintext:
        return EncryptionSetup(None, None)
    if not is_sqlite(url):
        raise ConfigError(
            "config [encryption]: no encryption key for PostgreSQL; set PSP_BOT_ENCRYPTION_KEY "
            "or key_file (or allow_plaintext = true, which stores case text unencrypted)"
        )
    path = settings.data_dir / DEFAULT_KEY_FILE
    try:
        if path.exists() or not create:
            return EncryptionSetup(read_key_file(path), path)
    except KeyringError as exc:
        raise ConfigError(f"encryption: {exc}") from None
    keyring = generate_keyring()
    write_key_file(path, keyring)
    print(
        f"psp-bot: created the encryption key file {path} (mode 0600). Back it up apart from "
        "the database: without it the case texts cannot be read.",
        file=sys.stderr,
    )
    return EncryptionSetup(keyring, path)


def make_codec(settings: Settings, *, read_plaintext: bool = False) -> TextCodec:
    from storage.crypto import AesGcmCodec, GuardedPlainTextCodec

    keyring = encryption_setup(settings).keyring
    if keyring is None:
        return GuardedPlainTextCodec()
    return AesGcmCodec(keyring, read_plaintext=read_plaintext)


async def check_encryption(settings: Settings, engine: AsyncEngine) -> None:
    """At start: the configured keys must open this database (one clear error if not)."""
    from storage.crypto import AesGcmCodec, KeyringError
    from storage.keys import check_keyring

    keyring = encryption_setup(settings).keyring
    if keyring is None:
        return
    try:
        await check_keyring(engine, AesGcmCodec(keyring), at=datetime.now(UTC))
    except KeyringError as exc:
        raise ConfigError(str(exc)) from None
