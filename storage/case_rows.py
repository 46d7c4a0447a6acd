"""Rows of the case tables as domain records: what storage/cases.py reads, and the
follow-up queries that read decisions too."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from typing import Any

from sqlalchemy.engine import Row

from bot.domain import (
    Acknowledgement,
    Agency,
    Case,
    CaseId,
    CaseStatus,
    Decision,
    GroupId,
    Tag,
    Urgency,
)
from storage.codec import TextCodec, case_aad, numbered_aad
from storage.repositories import agency_or_none, member_id_or_none


def case_from_row(row: Row[Any], codec: TextCodec) -> Case:
    """A cases row as the domain's Case, its texts opened with the row's own AAD."""
    resolution = (
        codec.unseal(row.resolution, aad=case_aad(row.group_id, row.ref, "resolution"))
        if row.resolution is not None
        else None
    )
    return Case(
        id=CaseId(row.id),
        group_id=GroupId(row.group_id),
        ref=row.ref,
        urgency=Urgency(row.urgency),
        summary=codec.unseal(row.summary, aad=case_aad(row.group_id, row.ref, "summary")),
        tags=tuple(Tag(t) for t in row.tags.split()) if row.tags else (),
        status=CaseStatus(row.status),
        flagged_by=member_id_or_none(row.flagged_by),
        flagging_agency=Agency(row.flagging_agency),
        responsible=agency_or_none(row.responsible),
        proposed=agency_or_none(row.proposed),
        proposed_by=member_id_or_none(row.proposed_by),
        proposed_member=member_id_or_none(row.proposed_member),
        resolution=resolution,
        created_at=row.created_at,
        updated_at=row.updated_at,
        closed_at=row.closed_at,
        version=row.version,
        purged_at=row.purged_at,
    )


def decision_from_row(r: Row[Any], codec: TextCodec) -> Decision:
    """A decisions row as the domain's Decision, its texts opened with the row's own AAD."""
    aad = numbered_aad("decisions", r.case_id, r.number, "{}")
    return Decision(
        number=r.number,
        text=codec.unseal(r.text, aad=aad.format("text")),
        owner=Agency(r.owner),
        due=r.due,
        fallback=(
            codec.unseal(r.fallback, aad=aad.format("fallback")) if r.fallback is not None else None
        ),
        fallback_owner=agency_or_none(r.fallback_owner),
        done_at=r.done_at,
        created_at=r.created_at,
        by_member=member_id_or_none(r.by_member),
    )


def as_read(acknowledgement: Acknowledgement) -> Acknowledgement:
    """An acknowledgement as a read gives it back: its instant in UTC."""
    if acknowledgement.at.tzinfo is UTC:
        return acknowledgement
    return replace(acknowledgement, at=acknowledgement.at.astimezone(UTC))
