"""`psp-bot case export`: one case's record written to a private file, for a citizen's access
request or a handover, with the person who ran it and the request it answers in the audit
log. Imported by bot/cli_admin.py; storage is imported inside the functions (layering rule)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from bot.cli_files import write_private
from bot.domain import clean_text, contains_cpr
from bot.export import FORMATS, PURPOSES

if TYPE_CHECKING:
    from bot.ports import UnitOfWorkFactory

# The audit row's detail holds at most 255 characters: the two labels, percent-encoded (so an
# "æ" counts six), stay within these.
MAX_OPERATOR = 60
MAX_REFERENCE = 100


def _purpose(value: str) -> str:
    if value not in PURPOSES:
        raise argparse.ArgumentTypeError(
            f"{value!r}: the purpose must be access-request or handover. PSP information may "
            "not be passed on for the investigation of criminal cases (retsplejeloven § 115, "
            "stk. 2)"
        )
    return value


def _label(option: str, limit: int) -> Any:
    """An argparse type for a short free text naming a person or a request: printable, not
    blank, within `limit` characters and never a CPR number (it goes into the audit log)."""

    def parse(value: str) -> str:
        text = " ".join(clean_text(value).split())
        if not text or not text.isprintable():
            raise argparse.ArgumentTypeError(f"{option}: give a non-empty, printable text")
        if len(quote(text, safe="")) > limit:
            raise argparse.ArgumentTypeError(f"{option}: too long (keep it short)")
        if contains_cpr(text):
            raise argparse.ArgumentTypeError(
                f"{option}: looks like a CPR number; name the request by its own number instead"
            )
        return text

    return parse


def add_export_command(case_sub: Any) -> None:
    export = case_sub.add_parser("export", help="write everything stored about one case")
    export.add_argument("ref")
    export.add_argument("--group", required=True, help="the group's name")
    export.add_argument("--purpose", required=True, type=_purpose, help=" | ".join(PURPOSES))
    export.add_argument(
        "--operator",
        required=True,
        type=_label("--operator", MAX_OPERATOR),
        help="who runs the export (name or initials), recorded in the audit log",
    )
    export.add_argument(
        "--reference",
        required=True,
        type=_label("--reference", MAX_REFERENCE),
        help="the request or case number the export answers, recorded in the audit log",
    )
    export.add_argument("--format", choices=FORMATS, default="json")
    export.add_argument("--out", type=Path, help="file to write (default: <ref>.<purpose>.<fmt>)")


def export_detail(*, purpose: str, fmt: str, operator: str, reference: str) -> str:
    """The audit row's detail: enum values, and the two labels percent-encoded so that the
    `key=value` form stays unambiguous."""
    return (
        f"purpose={purpose} format={fmt} via=cli operator={quote(operator, safe='')} "
        f"reference={quote(reference, safe='')}"
    )


async def export_case(args: argparse.Namespace, uow_factory: UnitOfWorkFactory) -> int:
    from bot.export import collect_case, render

    detail = export_detail(
        purpose=args.purpose, fmt=args.format, operator=args.operator, reference=args.reference
    )
    now = datetime.now(UTC)
    async with uow_factory() as uow:
        data = await collect_case(uow, args.group, args.ref)
        if data is None:
            print(f"psp-bot: no case {args.ref} in group {args.group}", file=sys.stderr)
            return 1
        # The export is itself a read of the case: audited with its purpose, the person who
        # ran it and the request it answers.
        await uow.audit.record(
            at=now,
            action="case.export",
            actor_member_id=None,
            group_id=data["group"]["id"],
            case_id=data["case"]["id"],
            binding_id=None,
            detail=detail,
        )
        await uow.commit()
    ref = data["case"]["ref"]
    out: Path = args.out or Path(f"{ref}.{args.purpose}.{args.format}")
    document = render(
        data,
        purpose=args.purpose,
        fmt=args.format,
        exported_at=now,
        operator=args.operator,
        reference=args.reference,
    )
    write_private(out, document)
    print(
        f"psp-bot: wrote {out} (mode 0600); the export, its purpose, operator and reference "
        "are in the audit log"
    )
    return 0
