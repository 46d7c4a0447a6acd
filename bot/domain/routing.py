"""Who is reached, and why: the one rule behind the alert, the escalation steps, the pager and
the `duty` command (and the README's routing table). Pure: members, their absence, the
group's working hours and a local wall time in; members out. Standard library only.

- An absent member (`away until`) is replaced at once by whoever stands in: the deputy they
  named, else their agency's deputies who are not away themselves. With nobody to stand in,
  they are still mentioned (someone may see it).
- The first alert of a case reaches each other agency's representatives (and leads).
- Outside working hours an acute alert also reaches each agency's duty contacts (role
  `duty`) at once; the acute escalation's first step goes to the deputies and the duty
  contacts, the second to the group lead, and the pager (if configured) last.
- Inside working hours nothing changes: duty contacts are not mentioned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.hours import WorkingHours
from bot.domain.model import Agency, Member, Role, Urgency

STEP_DEPUTIES = "deputies"
STEP_LEAD = "lead"


@dataclass(frozen=True)
class StandIn:
    """`absent` is away; `by` are mentioned instead (empty: nobody could stand in)."""

    absent: Member
    by: tuple[Member, ...]


@dataclass(frozen=True)
class Route:
    """Who of one agency is reached for one message, and why."""

    agency: Agency
    reached: tuple[Member, ...]
    # Outside working hours for an acute case (whether or not the agency has a duty contact).
    out_of_hours: bool = False
    # The duty contacts among `reached`.
    duty: tuple[Member, ...] = ()
    stand_ins: tuple[StandIn, ...] = ()


def is_out_of_hours(local: datetime, hours: WorkingHours) -> bool:
    return not hours.is_open(local)


def stand_ins_for(member: Member, members: Sequence[Member], local: datetime) -> tuple[Member, ...]:
    """Who is mentioned while `member` is away: the deputy they named, if present, else their
    agency's deputies who are present (never themselves)."""
    today = local.date()
    if member.away_deputy is not None:
        named = next((m for m in members if m.id == member.away_deputy), None)
        if named is not None and not named.is_away(today):
            return (named,)
    return tuple(
        m
        for m in members
        if m.agency is member.agency
        and m.role is Role.DEPUTY
        and m.id != member.id
        and not m.is_away(today)
    )


def present(
    wanted: Iterable[Member], members: Sequence[Member], local: datetime
) -> tuple[tuple[Member, ...], tuple[StandIn, ...]]:
    """`wanted`, each absent one replaced by whoever stands in (in order, no one twice)."""
    today = local.date()
    reached: dict[int, Member] = {}
    stand_ins: list[StandIn] = []
    for member in wanted:
        if not member.is_away(today):
            reached.setdefault(member.id, member)
            continue
        by = stand_ins_for(member, members, local)
        stand_ins.append(StandIn(member, by))
        for other in by or (member,):
            reached.setdefault(other.id, other)
    return tuple(reached.values()), tuple(stand_ins)


def duty_contacts(agency: Agency, members: Sequence[Member], local: datetime) -> tuple[Member, ...]:
    return tuple(
        m
        for m in members
        if m.agency is agency and m.role is Role.DUTY and not m.is_away(local.date())
    )


def route_alert(
    agency: Agency,
    members: Sequence[Member],
    *,
    urgency: Urgency,
    local: datetime,
    hours: WorkingHours,
) -> Route:
    """Who of `agency` the first alert of a case flagged at `local` (the group's wall time)
    reaches: its representatives and leads, absent ones replaced; outside working hours, for
    an acute case, its duty contacts too."""
    fixed = [m for m in members if m.agency is agency and m.role in (Role.REP, Role.LEAD)]
    reached, stand_ins = present(fixed, members, local)
    night = urgency is Urgency.ACUTE and is_out_of_hours(local, hours)
    duty = duty_contacts(agency, members, local) if night else ()
    return Route(
        agency,
        _merge(reached, duty),
        out_of_hours=night,
        duty=duty,
        stand_ins=stand_ins,
    )


def route_escalation(
    agency: Agency,
    step: str,
    members: Sequence[Member],
    *,
    urgency: Urgency,
    local: datetime,
    hours: WorkingHours,
) -> Route:
    """Who an escalation step about `agency` reaches at `local`. `deputies`: the agency's
    deputies (all its members if it has none), and outside working hours for an acute case its
    duty contacts; `lead`: the group's leads. Absent ones replaced."""
    if step == STEP_DEPUTIES:
        deputies = [m for m in members if m.agency is agency and m.role is Role.DEPUTY]
        wanted = deputies or [m for m in members if m.agency is agency and m.role is not Role.DUTY]
    else:
        wanted = [m for m in members if m.role is Role.LEAD]
    reached, stand_ins = present(wanted, members, local)
    night = urgency is Urgency.ACUTE and is_out_of_hours(local, hours)
    duty = duty_contacts(agency, members, local) if night and step == STEP_DEPUTIES else ()
    return Route(agency, _merge(reached, duty), out_of_hours=night, duty=duty, stand_ins=stand_ins)


def alert_routes(
    members: Sequence[Member],
    *,
    flagging: Agency,
    urgency: Urgency,
    local: datetime,
    hours: WorkingHours,
) -> tuple[Route, ...]:
    """The first alert's routes: one per other agency of the group, in the agencies' order."""
    agencies = {m.agency for m in members if m.role is not Role.GUEST} - {flagging}
    return tuple(
        route_alert(a, members, urgency=urgency, local=local, hours=hours)
        for a in Agency
        if a in agencies
    )


def on_call(
    members: Sequence[Member], *, local: datetime, hours: WorkingHours
) -> tuple[Route, ...]:
    """`duty`: per agency of the group, who an acute case flagged now would reach."""
    agencies = {m.agency for m in members if m.role is not Role.GUEST}
    return tuple(
        route_alert(a, members, urgency=Urgency.ACUTE, local=local, hours=hours)
        for a in Agency
        if a in agencies
    )


def duty_agency_missing(members: Sequence[Member], agency: Agency) -> bool:
    """A duty contact belongs to an agency the group already has: one with a member in
    another role (its representatives, deputies or a lead)."""
    return not any(m.agency is agency and m.role not in (Role.DUTY, Role.GUEST) for m in members)


def reached_by(routes: Iterable[Route]) -> tuple[Member, ...]:
    """Everyone the routes reach, no one twice."""
    merged: tuple[Member, ...] = ()
    for route in routes:
        merged = _merge(merged, route.reached)
    return merged


def _merge(first: Sequence[Member], second: Sequence[Member]) -> tuple[Member, ...]:
    seen = {m.id for m in first}
    return (*first, *(m for m in second if m.id not in seen))
