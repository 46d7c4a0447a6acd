"""Encryption at rest for every free-text column: AES-256-GCM with the row's natural key as
associated data, so a ciphertext copied into another row (or another column) fails to open.

Stored form: ``enc1:<key-id>:<base64 of 12-byte nonce + ciphertext + 16-byte tag>``. The key id
beside the ciphertext lets a keyring hold old keys during rotation and lets `keys rotate` find
what is still sealed under an old key. Errors never carry the text or the key, only the key id.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

PREFIX = "enc1"
KEY_BYTES = 32
NONCE_BYTES = 12
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# What `keys` tables and the startup check seal to prove a key opens this database.
KEY_CHECK_TEXT = "psp-bot key check"


class KeyringError(Exception):
    """The configured keys are unusable (bad format, missing, duplicate). One line."""


class SealedTextError(Exception):
    """A stored text cannot be opened: wrong key, unknown key id, a value moved from another
    row, or plaintext where ciphertext belongs. Never says what the text was."""


def key_check_aad(key_id: str) -> str:
    return f"encryption_keys/{key_id}/check"


@dataclass(frozen=True)
class Keyring:
    """Keys by id; `current` seals, every key opens. Order of entries = age, newest last."""

    keys: Mapping[str, bytes]
    current: str

    @staticmethod
    def parse(text: str, *, source: str) -> Keyring:
        """Entries `<key-id>:<base64 of 32 bytes>` separated by newlines, commas or spaces;
        `#` starts a comment line. The last entry is the current key."""
        keys: dict[str, bytes] = {}
        entries = [
            token
            for line in text.splitlines()
            if not line.strip().startswith("#")
            for token in re.split(r"[\s,]+", line.strip())
            if token
        ]
        for number, entry in enumerate(entries, start=1):
            key_id, sep, encoded = entry.partition(":")
            if not sep or not _KEY_ID.match(key_id):
                raise KeyringError(
                    f"{source}: entry {number} must be <key-id>:<base64 key>, key id of "
                    "letters, digits, - or _ (at most 32)"
                )
            try:
                raw = base64.b64decode(encoded, validate=True)
            except binascii.Error:
                raise KeyringError(f"{source}: key {key_id!r} is not valid base64") from None
            if len(raw) != KEY_BYTES:
                raise KeyringError(
                    f"{source}: key {key_id!r} must be {KEY_BYTES} bytes (AES-256), not {len(raw)}"
                )
            if key_id in keys:
                raise KeyringError(f"{source}: key id {key_id!r} appears twice")
            keys[key_id] = raw
        if not keys:
            raise KeyringError(f"{source}: holds no key")
        return Keyring(keys, list(keys)[-1])

    def serialise(self) -> str:
        return "".join(
            f"{key_id}:{base64.b64encode(raw).decode('ascii')}\n"
            for key_id, raw in self.keys.items()
        )

    def with_new_key(self, now: datetime | None = None) -> Keyring:
        key_id = new_key_id(now, taken=self.keys)
        return Keyring({**self.keys, key_id: AESGCM.generate_key(bit_length=256)}, key_id)


def new_key_id(now: datetime | None = None, *, taken: Iterable[str] = ()) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d")
    taken = set(taken)
    while True:
        key_id = f"k{stamp}-{secrets.token_hex(3)}"
        if key_id not in taken:
            return key_id


def generate_keyring(now: datetime | None = None) -> Keyring:
    key_id = new_key_id(now)
    return Keyring({key_id: AESGCM.generate_key(bit_length=256)}, key_id)


class AesGcmCodec:
    """TextCodec (storage/codec.py) sealing with the keyring's current key."""

    def __init__(self, keyring: Keyring, *, read_plaintext: bool = False) -> None:
        self.keyring = keyring
        self._ciphers = {key_id: AESGCM(raw) for key_id, raw in keyring.keys.items()}
        self._current = keyring.current
        self._current_prefix = f"{PREFIX}:{keyring.current}:"
        # Only `keys rotate` reads legacy plaintext, to encrypt a database that was plaintext.
        self._read_plaintext = read_plaintext

    def seal(self, text: str, *, aad: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self._current].encrypt(nonce, text.encode("utf-8"), aad.encode())
        return self._current_prefix + base64.b64encode(nonce + sealed).decode("ascii")

    def unseal(self, stored: str, *, aad: str) -> str:
        if not stored:
            # Purged text is stored as the empty string: nothing left to protect.
            return ""
        if not stored.startswith(PREFIX + ":"):
            if self._read_plaintext:
                return stored
            raise SealedTextError(
                "a stored text is not encrypted; run `psp-bot keys rotate` to encrypt the "
                "database with the configured key"
            )
        _tag, key_id, payload = stored.split(":", 2) if stored.count(":") >= 2 else ("", "", "")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise SealedTextError(
                f"a stored text is sealed with key {key_id!r}, which is not in the configured "
                "keyring; add that key (keep old keys until `psp-bot keys rotate` has finished)"
            )
        try:
            raw = base64.b64decode(payload, validate=True)
            plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad.encode())
        except (binascii.Error, InvalidTag, ValueError):
            raise SealedTextError(
                f"a stored text does not open with key {key_id!r}: the key is wrong, or the "
                "value was altered or copied from another row"
            ) from None
        return plain.decode("utf-8")

    def is_current(self, stored: str | None) -> bool:
        """Whether a stored value needs no re-encryption (current key, or nothing stored)."""
        return not stored or stored.startswith(self._current_prefix)


class GuardedPlainTextCodec:
    """`allow_plaintext = true` without a key: stores text as it is, but refuses to hand back
    a ciphertext as if it were text (a missing key must not show up as garbage)."""

    def seal(self, text: str, *, aad: str) -> str:
        return text

    def unseal(self, stored: str, *, aad: str) -> str:
        if stored.startswith(PREFIX + ":"):
            raise SealedTextError(
                "the database holds encrypted text but no encryption key is configured; set "
                "PSP_BOT_ENCRYPTION_KEY or [encryption] key_file"
            )
        return stored


def read_key_file(path: Path) -> Keyring:
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except OSError as exc:
        raise KeyringError(f"key file {path}: cannot read ({exc.strerror})") from None
    if mode & 0o077:
        # Like ssh with a private key: say it, but a secret mount may not allow 0600.
        log.warning(
            "key file %s can be read by other users (mode %o); use 0600", path, mode & 0o777
        )
    return Keyring.parse(text, source=f"key file {path}")


def write_key_file(path: Path, keyring: Keyring) -> None:
    """Write atomically with mode 0600: a crash leaves the old file or the new one, never
    half a keyring, and no other local user can read the keys."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, (b"# psp-bot encryption keys: <key-id>:<base64>, newest last\n"))
        os.write(fd, keyring.serialise().encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
