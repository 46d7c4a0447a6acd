"""Operations commands of `psp-bot`: `backup` and `restore`, and the run lock they respect.

Part of the composition root: storage is imported inside the functions.
"""

from __future__ import annotations

import argparse
import fcntl
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import SectionReader, Settings
from bot.version import installed_version

if TYPE_CHECKING:
    from storage.backup import Installation

COMMANDS = frozenset({"backup", "restore"})
BACKUP_KEY_ENV = "PSP_BOT_BACKUP_KEY"
RUN_LOCK = "psp-bot.run.lock"
_held: list[int] = []


def add_commands(sub: Any) -> None:
    config = {"type": Path, "default": argparse.SUPPRESS}
    backup = sub.add_parser(
        "backup", help="write one encrypted archive of the database and the Matrix store"
    )
    backup.add_argument("--config", **config)
    backup.add_argument("file", type=Path, help="the archive to write")
    restore = sub.add_parser("restore", help="restore an archive written by `psp-bot backup`")
    restore.add_argument("--config", **config)
    restore.add_argument("file", type=Path, help="the archive to read")
    restore.add_argument(
        "--force", action="store_true", help="replace a database or Matrix store that is there"
    )


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from storage.backup_archive import BackupError

    try:
        if args.command == "backup":
            return _backup(args, settings)
        return await _restore(args, settings)
    except BackupError as exc:
        print(f"psp-bot: {args.command}: {exc}")
        return 1


# --- the run lock -----------------------------------------------------------------------


def hold_run_lock(settings: Settings) -> None:
    """Taken (shared) by every running bot process until it exits, so that `restore` can
    tell that a bot is running on this installation."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.data_dir / RUN_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH)
    _held.append(fd)


def bot_running(settings: Settings) -> bool:
    path = settings.data_dir / RUN_LOCK
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


# --- backup and restore -------------------------------------------------------------------


def backup_key(settings: Settings) -> bytes:
    from storage.backup_archive import parse_backup_key

    reader = SectionReader("backup", settings.sections.get("backup"))
    text = reader.secret("key", BACKUP_KEY_ENV, required=True)
    reader.done()
    assert text is not None
    return parse_backup_key(text)


def installation(settings: Settings) -> Installation:
    from bot.cli_encryption import DEFAULT_KEY_FILE
    from storage.backup import Installation

    store_dir = None
    if "matrix" in settings.sections:
        configured = settings.sections["matrix"].get("store_dir")
        store_dir = Path(configured) if configured else settings.data_dir / "matrix-store"
    # Every secret file the config names (keys, tokens, passwords), and the embedded key
    # file: a backup never carries what opens it.
    secrets = {settings.data_dir / DEFAULT_KEY_FILE}
    for table in settings.sections.values():
        for key, value in table.items():
            if key.endswith("_file") and isinstance(value, str):
                secrets.add(Path(value))
    return Installation(settings.effective_database_url, store_dir, frozenset(secrets))


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from storage.backup import write_backup

    key = backup_key(settings)
    install = installation(settings)
    manifest = write_backup(install, args.file, key, version=installed_version())
    method = (
        "SQLite online backup"
        if manifest.database == "sqlite"
        else "pg_dump (custom format; restore needs pg_restore of the same or a newer release)"
    )
    stores = sum(1 for name in manifest.files if name.startswith("matrix-store/"))
    print(
        f"psp-bot: wrote {args.file} ({args.file.stat().st_size:,} bytes, encrypted): the "
        f"database by {method}, {stores} files of the Matrix store; no key is in it"
    )
    return 0


async def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from storage.backup import database_occupancy, restore_backup
    from storage.engine import make_engine

    key = backup_key(settings)
    install = installation(settings)
    if bot_running(settings):
        print(f"psp-bot: restore: a psp-bot is running on {settings.data_dir}; stop it first")
        return 2
    found: list[str] = []
    sessions: dict[str, int] = {}
    if install.is_sqlite and not install.sqlite_path.exists():
        tables = 0
    else:
        engine = make_engine(install.database_url, application_name="psp-bot restore")
        try:
            tables, sessions = await database_occupancy(engine)
        finally:
            await engine.dispose()
    if sessions:
        named = ", ".join(f"{name}: {count}" for name, count in sessions.items())
        found.append(
            f"{sum(sessions.values())} other session(s) connected to the database ({named})"
        )
    if tables:
        found.append(f"{tables} tables in the database")
    store = install.store_dir
    if store is not None and store.is_dir() and any(store.iterdir()):
        found.append(f"a Matrix store in {store}")
    if found and not args.force:
        print(
            f"psp-bot: restore: refused, the installation is not empty ({'; '.join(found)}); "
            "add --force to replace it"
        )
        return 2
    manifest = restore_backup(install, args.file, key)
    print(
        f"psp-bot: restored the {manifest.database} database and Matrix store of "
        f"{manifest.created_at} (psp-bot {manifest.version})"
    )
    return await _verify(install.database_url)


async def _verify(url: str) -> int:
    from storage.audit_verify import audit_snapshot, verify_chain
    from storage.engine import make_engine

    engine = make_engine(url, application_name="psp-bot restore")
    try:
        async with audit_snapshot(engine) as conn:
            report = await verify_chain(conn)
    finally:
        await engine.dispose()
    print(report.describe())
    return 0 if report.intact else 1
