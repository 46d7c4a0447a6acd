"""The bot's Matrix device in PostgreSQL (`[matrix] crypto_state = "database"`), so that a
standby process on another host can take the device over when the active one dies.

matrix-nio keeps its crypto state (Olm account, Olm and Megolm sessions, device keys and their
trust) in peewee models written for SQLite. Here the same models live in their own schema of
the bot's PostgreSQL database. The pickles are encrypted by nio with the pickle key, as on
disk; the bot's own credentials and cross-signing keys are sealed (AES-GCM) under a key
derived from it. Each change nio makes is committed at once, so the process that takes over
reads exactly the state the dead one left: no one-time key is published twice, no session
ratchet goes back.

The only SQLite dialect nio's store uses is `INSERT OR REPLACE`; PostgreSQL gets the
equivalent `INSERT … ON CONFLICT (<the table's unique key>) DO UPDATE`.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import psycopg2.extensions
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nio.store import SqliteStore
from peewee import SQL, BlobField, CompositeKey, Model, OnConflict, PostgresqlDatabase, TextField

SCHEMA = "psp_matrix"
_UNIQUE = re.compile(r"UNIQUE\s*\(([^)]*)\)", re.IGNORECASE)


def libpq_url(database_url: str) -> str:
    """`postgresql+asyncpg://…` (SQLAlchemy) as the plain URL libpq reads."""
    parts = urlsplit(database_url)
    scheme = parts.scheme.partition("+")[0]
    if scheme not in ("postgresql", "postgres"):
        raise ValueError("not a PostgreSQL URL")
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, parts.fragment))


def _bytes(value: Any, cursor: Any) -> bytes | None:
    # nio's ByteField expects bytes where psycopg2 gives a memoryview.
    raw = psycopg2.BINARY(value, cursor)
    return None if raw is None else bytes(raw)


BYTEA_AS_BYTES = psycopg2.extensions.new_type(psycopg2.BINARY.values, "PSP_BYTEA", _bytes)


def _conflict_target(model: type[Model]) -> tuple[Any, ...]:
    """The columns of the table's UNIQUE constraint, else its primary key."""
    for constraint in getattr(model._meta, "constraints", None) or ():
        found = _UNIQUE.search(getattr(constraint, "sql", str(constraint)))
        if found:
            return tuple(SQL(f'"{c.strip()}"') for c in found.group(1).split(","))
    key = model._meta.primary_key
    if isinstance(key, CompositeKey):
        return tuple(model._meta.fields[name] for name in key.field_names)
    return (key,)


class CryptoDatabase(PostgresqlDatabase):  # type: ignore[misc]
    """PostgreSQL for nio's store: its own schema, bytea as bytes, REPLACE as an upsert."""

    def _initialize_connection(self, conn: Any) -> None:
        psycopg2.extensions.register_type(BYTEA_AS_BYTES, conn)
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            cursor.execute(f"SET search_path TO {SCHEMA}")

    def conflict_update(self, oc: OnConflict, query: Any) -> Any:
        if (oc._action or "").upper() != "REPLACE":
            return super().conflict_update(oc, query)
        model = query.model
        target = _conflict_target(model)
        keys = {
            getattr(t, "column_name", None) or str(getattr(t, "sql", "")).strip('"') for t in target
        }
        keep = [f for f in model._meta.sorted_fields if f.column_name not in keys]
        upsert = OnConflict(
            action="update" if keep else "ignore",
            conflict_target=target,
            preserve=keep or None,
        )
        return super().conflict_update(upsert, query)


def crypto_database(database_url: str) -> CryptoDatabase:
    # A failed connection fails the store call; the service then reopens the device as a
    # whole (adapters/matrix/service.py), with a new connection.
    return CryptoDatabase(libpq_url(database_url), autoconnect=True)


def store_class(database_url: str) -> type[SqliteStore]:
    """nio's store with its tables in PostgreSQL; nio calls it with (user, device, path, key)."""

    class PostgresCryptoStore(SqliteStore):  # type: ignore[misc]
        def _create_database(self) -> CryptoDatabase:
            return crypto_database(database_url)

    return PostgresCryptoStore


class DeviceSecret(Model):  # type: ignore[misc]
    """The bot's own secrets of one device identity: credentials, cross-signing keys."""

    user_id = TextField()
    name = TextField()
    sealed = BlobField()

    class Meta:
        table_name = "device_secret"
        primary_key = CompositeKey("user_id", "name")


class DatabaseVault:
    """Where a standby finds the bot's device: secrets sealed in PostgreSQL, nio's store in
    the same schema."""

    kind = "database"

    def __init__(self, database_url: str, user_id: str, pickle_key: str) -> None:
        self._url = database_url
        self._user_id = user_id
        self._aead = AESGCM(hashlib.sha256(b"psp-bot device vault|" + pickle_key.encode()).digest())
        self._db = crypto_database(database_url)
        self._db.bind([DeviceSecret])
        self._db.create_tables([DeviceSecret], safe=True)

    def read(self, name: str) -> bytes | None:
        row = DeviceSecret.get_or_none(
            (DeviceSecret.user_id == self._user_id) & (DeviceSecret.name == name)
        )
        if row is None:
            return None
        raw = bytes(row.sealed)
        return bytes(self._aead.decrypt(raw[:12], raw[12:], f"{self._user_id}|{name}".encode()))

    def write(self, name: str, data: bytes) -> None:
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, data, f"{self._user_id}|{name}".encode())
        DeviceSecret.replace(user_id=self._user_id, name=name, sealed=sealed).execute()

    def has_store(self, device_id: str) -> bool:
        return self._has_account(device_id)

    def has_any_store(self) -> bool:
        return self._has_account(None)

    def _has_account(self, device_id: str | None) -> bool:
        """Whether nio's store holds an Olm account of the bot (of this device, or any)."""
        if "accounts" not in set(self._db.get_tables(schema=SCHEMA)):
            return False
        sql, params = "SELECT 1 FROM accounts WHERE user_id = %s", [self._user_id]
        if device_id is not None:
            sql, params = sql + " AND device_id = %s", [*params, device_id]
        return self._db.execute_sql(sql, params).fetchone() is not None

    def store_class(self) -> type[SqliteStore]:
        return store_class(self._url)

    def close(self) -> None:
        self._db.close()
