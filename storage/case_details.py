"""Everything recorded on a case — acknowledgements, responsibility history, decisions, notes —
read in one statement for `show`: four reads were four statements, and on PostgreSQL four
round trips. One UNION ALL with a kind per row; the texts are opened with their rows' AADs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Date, String, bindparam, cast, literal, null, select, union_all
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
from storage.base import UtcDateTime
from storage.codec import TextCodec, numbered_aad
from storage.repositories import ACKS, DECISIONS, HISTORY, NOTES, agency_or_none, member_id_or_none


def _kind(name: str) -> Any:
    return literal(name, String).label("kind")


_NO_TEXT = null()
# Typed, for PostgreSQL resolves a UNION's column types branch by branch.
_NO_TIME = cast(null(), UtcDateTime())
_NO_DATE = cast(null(), Date())

# Columns: kind, seq (the order within a kind), four texts, a member, two instants, a date.
# The first SELECT names the columns and gives their types to the others.
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
    ).where(NOTES.c.case_id == bindparam("case_id")),
).order_by("kind", "seq")


def details_from_rows(case: Case, rows: Iterable[Row[Any]], codec: TextCodec) -> CaseDetails:
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
        else:
            text = codec.unseal(r.s1, aad=numbered_aad("notes", case.id, r.seq, "text"))
            notes.append(Note(r.seq, text, by, r.t1))
    return CaseDetails(case, tuple(acks), tuple(history), tuple(decisions), tuple(notes))
