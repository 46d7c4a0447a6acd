"""The backup file: a tar archive (manifest + database copy + Matrix store), encrypted.

Encryption is AES-256-GCM in 1 MiB chunks (the STREAM construction): each chunk's nonce is
a random 8-byte prefix and the chunk's number; its associated data is the file header, the
number and whether it is the last chunk. So a chunk cannot be changed, moved, dropped or the
file cut short without the archive failing to open — there is no half-restored database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"PSPBACKUP1\n"
CHUNK = 1 << 20
FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    """One line for the operator: what is wrong with the archive, the key or the target."""


def parse_backup_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise BackupError(
            "the backup key must be 32 bytes in base64 (make one with `openssl rand -base64 32`)"
        )
    return key


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def encrypt_file(plain: Path, out: Path, key: bytes) -> None:
    """Write `plain` encrypted to `out` (mode 0600, replaced only once complete)."""
    aes = AESGCM(key)
    header = MAGIC + os.urandom(8)
    partial = out.with_name(out.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as dst, plain.open("rb") as src:
        dst.write(header)
        index, chunk = 0, src.read(CHUNK)
        while True:
            following = src.read(CHUNK)
            last = not following
            nonce = header[len(MAGIC) :] + index.to_bytes(4, "big")
            sealed = aes.encrypt(nonce, chunk, _aad(header, index, last))
            dst.write(len(sealed).to_bytes(4, "big") + sealed)
            if last:
                break
            index, chunk = index + 1, following
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(partial, out)


def decrypt_file(archive: Path, out: Path, key: bytes) -> None:
    aes = AESGCM(key)
    try:
        src = archive.open("rb")
    except OSError as exc:
        raise BackupError(f"cannot read {archive}: {exc.strerror}") from None
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with src, os.fdopen(fd, "wb") as dst:
        header = src.read(len(MAGIC) + 8)
        if len(header) != len(MAGIC) + 8 or not header.startswith(MAGIC):
            raise BackupError(f"{archive} is not a psp-bot backup")
        index = 0
        while True:
            size_bytes = src.read(4)
            if len(size_bytes) != 4:
                raise BackupError(f"{archive} is cut short")
            sealed = src.read(int.from_bytes(size_bytes, "big"))
            nonce = header[len(MAGIC) :] + index.to_bytes(4, "big")
            last = False
            try:
                plain = aes.decrypt(nonce, sealed, _aad(header, index, False))
            except InvalidTag:
                try:
                    plain = aes.decrypt(nonce, sealed, _aad(header, index, True))
                    last = True
                except InvalidTag:
                    raise BackupError(
                        f"{archive} does not open with this backup key, or it was changed"
                    ) from None
            dst.write(plain)
            if last:
                if src.read(1):
                    raise BackupError(f"{archive} has data after its end; it was changed")
                return
            index += 1


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Manifest:
    database: str  # "sqlite" or "postgresql"
    created_at: str
    version: str
    files: Mapping[str, str]  # name in the archive -> sha256

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "database": self.database,
                "created_at": self.created_at,
                "psp_bot_version": self.version,
                "files": dict(self.files),
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data: Any = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError("the backup's manifest is of an unknown format")
        return cls(
            database=str(data["database"]),
            created_at=str(data["created_at"]),
            version=str(data["psp_bot_version"]),
            files={str(k): str(v) for k, v in data["files"].items()},
        )


def write_tar(staging: Path, manifest: Manifest, tar_path: Path) -> None:
    """Pack the staging directory (as the manifest lists it) with the manifest first."""
    (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    with tarfile.open(tar_path, "w") as tar:
        tar.add(staging / MANIFEST, arcname=MANIFEST)
        for name in sorted(manifest.files):
            tar.add(staging / name, arcname=name, recursive=False)


def read_tar(tar_path: Path, into: Path) -> Manifest:
    """Unpack and check every file against the manifest's hashes."""
    try:
        with tarfile.open(tar_path, "r") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"the backup's contents cannot be unpacked ({exc})") from None
    try:
        manifest = Manifest.from_json((into / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        raise BackupError(f"the backup's manifest is missing or broken ({exc})") from None
    for name, digest in manifest.files.items():
        path = into / name
        if not path.is_file() or sha256_of(path) != digest:
            raise BackupError(f"the backup's file {name} does not match its manifest")
    return manifest
