"""`psp-bot outbox`: what the bot still owes its rooms, for the operator.

`psp-bot outbox [list]` shows the pending and dropped messages by platform, room, kind and
age, with their attempts and the last reason; never their text. `psp-bot outbox retry
--id N` (repeatable) or `--all-dropped` makes dropped messages pending again: a running bot
sends them on its next pass (within a minute), or the next start does."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings
from bot.i18n import plural
from bot.ports.outbox import OutboxListing, OutboxStatus

LIST_LIMIT = 1000


def add_commands(sub: Any) -> None:
    outbox = sub.add_parser("outbox", help="messages not yet delivered (pending or dropped)")
    outbox.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    outbox_sub = outbox.add_subparsers(dest="outbox_command")
    outbox_sub.add_parser("list", help="pending and dropped messages (the default)")
    retry = outbox_sub.add_parser("retry", help="send dropped messages again")
    which = retry.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=int, action="append", dest="ids", help="a row's id")
    which.add_argument("--all-dropped", action="store_true", help="every dropped message")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli_setup import build_app, open_database

    engine = await open_database(settings, purpose="outbox")
    try:
        router = build_app(settings, engine).router
        now = router.clock.now()
        async with router.uow_factory() as uow:
            if getattr(args, "outbox_command", None) == "retry":
                ids = None if args.all_dropped else list(args.ids)
                count = await uow.outbox.requeue(ids=ids, now=now)
                await uow.commit()
                if ids is not None and count < len(set(ids)):
                    raise ConfigError("outbox retry: only dropped messages can be retried")
                print(f"psp-bot: {plural(settings.locale, 'count.requeued', count)}")
                return 0
            rows = await uow.outbox.listing(
                statuses=[OutboxStatus.PENDING, OutboxStatus.DROPPED], limit=LIST_LIMIT
            )
    finally:
        await engine.dispose()
    print(render(rows, now=now))
    return 0


def render(rows: Sequence[OutboxListing], *, now: datetime) -> str:
    if not rows:
        return "Nothing pending or dropped: every message was delivered."
    header = ("id", "status", "platform", "room", "kind", "age", "attempts", "reason")
    table = [header] + [
        (
            str(r.id),
            r.status.value,
            r.platform.value,
            r.room_id,
            r.kind,
            age(now - r.created_at),
            str(r.attempts),
            r.reason or "",
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    pending = sum(r.status is OutboxStatus.PENDING for r in rows)
    lines.append(f"{pending} pending, {len(rows) - pending} dropped")
    return "\n".join(lines)


def age(delta: Any) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"
