"""Where the bot's Matrix device lives: its credentials, its cross-signing keys and nio's
crypto store. `crypto_state = "files"` (default): the store directory on this host.
`crypto_state = "database"`: PostgreSQL (adapters/matrix/pgstore.py), so that a standby on
another host can take the same device over."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from adapters.matrix.config import CRYPTO_STATE_DATABASE, MatrixConfig

CREDENTIALS = "credentials.json"
CROSS_SIGNING = "cross_signing.enc"


class DeviceVault(Protocol):
    kind: str

    def read(self, name: str) -> bytes | None:
        """One of the bot's own secrets (`CREDENTIALS`, `CROSS_SIGNING`), or None."""
        ...

    def write(self, name: str, data: bytes) -> None:
        """Durably, before returning."""
        ...

    def has_store(self, device_id: str) -> bool:
        """Whether nio's crypto store of this device is here."""
        ...

    def has_any_store(self) -> bool: ...

    def store_class(self) -> type | None:
        """nio's store class for this vault (None: nio's default, files in store_dir)."""
        ...

    def close(self) -> None: ...


class FileVault:
    """The store directory: secrets as files of mode 0600, nio's SQLite store beside them."""

    kind = "files"

    def __init__(self, store_dir: Path, user_id: str) -> None:
        self.store_dir = store_dir
        self._user_id = user_id
        store_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def read(self, name: str) -> bytes | None:
        path = self.store_dir / name
        return path.read_bytes() if path.exists() else None

    def write(self, name: str, data: bytes) -> None:
        path = self.store_dir / name
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)

    def has_store(self, device_id: str) -> bool:
        # nio's SqliteStore names its file "<user_id>_<device_id>.db" when no name is set.
        return (self.store_dir / f"{self._user_id}_{device_id}.db").exists()

    def has_any_store(self) -> bool:
        return any(self.store_dir.glob("*.db"))

    def store_class(self) -> type | None:
        return None

    def close(self) -> None:
        return None


def open_vault(config: MatrixConfig) -> DeviceVault:
    if config.crypto_state == CRYPTO_STATE_DATABASE:
        from adapters.matrix.pgstore import DatabaseVault

        assert config.database_url is not None  # checked with the config
        return DatabaseVault(config.database_url, config.user_id, config.pickle_key)
    return FileVault(config.store_dir, config.user_id)
