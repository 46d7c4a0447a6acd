"""The routing rule (bot.domain.routing): who an alert, an escalation step and `duty` reach,
given members, absence and working hours. Pure: the unit tier."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain import (
    Agency,
    Case,
    CaseId,
    CaseStatus,
    GroupId,
    Member,
    MemberId,
    Platform,
    Role,
    Urgency,
)
from bot.domain.hours import WorkingHours
from bot.domain.routing import (
    alert_routes,
    duty_agency_missing,
    on_call,
    present,
    route_escalation,
)
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.planner import Plan, plan_escalation

pytestmark = pytest.mark.unit

HOURS = WorkingHours()
FRIDAY_NIGHT = datetime(2026, 11, 27, 22, 40)  # local wall time
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0)


def member(
    number: int,
    name: str,
    agency: Agency,
    role: Role = Role.REP,
    *,
    away: date | None = None,
    deputy: int | None = None,
) -> Member:
    return Member(
        MemberId(number),
        GroupId(1),
        Platform.CONSOLE,
        name,
        name,
        agency,
        role,
        away_until=away,
        away_deputy=MemberId(deputy) if deputy else None,
    )


ANNA = member(1, "anna", Agency.POLICE)
DINA = member(2, "dina", Agency.POLICE, Role.DEPUTY)
BO = member(3, "bo", Agency.SOCIAL)
CARL = member(4, "carl", Agency.PSYCHIATRY)
ERIK = member(5, "erik", Agency.SOCIAL, Role.LEAD)
POLICE_DUTY = member(6, "politivagt", Agency.POLICE, Role.DUTY)
PSYCH_DUTY = member(7, "psykvagt", Agency.PSYCHIATRY, Role.DUTY)
GROUP = [ANNA, DINA, BO, CARL, ERIK, POLICE_DUTY, PSYCH_DUTY]


def names(members: tuple[Member, ...]) -> list[str]:
    return [m.display_name for m in members]


def test_inside_working_hours_an_acute_alert_reaches_the_representatives_only() -> None:
    routes = alert_routes(
        GROUP, flagging=Agency.SOCIAL, urgency=Urgency.ACUTE, local=TUESDAY_MORNING, hours=HOURS
    )
    assert {r.agency: names(r.reached) for r in routes} == {
        Agency.POLICE: ["anna"],
        Agency.PSYCHIATRY: ["carl"],
    }
    assert not any(r.out_of_hours or r.duty for r in routes)


def test_outside_working_hours_an_acute_alert_reaches_the_duty_contacts_at_once() -> None:
    routes = alert_routes(
        GROUP, flagging=Agency.SOCIAL, urgency=Urgency.ACUTE, local=FRIDAY_NIGHT, hours=HOURS
    )
    assert {r.agency: names(r.reached) for r in routes} == {
        Agency.POLICE: ["anna", "politivagt"],
        Agency.PSYCHIATRY: ["carl", "psykvagt"],
    }
    assert all(r.out_of_hours for r in routes)


@pytest.mark.parametrize("urgency", [Urgency.URGENT, Urgency.NORMAL])
def test_outside_working_hours_other_urgencies_do_not_wake_the_duty_desk(
    urgency: Urgency,
) -> None:
    routes = alert_routes(
        GROUP, flagging=Agency.SOCIAL, urgency=urgency, local=FRIDAY_NIGHT, hours=HOURS
    )
    assert not any(r.duty for r in routes)


def test_an_absent_representative_is_replaced_by_the_named_deputy_then_the_agency_deputies() -> (
    None
):
    away = member(1, "anna", Agency.POLICE, away=date(2026, 12, 1), deputy=8)
    named = member(8, "per", Agency.POLICE)
    reached, stand_ins = present([away], [away, DINA, named], TUESDAY_MORNING)
    assert names(reached) == ["per"]
    assert stand_ins[0].absent == away
    # Without a named deputy (or with one away too): the agency's deputies.
    away_plain = member(1, "anna", Agency.POLICE, away=date(2026, 12, 1))
    assert names(present([away_plain], [away_plain, DINA], TUESDAY_MORNING)[0]) == ["dina"]
    named_away = member(8, "per", Agency.POLICE, away=date(2026, 12, 24))
    assert names(present([away], [away, DINA, named_away], TUESDAY_MORNING)[0]) == ["dina"]


def test_absence_ends_by_itself_after_its_last_day() -> None:
    away = member(1, "anna", Agency.POLICE, away=date(2026, 11, 24))
    assert names(present([away], [away, DINA], datetime(2026, 11, 24, 23, 59))[0]) == ["dina"]
    assert names(present([away], [away, DINA], datetime(2026, 11, 25, 0, 0))[0]) == ["anna"]


def test_an_absent_member_with_nobody_to_stand_in_is_still_mentioned() -> None:
    away = member(4, "carl", Agency.PSYCHIATRY, away=date(2026, 12, 1))
    reached, stand_ins = present([away], [away, BO], TUESDAY_MORNING)
    assert names(reached) == ["carl"]
    assert stand_ins[0].by == ()


def test_acute_escalation_outside_hours_goes_to_deputies_and_duty_before_the_lead() -> None:
    first = route_escalation(
        Agency.POLICE,
        "deputies",
        GROUP,
        urgency=Urgency.ACUTE,
        local=FRIDAY_NIGHT,
        hours=HOURS,
    )
    assert names(first.reached) == ["dina", "politivagt"]
    second = route_escalation(
        Agency.POLICE, "lead", GROUP, urgency=Urgency.ACUTE, local=FRIDAY_NIGHT, hours=HOURS
    )
    assert names(second.reached) == ["erik"]
    inside = route_escalation(
        Agency.POLICE,
        "deputies",
        GROUP,
        urgency=Urgency.ACUTE,
        local=TUESDAY_MORNING,
        hours=HOURS,
    )
    assert names(inside.reached) == ["dina"]


def test_on_call_lists_every_agency_with_who_an_acute_case_reaches_now() -> None:
    routes = on_call(GROUP, local=FRIDAY_NIGHT, hours=HOURS)
    assert {r.agency: names(r.reached) for r in routes} == {
        Agency.POLICE: ["anna", "politivagt"],
        Agency.SOCIAL: ["bo", "erik"],
        Agency.PSYCHIATRY: ["carl", "psykvagt"],
    }
    social = next(r for r in routes if r.agency is Agency.SOCIAL)
    assert social.out_of_hours and social.duty == ()


def test_a_duty_contact_needs_its_agency_in_the_group() -> None:
    assert not duty_agency_missing(GROUP, Agency.POLICE)
    assert duty_agency_missing(GROUP, Agency.PROBATION)
    assert duty_agency_missing([POLICE_DUTY], Agency.POLICE)


# --- the planner's page step ---------------------------------------------------------------


def acute_case(urgency: Urgency = Urgency.ACUTE) -> Case:
    at = datetime(2026, 11, 27, 21, 40, tzinfo=UTC)
    return Case(
        id=CaseId(7),
        group_id=GroupId(1),
        ref="PSP-2026-0007",
        urgency=urgency,
        summary="x",
        tags=(),
        status=CaseStatus.OPEN,
        flagged_by=None,
        flagging_agency=Agency.SOCIAL,
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


def plan_at(
    minutes: int, *, urgency: Urgency = Urgency.ACUTE, page_after: int | None = 600
) -> Plan:
    case = acute_case(urgency)
    return plan_escalation(
        case,
        agencies={Agency.POLICE},
        acknowledged=set(),
        known=set(),
        now=case.created_at + timedelta(minutes=minutes),
        config=SchedulerConfig(page_after=page_after),
        timezone="Europe/Copenhagen",
    )


def test_the_page_comes_after_the_lead_and_only_with_a_pager() -> None:
    assert plan_at(44).next_at == acute_case().created_at + timedelta(minutes=45)
    assert [d.key.step for d in plan_at(50).due] == ["lead"]
    assert plan_at(50).next_at == acute_case().created_at + timedelta(minutes=55)
    assert [d.key.step for d in plan_at(55).due] == ["lead", "page"]
    assert [d.key.step for d in plan_at(55, page_after=None).due] == ["lead"]
    assert plan_at(55, page_after=None).next_at is None


def test_a_bot_down_through_every_step_still_pages_and_urgent_cases_never_do() -> None:
    plan = plan_at(120)
    assert [d.key.step for d in plan.due] == ["lead", "page"]
    assert [d.key.step for d in plan.skipped] == ["deputies"]
    assert all(d.late for d in plan.due)
    assert "page" not in [d.key.step for d in plan_at(24 * 60, urgency=Urgency.URGENT).due]
