"""`psp-bot audit verify | checkpoint`: walk every audit chain, sign or check each chain's
head. Imported by bot/cli_admin.py only; storage is imported inside the functions (layering)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli_files import Progress, read_checkpoints, write_private
from bot.config import ConfigError, Settings


async def run_audit(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli_setup import database_options
    from storage.audit_verify import (
        audit_snapshot,
        checkpoint_heads,
        count_audit_rows,
        verify_chain,
    )
    from storage.engine import make_engine
    from storage.maintenance import AUDIT_VERIFY

    checkpoints: list[dict[str, Any]] = []
    if args.audit_command == "verify" and args.checkpoint is not None:
        if not args.public_key:
            raise ConfigError("audit verify: --checkpoint needs --public-key (the signer's key)")
        checkpoints = read_checkpoints(args.checkpoint)
        if not checkpoints:
            raise ConfigError(f"checkpoint file {args.checkpoint}: holds no checkpoint")
    # An auditor verifies without the encryption keys and without migrating anything: the
    # chains hold ids and hashes only.
    engine = make_engine(
        settings.effective_database_url, **database_options(settings, "audit verify")
    )
    try:
        async with audit_snapshot(engine) as conn:
            progress = None
            if sys.stderr.isatty():  # a long walk shows where it is; a cron log stays clean
                progress = Progress("verifying", await count_audit_rows(conn))
            report = await verify_chain(
                conn, progress=progress, watch=checkpoint_heads(checkpoints)
            )
            if progress is not None:
                progress.end()
        if args.audit_command == "checkpoint":
            return await _checkpoint(args, engine, report)
        print(report.describe())
        if not report.intact:
            return 1
        if checkpoints and (failed := _check_against(args, report, checkpoints)):
            return failed
        # For the running bot's metric (psp_audit_last_success_age_seconds). An auditor's
        # read-only database user cannot write it: the verification still stands.
        await _note_success(engine, AUDIT_VERIFY)
        return 0
    finally:
        await engine.dispose()


def _check_against(args: argparse.Namespace, report: Any, checkpoints: list[dict[str, Any]]) -> int:
    from storage.audit_verify import check_checkpoint, load_public_key

    try:
        public_key = load_public_key(args.public_key)
    except ValueError:
        raise ConfigError("audit verify: --public-key is not a base64 Ed25519 key") from None
    for number, checkpoint in enumerate(checkpoints, start=1):
        problem = check_checkpoint(report, checkpoint, public_key)
        if problem is not None:
            print(f"audit checkpoint {number} of {len(checkpoints)} fails: {problem}")
            return 1
    last = checkpoints[-1]
    print(f"audit checkpoints hold: {len(checkpoints)}, last at {last['at']}")
    return 0


async def _note_success(engine: Any, task: str) -> None:
    from sqlalchemy.exc import DBAPIError

    from storage.maintenance import note_success

    try:
        await note_success(engine, task, at=datetime.now(UTC))
    except DBAPIError as exc:
        print(f"psp-bot: note: could not record the time of this run ({type(exc).__name__})")


async def _checkpoint(args: argparse.Namespace, engine: Any, report: Any) -> int:
    from storage.audit_verify import sign_checkpoint, store_checkpoint
    from storage.maintenance import AUDIT_CHECKPOINT, record_success

    if not report.intact:
        print(report.describe())
        print("psp-bot: no checkpoint signed over a broken chain")
        return 1
    key = _signing_key(args.signing_key)
    now = datetime.now(UTC)
    lines = []
    async with engine.begin() as conn:
        for _chain_id, chain in sorted(report.chains.items()):
            signed = sign_checkpoint(chain, key, now)
            await store_checkpoint(conn, signed)
            lines.append(json.dumps(signed, separators=(",", ":")))
        await record_success(conn, AUDIT_CHECKPOINT, at=now)
    if args.out is not None:
        with args.out.open("a", encoding="utf-8") as handle:
            handle.writelines(line + "\n" for line in lines)
    else:
        print("\n".join(lines))
    print(
        f"psp-bot: signed the heads of {len(lines)} audit chains ({report.length} rows); "
        "keep the checkpoints elsewhere"
    )
    return 0


def _signing_key(path: Path) -> Any:
    """The Ed25519 key that signs checkpoints; created (mode 0600) on first use. It belongs
    outside the database and outside the database host's backups."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from storage.audit_verify import load_signing_key, public_key_text, signing_key_text

    if path.exists():
        try:
            return load_signing_key(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ConfigError(f"audit checkpoint: {path} is not an Ed25519 signing key") from None
    key = Ed25519PrivateKey.generate()
    write_private(path, signing_key_text(key) + "\n")
    print(f"psp-bot: created the signing key {path}; public key {public_key_text(key)}")
    return key
