"""The vocabulary of the PSP cooperation: ids, enums, the words users type for them, and
the frozen records. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import NewType

GroupId = NewType("GroupId", int)
CaseId = NewType("CaseId", int)
MemberId = NewType("MemberId", int)
BindingId = NewType("BindingId", int)

MAX_TEXT_LENGTH = 4000


class Platform(StrEnum):
    CONSOLE = "console"
    MATRIX = "matrix"
    SLACK = "slack"
    # Not a chat: the configured paging gateway (`[pager]`). Its "rooms" are the targets
    # paged: an agency's duty contact (the agency's name) or the group lead ("lead").
    PAGER = "pager"


class GroupKind(StrEnum):
    PSP = "psp"
    SSP = "ssp"
    SSPPLUS = "sspplus"
    KSP = "ksp"


class Agency(StrEnum):
    POLICE = "police"
    SOCIAL = "social"
    PSYCHIATRY = "psychiatry"
    PROBATION = "probation"
    SCHOOL = "school"
    GP = "gp"
    HOUSING = "housing"


class Role(StrEnum):
    REP = "rep"
    DEPUTY = "deputy"
    LEAD = "lead"
    # An agency's out-of-hours function (the police duty desk, the psychiatric emergency
    # service), typically a shared account: reached by acute cases outside working hours.
    DUTY = "duty"
    # Invited to single cases (`guest add`); never a member of the group, never responsible.
    GUEST = "guest"


class Urgency(StrEnum):
    ACUTE = "acute"
    URGENT = "urgent"
    NORMAL = "normal"

    @property
    def rank(self) -> int:
        """Sort key: acute first."""
        return _URGENCY_RANK[self]


_URGENCY_RANK = {Urgency.ACUTE: 0, Urgency.URGENT: 1, Urgency.NORMAL: 2}


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class DetailLevel(StrEnum):
    FULL = "full"
    MINIMAL = "minimal"


class RoomPurpose(StrEnum):
    """An operative room carries the cases; a steering room receives escalations only."""

    OPERATIVE = "operative"
    STEERING = "steering"


class Tag(StrEnum):
    """Case characteristics from the cooperation's own target-group description."""

    THREAT = "threat"
    VIOLENT = "violent"
    DANGER = "danger"
    CHILDREN = "children"
    CRIME = "crime"
    NO_INSIGHT = "no-insight"
    HOUSING = "housing"
    COMPLAINTS = "complaints"
    ISOLATED = "isolated"
    MULTIPLE = "multiple"
    YOUTH = "youth"
    RADICALISATION = "radicalisation"
    GANG = "gang"


# Danish and English spellings users type, mapped to the code names.
AGENCY_ALIASES: dict[str, Agency] = {
    "police": Agency.POLICE,
    "politi": Agency.POLICE,
    "politiet": Agency.POLICE,
    "social": Agency.SOCIAL,
    "kommune": Agency.SOCIAL,
    "kommunen": Agency.SOCIAL,
    "socialforvaltning": Agency.SOCIAL,
    "socialforvaltningen": Agency.SOCIAL,
    "psychiatry": Agency.PSYCHIATRY,
    "psykiatri": Agency.PSYCHIATRY,
    "psykiatrien": Agency.PSYCHIATRY,
    "probation": Agency.PROBATION,
    "kriminalforsorg": Agency.PROBATION,
    "kriminalforsorgen": Agency.PROBATION,
    "school": Agency.SCHOOL,
    "skole": Agency.SCHOOL,
    "skolen": Agency.SCHOOL,
    "gp": Agency.GP,
    "læge": Agency.GP,
    "laege": Agency.GP,
    "housing": Agency.HOUSING,
    "bolig": Agency.HOUSING,
    "boligselskab": Agency.HOUSING,
    "boligselskabet": Agency.HOUSING,
}

URGENCY_ALIASES: dict[str, Urgency] = {
    "acute": Urgency.ACUTE,
    "akut": Urgency.ACUTE,
    "urgent": Urgency.URGENT,
    "haster": Urgency.URGENT,
    "normal": Urgency.NORMAL,
}

ROLE_ALIASES: dict[str, Role] = {
    "rep": Role.REP,
    "repræsentant": Role.REP,
    "deputy": Role.DEPUTY,
    "stedfortræder": Role.DEPUTY,
    "lead": Role.LEAD,
    "tovholder": Role.LEAD,
    "duty": Role.DUTY,
    "vagt": Role.DUTY,
    "vagthavende": Role.DUTY,
}

