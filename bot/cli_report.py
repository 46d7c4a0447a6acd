"""`psp-bot report`: the evaluation report of a group or a steering group to a file (PDF,
HTML or CSV), for the steering level's yearly evaluation. Part of the composition root:
storage is imported inside the functions."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings

FORMATS = ("pdf", "html", "csv")


def add_command(sub: Any) -> None:
    report = sub.add_parser("report", help="the evaluation report of a group or steering group")
    report.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    when = report.add_mutually_exclusive_group(required=True)
    when.add_argument("--year", type=int, help="a calendar year, e.g. 2026")
    when.add_argument("--from", dest="first", type=date.fromisoformat, help="YYYY-MM-DD")
    report.add_argument("--to", dest="last", type=date.fromisoformat, help="YYYY-MM-DD")
    scope = report.add_mutually_exclusive_group(required=True)
    scope.add_argument("--group", help="an operative group's name")
    scope.add_argument("--steering", help="a steering group's name (all its groups)")
    report.add_argument("--format", choices=FORMATS, default="pdf")
    report.add_argument("--locale", choices=("da", "en"), default=None)
    report.add_argument("--out", type=Path, required=True, help="the file to write (mode 0600)")


def write_private_bytes(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli_encryption import make_codec
    from bot.cli_setup import open_database
    from bot.evaluation.document import build_document, chat_summary
    from bot.evaluation.period import period_of, year_period
    from bot.evaluation.render import render_csv, render_html
    from bot.evaluation.reporting import ReportScope, evaluate, steering_scope
    from bot.scheduling.config import parse_scheduler_config
    from storage.uow import SqlAlchemyUnitOfWorkFactory

    if args.year is not None:
        period = year_period(args.year)
    else:
        if args.last is None:
            raise ConfigError("report: --from needs --to")
        if args.first > args.last:
            raise ConfigError("report: --from is after --to")
        period = period_of(args.first, args.last)
    now = datetime.now(UTC)
    if period.start > now:
        raise ConfigError("report: the period lies in the future")
    locale = args.locale or settings.locale
    hours = parse_scheduler_config(settings.sections.get("scheduler")).hours
    engine = await open_database(settings, purpose="report")
    try:
        factory = SqlAlchemyUnitOfWorkFactory(engine, make_codec(settings))
        async with factory() as uow:
            if args.group is not None:
                group = await uow.groups.get_by_name(args.group)
                if group is None:
                    raise ConfigError(f"report: no group is named {args.group!r}")
                scope = ReportScope(group.name, (group,), None)
            else:
                steering = await uow.steering.by_name(args.steering)
                if steering is None:
                    raise ConfigError(f"report: no steering group is named {args.steering!r}")
                scope = await steering_scope(uow, steering)
                if not scope.groups:
                    raise ConfigError(f"report: {steering.name} oversees no group yet")
            evaluation = await evaluate(uow, scope, period, hours=hours, now=now)
            if evaluation.empty:
                raise ConfigError("report: no cases in the period")
            await uow.audit.record(
                at=now,
                action="report.make",
                actor_member_id=None,
                group_id=scope.groups[0].id if scope.steering is None else None,
                case_id=None,
                binding_id=None,
                detail=(
                    f"from={period.first_day.isoformat()} to={period.last_day.isoformat()} "
                    f"groups={len(scope.groups)} format={args.format} cli=1"
                ),
            )
            await uow.commit()
    finally:
        await engine.dispose()
    document = build_document(evaluation, locale=locale, scope=scope.name, generated_at=now)
    if args.format == "pdf":
        from bot.evaluation.pdf import render_pdf  # fpdf2 only for a PDF

        data = render_pdf(document)
    else:
        data = {"html": render_html, "csv": render_csv}[args.format](document)
    write_private_bytes(args.out, data)
    print(chat_summary(evaluation, locale=locale, scope=scope.name))
    print(f"-> {args.out}", file=sys.stderr)
    return 0
