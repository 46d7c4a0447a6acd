"""The case repository: a case and everything recorded on it. Free text goes through the
TextCodec, bound to its row by the row's natural key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from bot.domain import (
    Acknowledgement,
    Agency,
    Case,
    CaseDetails,
    CaseId,
    CaseStatus,
    CaseSummaryRow,
    Decision,
    GroupId,
    MemberId,
    Note,
    ResponsibilityChange,
    Tag,
    Urgency,
)
from bot.ports import ConcurrentUpdateError, KnownMember
from storage import case_statements as st
from storage import direct
from storage.case_details import DETAILS, details_from_rows
from storage.case_ids import reserved_case_id
from storage.case_listing import list_cases
from storage.case_rows import as_read, case_from_row, decision_from_row
from storage.codec import TextCodec, case_aad, numbered_aad
from storage.repositories import (
    DECISIONS,
    UnitCache,
    agency_or_none,
    member_id_or_none,
)


class SqlAlchemyCaseRepository:
    def __init__(
        self, conn: AsyncConnection, codec: TextCodec, known: UnitCache | None = None
    ) -> None:
        self._conn = conn
        self._codec = codec
        self._known = known or UnitCache()

    def _case(self, row: Row[Any]) -> Case:
        return case_from_row(row, self._codec)

    async def add(
        self,
        *,
        group_id: GroupId,
        ref: str,
        urgency: Urgency,
        summary: str,
        tags: tuple[Tag, ...],
        flagged_by: MemberId,
        flagging_agency: Agency,
        at: datetime,
        acknowledged: Acknowledgement | None = None,
    ) -> Case:
        values: dict[str, Any] = {
            "group_id": group_id,
            "ref": ref,
            "urgency": urgency.value,
            "urgency_rank": urgency.rank,
            "summary": self._codec.seal(summary, aad=case_aad(group_id, ref, "summary")),
            "tags": " ".join(t.value for t in tags),
            "status": CaseStatus.OPEN.value,
            "flagged_by": flagged_by,
            "flagging_agency": flagging_agency.value,
            "created_at": at,
            "updated_at": at,
            "version": 1,
        }
        if acknowledged is not None and self._in_one_statement():
            values["ack_agency"] = acknowledged.agency.value
            values["ack_member_id"] = acknowledged.member_id
            values["ack_at"] = acknowledged.at
            inserted = await direct.execute(self._conn, st.INSERT_ACKNOWLEDGED_CASE, values)
            case_id = CaseId(inserted.scalar_one())
            self._known.acknowledgements[case_id] = [as_read(acknowledged)]
        else:
            if direct.holds_writes(self._conn):
                # Its id first, so that the case goes out with the command's last statement.
                case_id = await reserved_case_id(self._conn)
                await direct.defer(self._conn, st.INSERT_RESERVED_CASE, {**values, "id": case_id})
            else:
                inserted = await direct.execute(self._conn, st.INSERT_CASE, values)
                case_id = CaseId(inserted.scalar_one())
            self._known.acknowledgements[case_id] = []
            if acknowledged is not None:
                await self.add_acknowledgement(
                    case_id,
                    agency=acknowledged.agency,
                    member_id=acknowledged.member_id,
                    at=acknowledged.at,
                )
        self._known.created.add(case_id)
        case = Case(
            id=case_id,
            group_id=group_id,
            ref=ref,
            urgency=urgency,
            summary=summary,
            tags=tags,
            status=CaseStatus.OPEN,
            flagged_by=flagged_by,
            flagging_agency=flagging_agency,
            responsible=None,
            proposed=None,
            proposed_by=None,
            proposed_member=None,
            resolution=None,
            created_at=at,
            updated_at=at,
            closed_at=None,
            version=1,
        )
        return self._remember(case)

    def _in_one_statement(self) -> bool:
        """PostgreSQL outside a unit of work that holds its writes: a case and its first
        acknowledgement in one statement."""
        return self._conn.dialect.name == "postgresql" and not direct.holds_writes(self._conn)

    def _remember(self, case: Case) -> Case:
        """Kept for the unit of work as a read would give it back (instants in UTC)."""
        in_utc = (
            case.created_at.tzinfo is UTC
            and case.updated_at.tzinfo is UTC
            and (case.closed_at is None or case.closed_at.tzinfo is UTC)
        )
        self._known.cases[case.id] = (
            case
            if in_utc  # as every read gives it, and the clock's instants are
            else replace(
                case,
                created_at=case.created_at.astimezone(UTC),
                updated_at=case.updated_at.astimezone(UTC),
                closed_at=case.closed_at.astimezone(UTC) if case.closed_at else None,
            )
        )
        return case

    async def get_by_ref(self, group_id: GroupId, ref: str) -> Case | None:
        known = self._known
        along, known.case_read_along = known.case_read_along, None
        rows: Sequence[Any]
        if along is not None and along[:2] == (group_id, ref):
            rows = along[2]
        else:
            params = {"group_id": group_id, "ref": ref}
            rows = (await direct.execute(self._conn, st.BY_REF_WITH_ACKNOWLEDGEMENTS, params)).all()
        if not rows:
            return None
        case = self._remember(self._case(rows[0]))
        if case.id not in known.acknowledgements:  # else this unit's own, kept up to date
            known.acknowledgements[case.id] = [
                Acknowledgement(Agency(r.ack_agency), member_id_or_none(r.ack_member_id), r.ack_at)
                for r in rows
                if r.ack_id is not None
            ]
        if not rows[0].has_grants:
            known.without_grants.add(case.id)
        known.last_note[case.id] = int(rows[0].last_note or 0)
        known.last_decision[case.id] = int(rows[0].last_decision or 0)
        return case

    async def get(self, case_id: CaseId) -> Case | None:
        known = self._known.cases.get(case_id)
        if known is not None:
            return known
        row = (await direct.execute(self._conn, st.BY_ID, {"case_id": case_id})).first()
        return self._remember(self._case(row)) if row else None

    async def save(self, case: Case, *, expected_version: int) -> Case:
        resolution = (
            self._codec.seal(case.resolution, aad=case_aad(case.group_id, case.ref, "resolution"))
            if case.resolution is not None
            else None
        )
        values = {
            "case_id": case.id,
            "expected": expected_version,
            "status": case.status.value,
            "responsible": case.responsible.value if case.responsible else None,
            "proposed": case.proposed.value if case.proposed else None,
            "proposed_by": case.proposed_by,
            "proposed_member": case.proposed_member,
            "resolution": resolution,
            "updated_at": case.updated_at,
            "closed_at": case.closed_at,
        }
        if self._conn.dialect.name == "postgresql":
            # The statement itself refuses a version other than the expected one, so it may
            # wait for the unit of work's next statement (storage/direct.py).
            await direct.defer(self._conn, st.SAVE_CHECKED, values)
            return self._remember(replace(case, version=expected_version + 1))
        values["version"] = expected_version + 1
        if (await direct.execute(self._conn, st.SAVE, values)).rowcount != 1:
            raise ConcurrentUpdateError()
        return self._remember(replace(case, version=expected_version + 1))

    async def details(self, case: Case) -> CaseDetails:
        params = {"case_id": case.id, "group_id": case.group_id}
        rows = await direct.execute(self._conn, DETAILS, params)
        members: list[KnownMember] = []
        details = details_from_rows(case, rows, self._codec, members)
        self._known.known_members[case.group_id] = members  # who the record names
        return details

    async def acknowledgements(self, case_id: CaseId) -> Sequence[Acknowledgement]:
        known = self._known.acknowledgements.get(case_id)
        if known is None:
            rows = await direct.execute(self._conn, st.ACKS_OF_CASE, {"case_id": case_id})
            known = [
                Acknowledgement(Agency(r.agency), member_id_or_none(r.member_id), r.at)
                for r in rows
            ]
            self._known.acknowledgements[case_id] = known
        return list(known)

    async def add_acknowledgement(
        self, case_id: CaseId, *, agency: Agency, member_id: MemberId | None, at: datetime
    ) -> None:
        await direct.defer(
            self._conn,
            st.INSERT_ACK,
            {"case_id": case_id, "agency": agency.value, "member_id": member_id, "at": at},
        )
        known = self._known.acknowledgements.get(case_id)
        if known is not None:  # as a read would now return it, in the order of insertion
            known.append(as_read(Acknowledgement(agency, member_id, at)))

    async def history(self, case_id: CaseId) -> Sequence[ResponsibilityChange]:
        rows = await direct.execute(self._conn, st.HISTORY_OF_CASE, {"case_id": case_id})
        return [
            ResponsibilityChange(
                agency_or_none(r.agency),
                agency_or_none(r.previous),
                member_id_or_none(r.by_member),
                r.how,
                r.at,
            )
            for r in rows
        ]

    async def add_history(self, case_id: CaseId, change: ResponsibilityChange) -> None:
        await direct.defer(
            self._conn,
            st.INSERT_HISTORY,
            {
                "case_id": case_id,
                "agency": change.agency.value if change.agency else None,
                "previous": change.previous.value if change.previous else None,
                "by_member": change.by_member,
                "how": change.how,
                "at": change.at,
            },
        )

    async def _next_number(
        self, case_id: CaseId, known: dict[CaseId, int], last: Executable
    ) -> int:
        """The next note's or decision's number: one past the last, as read with the case or
        written since, else as read now."""
        number = known.get(case_id)
        if number is None:
            found = await direct.execute(self._conn, last, {"case_id": case_id})
            number = int(found.scalar_one_or_none() or 0)
        known[case_id] = number + 1
        return number + 1

    async def decisions(self, case_id: CaseId) -> Sequence[Decision]:
        known = self._known.decisions.get(case_id)
        if known is None:
            rows = await direct.execute(self._conn, st.DECISIONS_OF_CASE, {"case_id": case_id})
            known = self._known.decisions[case_id] = [self._decision(r) for r in rows]
        return list(known)

    def _decision(self, r: Row[Any]) -> Decision:
        return decision_from_row(r, self._codec)

    async def add_decision(
        self,
        case_id: CaseId,
        *,
        text: str,
        owner: Agency,
        due: date | None,
        fallback: str | None,
        fallback_owner: Agency | None,
        by_member: MemberId,
        at: datetime,
    ) -> Decision:
        number = await self._next_number(case_id, self._known.last_decision, st.LAST_DECISION)
        aad = numbered_aad("decisions", case_id, number, "{}")
        await direct.defer(
            self._conn,
            st.INSERT_DECISION,
            {
                "case_id": case_id,
                "number": number,
                "text": self._codec.seal(text, aad=aad.format("text")),
                "owner": owner.value,
                "due": due,
                "fallback": (
                    self._codec.seal(fallback, aad=aad.format("fallback"))
                    if fallback is not None
                    else None
                ),
                "fallback_owner": fallback_owner.value if fallback_owner else None,
                "by_member": by_member,
                "created_at": at,
            },
        )
        decision = Decision(number, text, owner, due, fallback, fallback_owner, None, at, by_member)
        if (known := self._known.decisions.get(case_id)) is not None:
            known.append(replace(decision, created_at=at.astimezone(UTC)))
        return decision

    async def mark_decision_done(self, case_id: CaseId, number: int, *, at: datetime) -> None:
        await self._conn.execute(
            update(DECISIONS)
            .where(and_(DECISIONS.c.case_id == case_id, DECISIONS.c.number == number))
            .values(done_at=at)
        )
        if (known := self._known.decisions.get(case_id)) is not None:
            done = at.astimezone(UTC)
            known[:] = [replace(d, done_at=done) if d.number == number else d for d in known]

    async def notes(self, case_id: CaseId) -> Sequence[Note]:
        rows = await direct.execute(self._conn, st.NOTES_OF_CASE, {"case_id": case_id})
        return [
            Note(
                r.number,
                self._codec.unseal(r.text, aad=numbered_aad("notes", case_id, r.number, "text")),
                member_id_or_none(r.by_member),
                r.at,
            )
            for r in rows
        ]

    async def add_note(
        self, case_id: CaseId, *, text: str, by_member: MemberId, at: datetime
    ) -> Note:
        number = await self._next_number(case_id, self._known.last_note, st.LAST_NOTE)
        await direct.defer(
            self._conn,
            st.INSERT_NOTE,
            {
                "case_id": case_id,
                "number": number,
                "text": self._codec.seal(text, aad=numbered_aad("notes", case_id, number, "text")),
                "by_member": by_member,
                "at": at,
            },
        )
        return Note(number, text, by_member, at)

    async def list(
        self,
        group_id: GroupId,
        *,
        status: CaseStatus | None,
        responsible: Agency | None,
        limit: int,
        offset: int = 0,
        count_up_to: int | None = None,
        with_acknowledgements: bool = False,
    ) -> tuple[Sequence[CaseSummaryRow], int]:
        return await list_cases(
            self._conn,
            self._codec,
            group_id,
            status=status,
            responsible=responsible,
            limit=limit,
            offset=offset,
            count_up_to=count_up_to,
            with_acknowledgements=with_acknowledgements,
        )
