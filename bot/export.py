"""`psp-bot case export`: everything stored about one case, for a citizen's access request
or for handover to the responsible agency's own journal system.

There is deliberately no purpose for criminal investigation: retsplejeloven § 115, stk. 2
forbids passing information from the PSP cooperation on for the investigation of criminal
cases, so the tool offers no way to state that purpose (README, "Data protection").
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from enum import Enum
from typing import Any

from bot.domain import MemberId, normalise_case_ref
from bot.ports import UnitOfWork

PURPOSES = ("access-request", "handover")
FORMATS = ("json", "md")
AUDIT_ALL = 10**7


async def collect_case(uow: UnitOfWork, group_name: str, ref: str) -> dict[str, Any] | None:
    """The case, its acknowledgements, responsibility history, decisions, notes, the
    members it names, the bot's chat messages about it and its whole audit trail."""
    group = await uow.groups.get_by_name(group_name)
    if group is None:
        return None
    case = await uow.cases.get_by_ref(group.id, normalise_case_ref(ref) or ref)
    if case is None:
        return None
    acks = await uow.cases.acknowledgements(case.id)
    history = await uow.cases.history(case.id)
    decisions = await uow.cases.decisions(case.id)
    notes = await uow.cases.notes(case.id)
    audit = await uow.audit.for_case(case.id, limit=AUDIT_ALL)
    messages = await uow.messages.for_case(case.id)
    named: set[MemberId] = {
        m
        for m in (
            case.flagged_by,
            case.proposed_by,
            case.proposed_member,
            *(a.member_id for a in acks),
            *(h.by_member for h in history),
            *(d.by_member for d in decisions),
            *(n.by_member for n in notes),
            *(e.actor_member_id for e in audit),
        )
        if m is not None
    }
    members = []
    for member_id in sorted(named):
        member = await uow.members.get(member_id)
        if member is not None:
            members.append(
                {
                    "id": member.id,
                    "display_name": member.display_name,
                    "platform": member.platform,
                    "user_id": member.user_id,
                    "agency": member.agency,
                    "role": member.role,
                }
            )
    document: dict[str, Any] = _plain(
        {
            "group": {"id": group.id, "name": group.name, "kind": group.kind},
            "case": asdict(case),
            "acknowledgements": [asdict(a) for a in acks],
            "responsibility_history": [asdict(h) for h in history],
            "decisions": [asdict(d) for d in decisions],
            "notes": [asdict(n) for n in notes],
            "members": members,
            "chat_messages": [
                {"platform": m.platform, "room_id": m.room_id, "message_id": m.message_id}
                for m in messages
            ],
            "audit": [asdict(e) for e in audit],
        }
    )
    return document


def _plain(value: Any) -> Any:
    """Enums to their values, dates to ISO 8601, tuples to lists: JSON-ready."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def render(
    data: dict[str, Any],
    *,
    purpose: str,
    fmt: str,
    exported_at: datetime,
    operator: str,
    reference: str,
) -> str:
    document = {
        "purpose": purpose,
        "operator": operator,
        "reference": reference,
        "exported_at": exported_at.isoformat(),
        **data,
    }
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return _markdown(document)


def _markdown(doc: dict[str, Any]) -> str:
    case = doc["case"]
    lines = [
        f"# {case['ref']} — {doc['group']['name']}",
        "",
        f"Purpose of export: **{doc['purpose']}** · reference {doc['reference']} · "
        f"exported {doc['exported_at']} by {doc['operator']}",
        "",
        "## Case",
        "",
    ]
    for key in (
        "urgency",
        "status",
        "summary",
        "tags",
        "flagging_agency",
        "responsible",
        "resolution",
        "created_at",
        "updated_at",
        "closed_at",
    ):
        value = case[key]
        shown = ", ".join(value) if isinstance(value, list) else value
        lines.append(f"- **{key}**: {shown if shown not in (None, '') else '—'}")
    sections = (
        ("Acknowledgements", "acknowledgements"),
        ("Responsibility history", "responsibility_history"),
        ("Decisions", "decisions"),
        ("Notes", "notes"),
        ("Members named in the record", "members"),
        ("Chat messages posted by the bot", "chat_messages"),
        ("Audit trail", "audit"),
    )
    for title, key in sections:
        lines += ["", f"## {title}", ""]
        entries = doc[key]
        if not entries:
            lines.append("—")
        for entry in entries:
            lines.append("- " + " · ".join(f"{k}: {v}" for k, v in entry.items() if v is not None))
    return "\n".join(lines) + "\n"
