"""Administrative `psp-bot` subcommands (keys, audit, purge, export) and the encryption
setup of the composition root. Imported by bot/cli.py only; storage is imported inside the
functions that need it (layering rule)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli_files import Progress, read_checkpoints, write_private
from bot.config import ConfigError, SectionReader, Settings
from bot.export import FORMATS, PURPOSES

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.runtime import Router
    from storage.codec import TextCodec
    from storage.crypto import Keyring

KEY_ENV = ("PSP_BOT_ENCRYPTION_KEYS", "PSP_BOT_ENCRYPTION_KEY")
DEFAULT_KEY_FILE = "encryption.key"
# Advisory lock key of the daily retention job ("PSP" "RT"); the scheduler uses its own.
RETENTION_LOCK_KEY = 0x505350_5254


# --- encryption setup -------------------------------------------------------------------


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


def retention_service(settings: Settings, engine: AsyncEngine, router: Router) -> Any:
    """The daily retention job for `psp-bot run` (bot/retention.py)."""
    from bot.clock import SystemClock
    from bot.retention import RetentionService, retention_policy
    from storage.engine import is_sqlite
    from storage.leader import PostgresAdvisoryLeader, SingleProcessLeader
    from storage.retention import SqlAlchemyRetentionStore

    # Several processes on PostgreSQL: one of them (holding this lock) runs the daily job.
    leader = (
        SingleProcessLeader()
        if is_sqlite(settings.effective_database_url)
        else PostgresAdvisoryLeader(engine, key=RETENTION_LOCK_KEY)
    )
    return RetentionService(
        router=router,
        store=SqlAlchemyRetentionStore(engine),
        uow_factory=router.uow_factory,
        clock=SystemClock(),
        policy=retention_policy(settings.sections),
        locale=settings.locale,
        leader=leader,
    )


# --- parsers ----------------------------------------------------------------------------


def _purpose(value: str) -> str:
    if value not in PURPOSES:
        raise argparse.ArgumentTypeError(
            f"{value!r}: the purpose must be access-request or handover. PSP information may "
            "not be passed on for the investigation of criminal cases (retsplejeloven § 115, "
            "stk. 2)"
        )
    return value


def add_commands(sub: Any) -> None:
    """Add the administrative subcommands to the `psp-bot` parser."""
    config = {"type": Path, "default": argparse.SUPPRESS}
    keys = sub.add_parser("keys", help="encryption keys")
    keys.add_argument("--config", **config)
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    rotate = keys_sub.add_parser("rotate", help="add a new key and re-encrypt everything")
    rotate.add_argument(
        "--no-new-key",
        action="store_true",
        help="re-encrypt under the current (last) key without adding one",
    )
    rotate.add_argument("--batch", type=int, default=500, help="rows per transaction")
    keys_sub.add_parser("generate", help="print a new key entry for PSP_BOT_ENCRYPTION_KEYS")

    audit = sub.add_parser("audit", help="the tamper-evident audit log")
    audit.add_argument("--config", **config)
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="walk the hash chain")
    verify.add_argument("--checkpoint", type=Path, help="checkpoint file to verify against")
    verify.add_argument("--public-key", help="the checkpoint signer's public key (base64)")
    checkpoint = audit_sub.add_parser("checkpoint", help="sign the current head")
    checkpoint.add_argument("--signing-key", type=Path, required=True, help="Ed25519 key file")
    checkpoint.add_argument("--out", type=Path, help="append the checkpoint to this file")

    purge = sub.add_parser("purge", help="apply the retention rules now")
    purge.add_argument("--config", **config)
    purge.add_argument("--dry-run", action="store_true", help="only show what would go")

    case = sub.add_parser("case", help="case administration")
    case.add_argument("--config", **config)
    case_sub = case.add_subparsers(dest="case_command", required=True)
    export = case_sub.add_parser("export", help="write everything stored about one case")
    export.add_argument("ref")
    export.add_argument("--group", required=True, help="the group's name")
    export.add_argument("--purpose", required=True, type=_purpose, help=" | ".join(PURPOSES))
    export.add_argument("--format", choices=FORMATS, default="json")
    export.add_argument("--out", type=Path, help="file to write (default: <ref>.<purpose>.<fmt>)")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    handler = {"keys": _keys, "audit": _audit, "purge": _purge, "case": _case}.get(args.command)
    if handler is None:
        raise ConfigError(f"unknown command {args.command}")
    return await handler(args, settings)


async def _keys(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import open_database
    from storage.crypto import AesGcmCodec, generate_keyring, write_key_file
    from storage.keys import count_sealed_rows, reencrypt, rotation_in_progress

    if args.keys_command == "generate":
        print(generate_keyring().serialise(), end="")
        return 0
    setup = encryption_setup(settings, create=False)
    if setup.keyring is None:
        raise ConfigError(
            "keys rotate: no encryption key is configured; set PSP_BOT_ENCRYPTION_KEY or "
            "[encryption] key_file first (then `keys rotate --no-new-key` encrypts what is stored)"
        )
    keyring = setup.keyring
    engine = await open_database(settings)
    try:
        unfinished = await rotation_in_progress(engine)
        if unfinished == keyring.current:
            print(f"psp-bot: resuming the unfinished rotation to key {unfinished}")
        elif not args.no_new_key:
            if setup.key_file is None:
                raise ConfigError(
                    "keys rotate: the keys come from the environment, which psp-bot cannot "
                    "change; add a key (`psp-bot keys generate`) at the end of "
                    "PSP_BOT_ENCRYPTION_KEYS, restart, and run `psp-bot keys rotate --no-new-key`"
                )
            keyring = keyring.with_new_key()
            write_key_file(setup.key_file, keyring)
            print(f"psp-bot: added key {keyring.current} to {setup.key_file}")
        codec = AesGcmCodec(keyring, read_plaintext=True)
        progress = Progress("re-encrypting", await count_sealed_rows(engine))
        changed, retired = await reencrypt(
            engine, codec, at=datetime.now(UTC), batch=args.batch, progress=progress
        )
        progress.end()
    finally:
        await engine.dispose()
    print(
        f"psp-bot: {changed} stored texts re-encrypted; everything is under key {keyring.current}"
    )
    if retired:
        print(
            f"psp-bot: no stored text uses {', '.join(retired)} any more; keep those keys only "
            "as long as backups made before today must stay readable"
        )
    return 0


async def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from storage.audit_chain import check_checkpoint, count_audit_rows, verify_chain
    from storage.engine import make_engine

    # An auditor verifies without the encryption keys and without migrating anything: the
    # chain holds ids and hashes only.
    engine = make_engine(settings.effective_database_url)
    try:
        async with engine.connect() as conn:
            progress = None
            if sys.stderr.isatty():  # a long walk shows where it is; a cron log stays clean
                progress = Progress("verifying", await count_audit_rows(conn))
            report = await verify_chain(conn, progress=progress)
            if progress is not None:
                progress.end()
            if args.audit_command == "checkpoint":
                return await _checkpoint(args, conn, report)
            print(report.describe())
            if not report.intact:
                return 1
            if args.checkpoint is not None:
                return await _check_against(args, conn, check_checkpoint)
    finally:
        await engine.dispose()
    return 0


async def _check_against(args: argparse.Namespace, conn: Any, check: Any) -> int:
    from storage.audit_chain import load_public_key

    if not args.public_key:
        raise ConfigError("audit verify: --checkpoint needs --public-key (the signer's key)")
    try:
        public_key = load_public_key(args.public_key)
    except ValueError:
        raise ConfigError("audit verify: --public-key is not a base64 Ed25519 key") from None
    checkpoints = read_checkpoints(args.checkpoint)
    if not checkpoints:
        raise ConfigError(f"checkpoint file {args.checkpoint}: holds no checkpoint")
    for number, checkpoint in enumerate(checkpoints, start=1):
        problem = await check(conn, checkpoint, public_key)
        if problem is not None:
            print(f"audit checkpoint {number} of {len(checkpoints)} fails: {problem}")
            return 1
    last = checkpoints[-1]
    print(
        f"audit checkpoints hold: {len(checkpoints)}, last at {last['at']} ({last['length']} rows)"
    )
    return 0


async def _checkpoint(args: argparse.Namespace, conn: Any, report: Any) -> int:
    from storage.audit_chain import sign_checkpoint, store_checkpoint

    if not report.intact:
        print(report.describe())
        print("psp-bot: no checkpoint signed over a broken chain")
        return 1
    key = _signing_key(args.signing_key)
    signed = sign_checkpoint(report, key, datetime.now(UTC))
    await store_checkpoint(conn, signed)
    await conn.commit()
    line = json.dumps(signed, separators=(",", ":"))
    if args.out is not None:
        with args.out.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    print(line)
    print(f"psp-bot: signed the audit head ({report.length} rows); keep the checkpoint elsewhere")
    return 0


def _signing_key(path: Path) -> Any:
    """The Ed25519 key that signs checkpoints; created (mode 0600) on first use. It belongs
    outside the database and outside the database host's backups."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from storage.audit_chain import load_signing_key, public_key_text, signing_key_text

    if path.exists():
        try:
            return load_signing_key(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ConfigError(f"audit checkpoint: {path} is not an Ed25519 signing key") from None
    key = Ed25519PrivateKey.generate()
    write_private(path, signing_key_text(key) + "\n")
    print(f"psp-bot: created the signing key {path}; public key {public_key_text(key)}")
    return key


async def _purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import build_router, open_database
    from bot.clock import SystemClock
    from bot.retention import retention_policy, run_retention
    from storage.retention import SqlAlchemyRetentionStore

    policy = retention_policy(settings.sections)
    engine = await open_database(settings)
    try:
        router = build_router(settings, engine)
        report = await run_retention(
            router=router,
            store=SqlAlchemyRetentionStore(engine),
            uow_factory=router.uow_factory,
            clock=SystemClock(),
            policy=policy,
            locale=settings.locale,
            dry_run=args.dry_run,
            report_stale=False,
        )
    finally:
        await engine.dispose()
    if args.dry_run:
        print(
            f"would purge {len(report.due)} closed cases (closed more than "
            f"{policy.closed_case_days} days ago): {', '.join(report.due) or '-'}"
        )
    else:
        print(f"purged {len(report.purged)} closed cases: {', '.join(report.purged) or '-'}")
        if report.pending_messages:
            print(
                f"{report.pending_messages} chat messages about purged cases will be retracted "
                "by the running bot's daily retention job"
            )
    print(
        f"open cases untouched for {policy.stale_open_days}+ days: {', '.join(report.stale) or '-'}"
    )
    return 0


async def _case(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli import open_database
    from bot.export import collect_case, render
    from storage.uow import SqlAlchemyUnitOfWorkFactory

    engine = await open_database(settings)
    now = datetime.now(UTC)
    try:
        async with SqlAlchemyUnitOfWorkFactory(engine, make_codec(settings))() as uow:
            data = await collect_case(uow, args.group, args.ref)
            if data is None:
                print(f"psp-bot: no case {args.ref} in group {args.group}", file=sys.stderr)
                return 1
            # The export is itself a read of the case: audited with its purpose.
            await uow.audit.record(
                at=now,
                action="case.export",
                actor_member_id=None,
                group_id=data["group"]["id"],
                case_id=data["case"]["id"],
                binding_id=None,
                detail=f"purpose={args.purpose} format={args.format} via=cli",
            )
            await uow.commit()
    finally:
        await engine.dispose()
    ref = data["case"]["ref"]
    out: Path = args.out or Path(f"{ref}.{args.purpose}.{args.format}")
    write_private(out, render(data, purpose=args.purpose, fmt=args.format, exported_at=now))
    print(f"psp-bot: wrote {out} (mode 0600); the export and its purpose are in the audit log")
    return 0
