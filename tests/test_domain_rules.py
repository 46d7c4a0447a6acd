"""The case rules as pure functions: records in, a decision or a refusal out. No database."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.domain import (
    Agency,
    Case,
    CaseId,
    CaseStatus,
    GroupId,
    GroupKind,
    Member,
    MemberId,
    Platform,
    Role,
    Urgency,
)
from bot.domain.rules import (
    DEFAULT_AUTHORITIES,
    PlaceNow,
    Propose,
    Refused,
    authorities_for,
    check_authorities,
    check_close,
    check_reopen,
    decide_accept,
    decide_assignment,
    decide_take,
    proposal_for,
    require_open,
)

pytestmark = pytest.mark.unit

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PSP = authorities_for(GroupKind.PSP, None)
CASE = Case(
    id=CaseId(1),
    group_id=GroupId(1),
    ref="PSP-2026-0001",
    urgency=Urgency.ACUTE,
    summary="x",
    tags=(),
    status=CaseStatus.OPEN,
    flagged_by=MemberId(1),
    flagging_agency=Agency.POLICE,
    responsible=None,
    proposed=None,
    proposed_by=None,
    proposed_member=None,
    resolution=None,
    created_at=AT,
    updated_at=AT,
    closed_at=None,
    version=1,
)


def member(agency: Agency, role: Role = Role.REP) -> Member:
    return Member(MemberId(7), GroupId(1), Platform.CONSOLE, "u", "u", agency, role)


def case(**changes: object) -> Case:
    return dataclasses.replace(CASE, **changes)  # type: ignore[arg-type]


POLICE = member(Agency.POLICE)
SOCIAL = member(Agency.SOCIAL)
HOUSING = member(Agency.HOUSING)
LEAD = member(Agency.SOCIAL, Role.LEAD)
CLOSED = case(status=CaseStatus.CLOSED, responsible=Agency.POLICE)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (GroupKind.PSP, {Agency.POLICE, Agency.SOCIAL, Agency.PSYCHIATRY}),
        (GroupKind.SSP, {Agency.SCHOOL, Agency.SOCIAL, Agency.POLICE}),
        (GroupKind.SSPPLUS, {Agency.SOCIAL, Agency.POLICE, Agency.PROBATION}),
        (GroupKind.KSP, {Agency.PROBATION, Agency.SOCIAL, Agency.POLICE}),
    ],
)
def test_each_form_of_cooperation_names_its_authorities(
    kind: GroupKind, expected: set[Agency]
) -> None:
    assert set(authorities_for(kind, None)) == expected == set(DEFAULT_AUTHORITIES[kind])


def test_a_configured_set_replaces_the_kinds_in_a_stable_order() -> None:
    chosen = authorities_for(GroupKind.PSP, [Agency.PROBATION, Agency.POLICE])
    assert chosen == (Agency.POLICE, Agency.PROBATION)


def test_a_configured_set_needs_an_agency_and_no_outside_party() -> None:
    assert check_authorities([]) == Refused("error.authorities_empty")
    refused = check_authorities([Agency.POLICE, Agency.GP])
    assert refused == Refused("error.never_authority", {"agency": Agency.GP})
    assert check_authorities([Agency.HOUSING]) is not None
    assert check_authorities([Agency.SCHOOL, Agency.PROBATION]) is None


def test_the_lead_assigns_at_once() -> None:
    assert decide_assignment(case(), LEAD, Agency.PSYCHIATRY, PSP) == PlaceNow(
        Agency.PSYCHIATRY, "assign"
    )


def test_assigning_to_ones_own_agency_is_taking() -> None:
    assert decide_assignment(case(), POLICE, Agency.POLICE, PSP) == PlaceNow(Agency.POLICE, "take")


def test_anyone_else_proposes_one_proposal_at_a_time() -> None:
    assert decide_assignment(case(), POLICE, Agency.SOCIAL, PSP) == Propose(Agency.SOCIAL)
    pending = case(proposed=Agency.PSYCHIATRY)
    refused = decide_assignment(pending, POLICE, Agency.SOCIAL, PSP)
    assert refused == Refused(
        "error.proposal_pending", {"ref": CASE.ref, "agency": Agency.PSYCHIATRY}
    )


def test_the_lead_overrides_a_pending_proposal() -> None:
    pending = case(proposed=Agency.PSYCHIATRY)
    assert decide_assignment(pending, LEAD, Agency.SOCIAL, PSP) == PlaceNow(Agency.SOCIAL, "assign")


def test_assigning_the_responsible_agency_again_is_refused() -> None:
    held = case(responsible=Agency.SOCIAL)
    assert decide_assignment(held, LEAD, Agency.SOCIAL, PSP) == Refused(
        "error.already_responsible", {"ref": CASE.ref, "agency": Agency.SOCIAL}
    )
    assert decide_take(case(responsible=Agency.POLICE), POLICE, PSP) == Refused(
        "error.already_responsible", {"ref": CASE.ref, "agency": Agency.POLICE}
    )


def test_an_agency_outside_the_set_cannot_hold_responsibility() -> None:
    expected = Refused("error.not_authority", {"agency": Agency.HOUSING, "authorities": PSP})
    assert decide_assignment(case(), LEAD, Agency.HOUSING, PSP) == expected
    assert decide_assignment(case(), HOUSING, Agency.HOUSING, PSP) == expected
    assert decide_take(case(), HOUSING, PSP) == expected
    school = authorities_for(GroupKind.SSP, None)
    assert decide_take(case(), member(Agency.PSYCHIATRY), school) == Refused(
        "error.not_authority", {"agency": Agency.PSYCHIATRY, "authorities": school}
    )


def test_taking_for_ones_own_agency() -> None:
    assert decide_take(case(responsible=Agency.SOCIAL), POLICE, PSP) == PlaceNow(
        Agency.POLICE, "take"
    )


def test_a_proposal_is_answered_only_by_the_receiving_agency() -> None:
    pending = case(proposed=Agency.SOCIAL)
    assert proposal_for(pending, SOCIAL) is Agency.SOCIAL
    assert proposal_for(pending, POLICE) == Refused(
        "error.no_proposal", {"ref": CASE.ref, "agency": Agency.POLICE}
    )
    assert proposal_for(case(), SOCIAL) == Refused(
        "error.no_proposal", {"ref": CASE.ref, "agency": Agency.SOCIAL}
    )
    assert decide_accept(pending, SOCIAL, PSP) == PlaceNow(Agency.SOCIAL, "accept")


def test_accepting_is_refused_when_the_set_changed_since_the_proposal() -> None:
    pending = case(proposed=Agency.SOCIAL)
    only_police = (Agency.POLICE,)
    assert decide_accept(pending, SOCIAL, only_police) == Refused(
        "error.not_authority", {"agency": Agency.SOCIAL, "authorities": only_police}
    )


def test_close_needs_a_responsible_authority_and_its_agency_or_the_lead() -> None:
    assert check_close(case(), LEAD, PSP) == Refused(
        "error.close_without_responsible", {"ref": CASE.ref}
    )
    held = case(responsible=Agency.POLICE)
    assert check_close(held, POLICE, PSP) is None
    assert check_close(held, LEAD, PSP) is None
    assert check_close(held, SOCIAL, PSP) == Refused(
        "error.close_not_responsible", {"ref": CASE.ref, "agency": Agency.POLICE}
    )


def test_a_case_held_outside_the_set_cannot_be_closed_even_by_the_lead() -> None:
    held = case(responsible=Agency.HOUSING)
    expected = Refused(
        "error.close_outside_authorities",
        {"ref": CASE.ref, "agency": Agency.HOUSING, "authorities": PSP},
    )
    assert check_close(held, HOUSING, PSP) == expected
    assert check_close(held, LEAD, PSP) == expected


def test_a_closed_case_refuses_every_change() -> None:
    closed = Refused("error.case_closed", {"ref": CASE.ref})
    assert require_open(CLOSED) == closed
    assert check_close(CLOSED, LEAD, PSP) == closed
    assert decide_take(CLOSED, SOCIAL, PSP) == closed
    assert decide_assignment(CLOSED, LEAD, Agency.SOCIAL, PSP) == closed
    assert proposal_for(case(status=CaseStatus.CLOSED, proposed=Agency.SOCIAL), SOCIAL) == closed
    assert require_open(case()) is None


def test_only_the_lead_reopens_and_only_a_closed_case() -> None:
    assert check_reopen(CLOSED, POLICE) == Refused("error.lead_only")
    assert check_reopen(CLOSED, LEAD) is None
    assert check_reopen(case(), LEAD) == Refused("error.case_open", {"ref": CASE.ref})
