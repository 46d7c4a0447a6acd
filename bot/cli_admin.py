"""Administrative `psp-bot` subcommands (keys, audit, purge, export). Part of the
composition root: storage is imported inside the functions that need it (layering rule)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import cli_outbox
from bot.cli_audit import run_audit
from bot.cli_encryption import encryption_setup, make_codec
from bot.cli_export import add_export_command, export_case
from bot.cli_files import Progress
from bot.cli_setup import build_app, open_database
from bot.config import ConfigError, Settings

# --- parsers ----------------------------------------------------------------------------


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
    add_export_command(case_sub)

    cli_outbox.add_commands(sub)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    handler = {
        "keys": _keys,
        "audit": run_audit,
        "purge": _purge,
        "case": _case,
        "outbox": cli_outbox.run,
    }.get(args.command)
    if handler is None:
        raise ConfigError(f"unknown command {args.command}")
    return await handler(args, settings)


async def _keys(args: argparse.Namespace, settings: Settings) -> int:
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
    engine = await open_database(settings, purpose="keys")
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


async def _purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.clock import SystemClock
    from bot.retention import retention_policy, run_retention
    from storage.retention import SqlAlchemyRetentionStore

    policy = retention_policy(settings.sections)
    engine = await open_database(settings, purpose="purge")
    try:
        router = build_app(settings, engine).router
        report = await run_retention(
            router=router,
            store=SqlAlchemyRetentionStore(engine, make_codec(settings)),
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
        if report.retractions:
            print(
                f"{report.retractions} chat messages about purged cases are queued in the outbox; "
                "the running bot takes them back (`psp-bot outbox` shows what is left)"
            )
    print(
        f"open cases untouched for {policy.stale_open_days}+ days: {', '.join(report.stale) or '-'}"
    )
    return 0


async def _case(args: argparse.Namespace, settings: Settings) -> int:
    from storage.uow import SqlAlchemyUnitOfWorkFactory

    engine = await open_database(settings, purpose="case")
    try:
        return await export_case(args, SqlAlchemyUnitOfWorkFactory(engine, make_codec(settings)))
    finally:
        await engine.dispose()
