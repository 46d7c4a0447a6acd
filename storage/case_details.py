"""Everything recorded on a case — acknowledgements, responsibility history, decisions, notes —
read in one statement for `show`, with the group's members as recorded (the record names
members who have left too): five reads were five statements, and on PostgreSQL five round
trips. One UNION ALL with a kind per row; the texts are opened with their rows' AADs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    String,
    bindparam,
    case,
    cast,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.engine import Row

from bot.domain import (
    Acknowledgement,
    Agency,
    Case,
    CaseDetails,
    Decision,
    Note,
    ResponsibilityChange,
)
from bot.ports import KnownMember
from storage.base import UtcDateTime
from storage.codec import TextCodec, numbered_aad
from storage.member_rows import member_of
from storage.repositories import (
    ACKS,
    DECISIONS,
    HISTORY,
    MEMBERS,
    NOTES,
    agency_or_none,
    member_id_or_none,
)


def _kind(name: str) -> Any:
    return literal(name, String).label("kind")


_NO_TEXT = null()
# Typed, for PostgreSQL resolves a UNION's column types branch by branch.
_NO_TIME = cast(null(), UtcDateTime())
_NO_DATE = cast(null(), Date())
_NO_NUMBER = cast(null(), Integer())

# Columns: kind, seq (the order within a kind), five texts, a member, two instants, a date and
# a number. The first SELECT names the columns and gives their types to the others.
DETAILS = union_all(
    select(
        _kind("a"),
        ACKS.c.id.label("seq"),
        ACKS.c.agency.label("s1"),
        _NO_TEXT.label("s2"),
        _NO_TEXT.label("s3"),
        _NO_TEXT.label("s4"),
        ACKS.c.member_id.label("member"),
        ACKS.c.at.label("t1"),
        _NO_TIME.label("t2"),
        _NO_DATE.label("due"),
        _NO_TEXT.label("s5"),
        _NO_NUMBER.label("n1"),
    ).where(ACKS.c.case_id == bindparam("case_id")),
    select(
        _kind("h"),
        HISTORY.c.id,
        HISTORY.c.agency,
        HISTORY.c.previous,
        HISTORY.c.how,
        _NO_TEXT,
        HISTORY.c.by_member,
        HISTORY.c.at,
        _NO_TIME,
        _NO_DATE,
        _NO_TEXT,
        _NO_NUMBER,
    ).where(HISTORY.c.case_id == bindparam("case_id")),
    select(
        _kind("d"),
        DECISIONS.c.number,
        DECISIONS.c.text,
        DECISIONS.c.owner,
        DECISIONS.c.fallback,
        DECISIONS.c.fallback_owner,
        DECISIONS.c.by_member,
        DECISIONS.c.created_at,
        DECISIONS.c.done_at,
        DECISIONS.c.due,
        _NO_TEXT,
        _NO_NUMBER,
    ).where(DECISIONS.c.case_id == bindparam("case_id")),
    select(
        _kind("n"),
        NOTES.c.number,
        NOTES.c.text,
        _NO_TEXT,
        _NO_TEXT,
        _NO_TEXT,
        NOTES.c.by_member,
        NOTES.c.at,
        _NO_TIME,
        _NO_DATE,
        _NO_TEXT,
        _NO_NUMBER,
    ).where(NOTES.c.case_id == bindparam("case_id")),
    select(
        _kind("m"),
        MEMBERS.c.id,
        MEMBERS.c.platform,
        MEMBERS.c.user_id,
        MEMBERS.c.display_name,
        MEMBERS.c.agency,
        MEMBERS.c.away_deputy,
        _NO_TIME,
        _NO_TIME,
        MEMBERS.c.away_until,
        MEMBERS.c.role,
        case((MEMBERS.c.active, 1), else_=0),
    ).where(MEMBERS.c.group_id == bindparam("group_id")),
).order_by("kind", "seq")


def details_from_rows(
    case: Case, rows: Iterable[Row[Any]], codec: TextCodec, members: list[KnownMember]
) -> CaseDetails:
    """The case's details; the group's members, as recorded, are appended to `members`."""
    acks: list[Acknowledgement] = []
    history: list[ResponsibilityChange] = []
    decisions: list[Decision] = []
    notes: list[Note] = []
    for r in rows:
        by = member_id_or_none(r.member)
        if r.kind == "a":
            acks.append(Acknowledgement(Agency(r.s1), by, r.t1))
        elif r.kind == "h":
            history.append(
                ResponsibilityChange(agency_or_none(r.s1), agency_or_none(r.s2), by, r.s3, r.t1)
            )
        elif r.kind == "d":
            aad = numbered_aad("decisions", case.id, r.seq, "{}")
            fallback = codec.unseal(r.s3, aad=aad.format("fallback")) if r.s3 is not None else None
            decisions.append(
                Decision(
                    number=r.seq,
                    text=codec.unseal(r.s1, aad=aad.format("text")),
                    owner=Agency(r.s2),
                    due=r.due,
                    fallback=fallback,
                    fallback_owner=agency_or_none(r.s4),
                    done_at=r.t2,
                    created_at=r.t1,
                    by_member=by,
                )
            )
        elif r.kind == "n":
            text = codec.unseal(r.s1, aad=numbered_aad("notes", case.id, r.seq, "text"))
            notes.append(Note(r.seq, text, by, r.t1))
        else:
            member = member_of(r.seq, case.group_id, r.s1, r.s2, r.s3, r.s4, r.s5, r.due, by)
            members.append(KnownMember(member, bool(r.n1)))
    return CaseDetails(case, tuple(acks), tuple(history), tuple(decisions), tuple(notes))
