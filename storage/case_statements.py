"""The case repository's statements, built once: building a statement costs more than
running it on SQLite, and SQLAlchemy's compiled cache then finds their SQL without
recomputing their cache key."""

from __future__ import annotations

import functools
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, func, insert, select, text, update
from sqlalchemy.sql import Select

from storage.case_read import BY_REF_WITH_ACKNOWLEDGEMENTS as BY_REF_WITH_ACKNOWLEDGEMENTS
from storage.models_access import CaseGuestRow
from storage.repositories import ACKS, CASES, DECISIONS, HISTORY, NOTES

GUESTS = cast(Table, CaseGuestRow.__table__)

BY_ID = select(CASES).where(CASES.c.id == bindparam("case_id"))
INSERT_CASE = insert(CASES).returning(CASES.c.id)
# PostgreSQL, in a unit of work that holds its writes: ids for new cases, taken before the
# cases are stored, so that a case, its acknowledgement and its audit row go out together
# with the command's answer (storage/direct.py). A sequence is outside every transaction.
RESERVE_CASE_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('cases', 'id')) AS id FROM generate_series(1, :count)"
).bindparams(bindparam("count", type_=Integer))
INSERT_RESERVED_CASE = insert(CASES)
CASE_COLUMNS = (
    "group_id",
    "ref",
    "urgency",
    "urgency_rank",
    "summary",
    "tags",
    "status",
    "flagged_by",
    "flagging_agency",
    "created_at",
    "updated_at",
    "version",
)


def _insert_acknowledged_case() -> Select[Any]:
    """PostgreSQL: the new case and its first acknowledgement in one statement (one round
    trip); the acknowledgement's parameters are `ack_agency`, `ack_member_id` and `ack_at`."""
    case = (
        insert(CASES)
        .values({name: bindparam(name, type_=CASES.c[name].type) for name in CASE_COLUMNS})
        .returning(CASES.c.id)
        .cte("new_case")
    )
    acknowledgement = insert(ACKS).from_select(
        ["case_id", "agency", "member_id", "at"],
        select(
            case.c.id,
            bindparam("ack_agency", type_=ACKS.c.agency.type),
            bindparam("ack_member_id", type_=ACKS.c.member_id.type),
            bindparam("ack_at", type_=ACKS.c.at.type),
        ),
    )
    return select(case.c.id).add_cte(acknowledgement.cte("new_acknowledgement"))


INSERT_ACKNOWLEDGED_CASE = _insert_acknowledged_case()
_SAVED = (
    "status",
    "responsible",
    "proposed",
    "proposed_by",
    "proposed_member",
    "resolution",
    "updated_at",
    "closed_at",
)
SAVE = (
    update(CASES)
    .where(CASES.c.id == bindparam("case_id"), CASES.c.version == bindparam("expected"))
    .values({name: bindparam(name) for name in (*_SAVED, "version")})
)
# PostgreSQL: the update itself fails with serialization_failure, which the unit of work
# answers by running the command again, if the case is not at the expected version
# (psp_next_version, migration 0013), so no one needs to read its row count.
SAVE_CHECKED = (
    update(CASES)
    .where(CASES.c.id == bindparam("case_id"))
    .values(
        {
            **{name: bindparam(name) for name in _SAVED},
            "version": func.psp_next_version(CASES.c.version, bindparam("expected", type_=Integer)),
        }
    )
)
ACKS_OF_CASE = select(ACKS).where(ACKS.c.case_id == bindparam("case_id")).order_by(ACKS.c.id)
INSERT_ACK = insert(ACKS)
HISTORY_OF_CASE = (
    select(HISTORY).where(HISTORY.c.case_id == bindparam("case_id")).order_by(HISTORY.c.id)
)
INSERT_HISTORY = insert(HISTORY)
DECISIONS_OF_CASE = (
    select(DECISIONS)
    .where(DECISIONS.c.case_id == bindparam("case_id"))
    .order_by(DECISIONS.c.number)
)
INSERT_DECISION = insert(DECISIONS)
NOTES_OF_CASE = (
    select(NOTES).where(NOTES.c.case_id == bindparam("case_id")).order_by(NOTES.c.number)
)
INSERT_NOTE = insert(NOTES)


LISTED = (
    CASES.c.id,
    CASES.c.group_id,
    CASES.c.ref,
    CASES.c.urgency,
    CASES.c.status,
    CASES.c.responsible,
    CASES.c.summary,
    CASES.c.created_at,
)


@functools.cache
def listing(by_status: bool, by_responsible: bool) -> tuple[Any, Any]:
    """The page query and the bounded count of `list`, built once per kind of filter. The
    page's rows carry the count too (`matching`, counted once per statement): a full page
    needs it, and on PostgreSQL a statement of its own was a round trip of its own."""
    conditions = [CASES.c.group_id == bindparam("group_id")]
    if by_status:
        conditions.append(CASES.c.status == bindparam("status"))
    if by_responsible:
        conditions.append(CASES.c.responsible == bindparam("responsible"))
    matching = select(CASES.c.id).where(*conditions).limit(bindparam("up_to")).subquery()
    counting = select(func.count()).select_from(matching)
    page = (
        select(*LISTED, counting.scalar_subquery().label("matching"))
        .where(*conditions)
        .order_by(CASES.c.urgency_rank, CASES.c.created_at, CASES.c.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return page, counting


LAST_NOTE = select(func.max(NOTES.c.number)).where(NOTES.c.case_id == bindparam("case_id"))
LAST_DECISION = select(func.max(DECISIONS.c.number)).where(
    DECISIONS.c.case_id == bindparam("case_id")
)
