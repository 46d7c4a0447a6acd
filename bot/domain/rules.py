"""The cooperation's case rules as pure functions: each takes records and answers with a
decision or a `Refused` value. No I/O; the use cases load the records, ask here, and save.

A `Refused` carries a catalogue key and its parameters as values (agencies, refs); the core
turns it into one localized line. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.domain.model import Agency, Case, CaseStatus, GroupKind, Member

# Who can hold action responsibility in each form of cooperation (the brochure's "en af de
# tre myndigheder"); a group's lead may configure another set.
DEFAULT_AUTHORITIES: Mapping[GroupKind, tuple[Agency, ...]] = {
    GroupKind.PSP: (Agency.POLICE, Agency.SOCIAL, Agency.PSYCHIATRY),
    GroupKind.SSP: (Agency.SCHOOL, Agency.SOCIAL, Agency.POLICE),
    GroupKind.SSPPLUS: (Agency.SOCIAL, Agency.POLICE, Agency.PROBATION),
    GroupKind.KSP: (Agency.PROBATION, Agency.SOCIAL, Agency.POLICE),
}

# Parties that take part under their duty of confidentiality but are never one of the
# cooperation's authorities: no configuration can give them action responsibility.
NEVER_AUTHORITIES = frozenset({Agency.GP, Agency.HOUSING})

RuleParam = str | Agency | tuple[Agency, ...]


@dataclass(frozen=True)
class Refused:
    """A rule says no: a catalogue key and the values its line names."""

    key: str
    params: Mapping[str, RuleParam] = field(default_factory=dict)


@dataclass(frozen=True)
class PlaceNow:
    """Responsibility moves to `agency` at once; `how` is kept in the history."""

    agency: Agency
    how: str


@dataclass(frozen=True)
class Propose:
    """The receiving agency is asked; responsibility moves when it accepts."""

    agency: Agency


def authorities_for(kind: GroupKind, configured: Iterable[Agency] | None) -> tuple[Agency, ...]:
    """The agencies that can hold action responsibility in a group, in a stable order."""
    chosen = set(DEFAULT_AUTHORITIES[kind] if configured is None else configured)
    return tuple(a for a in Agency if a in chosen)


def check_authorities(agencies: Iterable[Agency]) -> Refused | None:
    """A set the lead may configure: at least one agency, none of the outside parties."""
    chosen = tuple(agencies)
    if not chosen:
        return Refused("error.authorities_empty")
    outside = tuple(a for a in Agency if a in chosen and a in NEVER_AUTHORITIES)
    if outside:
        return Refused("error.never_authority", {"agency": outside[0]})
    return None


def _can_hold(agency: Agency, authorities: tuple[Agency, ...]) -> Refused | None:
    if agency in authorities:
        return None
    return Refused("error.not_authority", {"agency": agency, "authorities": authorities})


def require_open(case: Case) -> Refused | None:
    if case.status is not CaseStatus.OPEN:
        return Refused("error.case_closed", {"ref": case.ref})
    return None


def decide_assignment(
    case: Case, actor: Member, agency: Agency, authorities: tuple[Agency, ...]
) -> PlaceNow | Propose | Refused:
    """`assign`: the lead records what the meeting agreed and taking for one's own agency needs
    no answer; anyone else proposes, one proposal at a time."""
    refused = require_open(case) or _can_hold(agency, authorities)
    if refused:
        return refused
    if case.responsible is agency:
        return Refused("error.already_responsible", {"ref": case.ref, "agency": agency})
    if actor.is_lead:
        return PlaceNow(agency, "assign")
    if agency is actor.agency:
        return PlaceNow(agency, "take")
    if case.proposed is not None:
        return Refused("error.proposal_pending", {"ref": case.ref, "agency": case.proposed})
    return Propose(agency)


def decide_take(case: Case, actor: Member, authorities: tuple[Agency, ...]) -> PlaceNow | Refused:
    refused = require_open(case) or _can_hold(actor.agency, authorities)
    if refused:
        return refused
    if case.responsible is actor.agency:
        return Refused("error.already_responsible", {"ref": case.ref, "agency": actor.agency})
    return PlaceNow(actor.agency, "take")


def proposal_for(case: Case, actor: Member) -> Agency | Refused:
    """The agency a proposal asks, if the caller belongs to it: only it answers."""
    refused = require_open(case)
    if refused:
        return refused
    if case.proposed is None or case.proposed is not actor.agency:
        return Refused("error.no_proposal", {"ref": case.ref, "agency": actor.agency})
    return case.proposed


def decide_accept(case: Case, actor: Member, authorities: tuple[Agency, ...]) -> PlaceNow | Refused:
    agency = proposal_for(case, actor)
    if isinstance(agency, Refused):
        return agency
    # The group's set may have changed since the proposal was made.
    return _can_hold(agency, authorities) or PlaceNow(agency, "accept")


def check_close(case: Case, actor: Member, authorities: tuple[Agency, ...]) -> Refused | None:
    """A case closes with a resolution, with one of the authorities responsible, by that
    agency or the lead."""
    refused = require_open(case)
    if refused:
        return refused
    if case.responsible is None:
        return Refused("error.close_without_responsible", {"ref": case.ref})
    if case.responsible not in authorities:
        return Refused(
            "error.close_outside_authorities",
            {"ref": case.ref, "agency": case.responsible, "authorities": authorities},
        )
    if not actor.is_lead and actor.agency is not case.responsible:
        return Refused("error.close_not_responsible", {"ref": case.ref, "agency": case.responsible})
    return None


def check_reopen(case: Case, actor: Member) -> Refused | None:
    if not actor.is_lead:
        return Refused("error.lead_only")
    if case.status is CaseStatus.OPEN:
        return Refused("error.case_open", {"ref": case.ref})
    return None


# --- case-scoped guests ---------------------------------------------------------------

GUEST_DAYS = 30


def check_guest_manager(case: Case, actor: Member, *, ending: bool = False) -> Refused | None:
    """Guests are invited (to an open case) and removed by the lead or by a member of the
    agency that holds responsibility for the case."""
    refused = None if ending else require_open(case)
    if refused:
        return refused
    if actor.is_lead or (case.responsible is not None and actor.agency is case.responsible):
        return None
    if case.responsible is None:
        return Refused("error.guest_manager_lead", {"ref": case.ref})
    return Refused("error.guest_manager", {"ref": case.ref, "agency": case.responsible})


def guest_last_day(today: date, until: date | None) -> date | Refused:
    """The last day of a guest's access: `until`, or 30 days ahead, and never later."""
    latest = today + timedelta(days=GUEST_DAYS)
    if until is None:
        return latest
    if until < today:
        return Refused("error.guest_until_past", {"until": until.isoformat()})
    if until > latest:
        return Refused("error.guest_until_far", {"latest": latest.isoformat()})
    return until
