"""A case by its ref with what a command on it reads next, as columns that two statements
share: the case read on its own (`BY_REF_WITH_ACKNOWLEDGEMENTS`) and the room's context that
reads the case along (storage/room_context.py), one round trip fewer on PostgreSQL."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, func, select

from storage.models import AcknowledgementRow, CaseRow, DecisionRow, NoteRow
from storage.models_access import CaseGuestRow

CASES = cast(Table, CaseRow.__table__)
ACKS = cast(Table, AcknowledgementRow.__table__)
NOTES = cast(Table, NoteRow.__table__)
DECISIONS = cast(Table, DecisionRow.__table__)
GUESTS = cast(Table, CaseGuestRow.__table__)

# The case's columns, then its acknowledgements (a row per acknowledgement, the case's columns
# repeated; one row with none), whether it has a grant that has not been ended (most cases
# have none, and then its guests need no query) and the numbers of its last note and last
# decision (a note or a decision is numbered from them; reading the decisions themselves would
# open each).
CASE_READ_COLUMNS: tuple[Any, ...] = (
    *CASES.columns,
    ACKS.c.id.label("ack_id"),
    ACKS.c.agency.label("ack_agency"),
    ACKS.c.member_id.label("ack_member_id"),
    ACKS.c.at.label("ack_at"),
    exists().where(GUESTS.c.case_id == CASES.c.id, GUESTS.c.ended_at.is_(None)).label("has_grants"),
    select(func.max(NOTES.c.number))
    .where(NOTES.c.case_id == CASES.c.id)
    .scalar_subquery()
    .label("last_note"),
    select(func.max(DECISIONS.c.number))
    .where(DECISIONS.c.case_id == CASES.c.id)
    .scalar_subquery()
    .label("last_decision"),
)
CASE_WITH_ACKNOWLEDGEMENTS = CASES.outerjoin(ACKS, ACKS.c.case_id == CASES.c.id)

BY_REF_WITH_ACKNOWLEDGEMENTS = (
    select(*CASE_READ_COLUMNS)
    .select_from(CASE_WITH_ACKNOWLEDGEMENTS)
    .where(CASES.c.group_id == bindparam("group_id"), CASES.c.ref == bindparam("ref"))
    .order_by(ACKS.c.id)
)
