"""Backup and restore of one installation: the database and the Matrix store, together.

SQLite is copied with SQLite's online backup API (a consistent snapshot while the bot runs;
in WAL mode the copy holds only a read lock, so the bot keeps writing). PostgreSQL is dumped
with `pg_dump` (custom format) and restored with `pg_restore`. SQLite files inside the
Matrix store (the crypto store) are snapshotted the same way; other files are copied.

Key files are never copied: the archive is useless without them, on purpose.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.backup_archive import (
    BackupError,
    Manifest,
    decrypt_file,
    encrypt_file,
    read_tar,
    sha256_of,
    write_tar,
)

SQLITE_FILE = "database.sqlite3"
PG_DUMP_FILE = "database.pgdump"
STORE = "matrix-store"
_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Installation:
    """What a backup holds and a restore writes."""

    database_url: str
    store_dir: Path | None  # the Matrix store, if Matrix is configured
    never_copy: frozenset[Path] = frozenset()  # key files

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        database = make_url(self.database_url).database
        if not database or database == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up")
        return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (it goes in the environment, not in `ps`)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        # pg_dump/pg_restore name objects, not row contents; the first line says enough.
        first = (result.stderr.strip().splitlines() or ["failed"])[0]
        raise BackupError(f"{Path(args[0]).name}: {first}")


def snapshot_sqlite(source: Path, target: Path) -> None:
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER


def _copy_store(store: Path, into: Path, never_copy: frozenset[Path]) -> list[str]:
    names: list[str] = []
    skip = {p.resolve() for p in never_copy}
    for path in sorted(store.rglob("*")):
        if not path.is_file() or path.resolve() in skip:
            continue
        if path.name.endswith(("-wal", "-shm", "-journal")):
            continue  # folded into the snapshot of their database
        relative = path.relative_to(store)
        target = into / STORE / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if _is_sqlite_file(path):
            snapshot_sqlite(path, target)
        else:
            shutil.copyfile(path, target)
        names.append(f"{STORE}/{relative.as_posix()}")
    return names


@contextmanager
def _staging() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="psp-backup-") as tmp:
        os.chmod(tmp, 0o700)
        yield Path(tmp)


def write_backup(install: Installation, out: Path, key: bytes, *, version: str) -> Manifest:
    with _staging() as staging:
        (staging / "content").mkdir()
        content = staging / "content"
        if install.is_sqlite:
            if not install.sqlite_path.exists():
                raise BackupError(f"no database at {install.sqlite_path}")
            snapshot_sqlite(install.sqlite_path, content / SQLITE_FILE)
            names = [SQLITE_FILE]
        else:
            url, env = _libpq(install.database_url)
            _run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={content / PG_DUMP_FILE}",
                    f"--dbname={url}",
                ],
                env,
            )
            names = [PG_DUMP_FILE]
        if install.store_dir is not None and install.store_dir.is_dir():
            names += _copy_store(install.store_dir, content, install.never_copy)
        manifest = Manifest(
            database="sqlite" if install.is_sqlite else "postgresql",
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            version=version,
            files={name: sha256_of(content / name) for name in names},
        )
        write_tar(content, manifest, staging / "backup.tar")
        encrypt_file(staging / "backup.tar", out, key)
    return manifest


async def database_occupancy(engine: AsyncEngine) -> tuple[int, dict[str, int]]:
    """(tables in the database, other sessions connected to it by the name their program
    gives, e.g. psp-bot or psql). SQLite has no sessions to count; the bot's run lock
    (bot/cli_ops.py) tells whether one is running there."""
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            tables = await conn.scalar(
                text("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
            )
            return int(tables or 0), {}
        tables = await conn.scalar(
            text(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        )
        sessions = (
            await conn.execute(
                text(
                    "SELECT coalesce(nullif(application_name, ''), 'unnamed'), count(*) "
                    "FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "GROUP BY 1 ORDER BY 1"
                )
            )
        ).all()
        return int(tables or 0), {str(name): int(count) for name, count in sessions}


def restore_backup(install: Installation, archive: Path, key: bytes) -> Manifest:
    """Open and check the whole archive first; only then replace anything."""
    with _staging() as staging:
        decrypt_file(archive, staging / "backup.tar", key)
        content = staging / "content"
        content.mkdir()
        manifest = read_tar(staging / "backup.tar", content)
        wanted = "sqlite" if install.is_sqlite else "postgresql"
        if manifest.database != wanted:
            raise BackupError(
                f"the backup holds a {manifest.database} database; this installation uses {wanted}"
            )
        if install.is_sqlite:
            _restore_sqlite(content / SQLITE_FILE, install.sqlite_path)
        else:
            url, env = _libpq(install.database_url)
            _run(
                [
                    _tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    f"--dbname={url}",
                    str(content / PG_DUMP_FILE),
                ],
                env,
            )
        if install.store_dir is not None and (content / STORE).is_dir():
            _restore_store(content / STORE, install.store_dir)
    return manifest


def _restore_sqlite(snapshot: Path, target: Path) -> None:
    check = sqlite3.connect(snapshot)
    try:
        verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if verdict != "ok":
        raise BackupError("the backup's SQLite database fails its integrity check")
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(snapshot, staged)
    os.chmod(staged, 0o600)
    # A write-ahead log of the old database must not be replayed into the restored one.
    for suffix in ("-wal", "-shm", "-journal"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(staged, target)


def _restore_store(source: Path, store: Path) -> None:
    """The old store is moved aside, not deleted: it may hold the only copy of a device."""
    if store.exists() and any(store.iterdir()):
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        store.rename(store.with_name(f"{store.name}.before-restore-{stamp}"))
    shutil.copytree(source, store, dirs_exist_ok=True)
    os.chmod(store, 0o700)