TAG_ALIASES: dict[str, Tag] = {tag.value: tag for tag in Tag} | {
    "truende": Tag.THREAT,
    "voldsom": Tag.VIOLENT,
    "fare": Tag.DANGER,
    "børn": Tag.CHILDREN,
    "kriminalitet": Tag.CRIME,
    "uden-sygdomserkendelse": Tag.NO_INSIGHT,
    "bolig": Tag.HOUSING,
    "klager": Tag.COMPLAINTS,
    "isoleret": Tag.ISOLATED,
    "flere": Tag.MULTIPLE,
    "ung": Tag.YOUTH,
    "radikalisering": Tag.RADICALISATION,
    "bande": Tag.GANG,
}


# --- Records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    id: GroupId
    name: str
    kind: GroupKind
    prefix: str
    timezone: str = "Europe/Copenhagen"


@dataclass(frozen=True)
class RoomBinding:
    id: BindingId
    group_id: GroupId
    platform: Platform
    room_id: str
    detail: DetailLevel = DetailLevel.FULL
    purpose: RoomPurpose = RoomPurpose.OPERATIVE


@dataclass(frozen=True)
class Member:
    id: MemberId
    group_id: GroupId
    platform: Platform
    user_id: str
    display_name: str
    agency: Agency
    role: Role
    # Away through this local day (`away until`); ends by itself the day after.
    away_until: date | None = None
    # Who stands in meanwhile (`--deputy`); None: the agency's deputies.
    away_deputy: MemberId | None = None

    @property
    def is_lead(self) -> bool:
        return self.role is Role.LEAD

    def is_away(self, today: date) -> bool:
        """Away on this local day (absence ends by itself: no job clears it)."""
        return self.away_until is not None and today <= self.away_until


@dataclass(frozen=True)
class Case:
    id: CaseId
    group_id: GroupId
    ref: str
    urgency: Urgency
    summary: str
    tags: tuple[Tag, ...]
    status: CaseStatus
    flagged_by: MemberId | None
    flagging_agency: Agency
    responsible: Agency | None
    proposed: Agency | None
    proposed_by: MemberId | None
    proposed_member: MemberId | None
    resolution: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    version: int
    # Set when retention removed the free text (summary, decisions, notes, resolution).
    purged_at: datetime | None = None


@dataclass(frozen=True)
class Acknowledgement:
    agency: Agency
    member_id: MemberId | None
    at: datetime


@dataclass(frozen=True)
class ResponsibilityChange:
    agency: Agency | None
    previous: Agency | None
    by_member: MemberId | None
    how: str  # "take", "assign", "accept"
    at: datetime


@dataclass(frozen=True)
class Decision:
    number: int
    text: str
    owner: Agency
    due: date | None
    fallback: str | None
    fallback_owner: Agency | None
    done_at: datetime | None
    created_at: datetime
    by_member: MemberId | None


@dataclass(frozen=True)
class Note:
    number: int
    text: str
    by_member: MemberId | None
    at: datetime


@dataclass(frozen=True)
class CaseDetails:
    """A case with everything recorded on it, for `show` and exports."""

    case: Case
    acknowledgements: tuple[Acknowledgement, ...] = ()
    history: tuple[ResponsibilityChange, ...] = ()
    decisions: tuple[Decision, ...] = ()
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    action: str
    actor_member_id: MemberId | None
    group_id: GroupId | None
    case_id: CaseId | None
    binding_id: BindingId | None
    detail: str = ""


@dataclass(frozen=True)
class GuestGrant:
    """A guest's access to one case, until `expires_at` (or until removed)."""

    case_id: CaseId
    member: Member
    agency: Agency
    added_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class CaseSummaryRow:
    """One line of `list`: no free text beyond the summary."""

    ref: str
    urgency: Urgency
    status: CaseStatus
    responsible: Agency | None
    summary: str
    created_at: datetime
    acknowledged: frozenset[Agency] = field(default_factory=frozenset)


# --- Pure rules ---------------------------------------------------------------------------


def pending_acknowledgements(
    agencies_in_group: frozenset[Agency], acknowledged: frozenset[Agency]
) -> tuple[Agency, ...]:
    """The agencies of the group that have not yet acknowledged, in a stable order."""
    return tuple(a for a in Agency if a in agencies_in_group and a not in acknowledged)


__all__ = [
    "AGENCY_ALIASES",
    "MAX_TEXT_LENGTH",
    "ROLE_ALIASES",
    "TAG_ALIASES",
    "URGENCY_ALIASES",
    "Acknowledgement",
    "Agency",
    "AuditEntry",
    "BindingId",
    "Case",
    "CaseDetails",
    "CaseId",
    "CaseStatus",
    "CaseSummaryRow",
    "Decision",
    "DetailLevel",
    "Group",
    "GroupId",
    "GroupKind",
    "GuestGrant",
    "Member",
    "MemberId",
    "Note",
    "Platform",
    "ResponsibilityChange",
    "Role",
    "RoomBinding",
    "RoomPurpose",
    "Tag",
    "Urgency",
    "pending_acknowledgements",
]
