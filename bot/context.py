"""What a use case knows about the command it serves: who, where, when, and in which language;
plus the helpers every use case shares for refusals, audit rows and replies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bot import logfields
from bot.bounds import fit_message
from bot.domain import (
    Agency,
    Case,
    CaseId,
    DetailLevel,
    Group,
    Member,
    Refused,
    RoomBinding,
    RoomPurpose,
    normalise_case_ref,
)
from bot.domain.events import Event
from bot.domain.hours import WorkingHours
from bot.i18n import translate
from bot.messages import Incoming, Reply, ReplyKind
from bot.ports import UnitOfWork


class Refusal(Exception):
    """A command the bot will not carry out. Becomes a one-line localized reply; the unit of
    work is rolled back, so nothing the command did is kept."""

    def __init__(self, key: str, *, about: str | None = None, **params: str) -> None:
        super().__init__(key)
        self.key = key
        # The part of the command the refusal concerns (a field of the parsed command, e.g.
        # "due"), where it is one: a form shows the line under that field.
        self.about = about
        self.params = params


@dataclass
class Context:
    uow: UnitOfWork
    incoming: Incoming
    locale: str
    now: datetime
    binding: RoomBinding | None
    group: Group | None
    member: Member | None
    is_admin: bool
    # Whether this platform's config lets cases be shown in rooms that are not secure
    # (unencrypted Matrix rooms, public Slack channels).
    insecure_allowed: bool = False
    replies: list[Reply] = field(default_factory=list)
    # A caller who is no member but a guest of some of the group's cases (`guest add`).
    guest: Member | None = None
    guest_cases: frozenset[CaseId] = frozenset()
    # The groups' working hours (`[scheduler]`): outside them acute cases reach duty contacts.
    hours: WorkingHours = field(default_factory=WorkingHours)
    # Whether a `[pager]` gateway is configured (`page test`, the acute escalation's last step).
    pager: bool = False
    # What the command changed, in order (bot.domain.events); `bot.announcing` turns them into
    # replies before the unit of work commits.
    events: list[Event] = field(default_factory=list)
    # The newest record of each case the command wrote (`remember`): telling of it needs no
    # second read.
    cases: dict[CaseId, Case] = field(default_factory=dict)

    # --- language --------------------------------------------------------------------

    def t(self, key: str, **params: object) -> str:
        return translate(self.locale, key, **params)

    def agency_name(self, agency: Agency | None) -> str:
        return self.t("agency.none") if agency is None else self.t(f"agency.{agency.value}")

    def agency_list(self, agencies: Iterable[Agency]) -> str:
        names = [self.agency_name(a) for a in agencies]
        return ", ".join(names) if names else self.t("word.none")

    def agency_choice(self, agencies: Iterable[Agency]) -> str:
        """`police, social services or psychiatry`: who of several may do something."""
        names = [self.agency_name(a) for a in agencies]
        if len(names) < 2:
            return names[0] if names else self.t("word.none")
        return self.t("word.or", first=", ".join(names[:-1]), last=names[-1])

    def check(self, outcome: Refused | None) -> None:
        """Raise the domain's refusal, if it gave one, as a localized line."""
        if outcome is not None:
            raise self.refusal(outcome)

    def refusal(self, refused: Refused) -> Refusal:
        params: dict[str, str] = {}
        for name, value in refused.params.items():
            if isinstance(value, Agency):
                params[name] = self.agency_name(value)
            elif isinstance(value, tuple):
                params[name] = self.agency_choice(value)
            else:
                params[name] = value
        return Refusal(refused.key, **params)

    # --- who may do what --------------------------------------------------------------

    @property
    def is_guest(self) -> bool:
        return self.member is None and self.guest is not None

    def require_group(self, *, guest_ok: bool = False) -> tuple[Group, Member]:
        """The group bound to this room and the caller's membership in it, or a refusal.
        With `guest_ok`, a guest of some of its cases passes too (as their guest record)."""
        if self.binding is None or self.group is None:
            raise Refusal("error.unbound_room")
        if self.member is not None:
            return self.group, self.member
        if self.guest is not None:
            if guest_ok:
                return self.group, self.guest
            raise Refusal("error.guest_only")
        raise Refusal("error.not_member")

    def require_operative(self, *, guest_ok: bool = False) -> tuple[Group, Member]:
        group, member = self.require_group(guest_ok=guest_ok)
        assert self.binding is not None
        if self.binding.purpose is RoomPurpose.STEERING:
            raise Refusal("error.steering_room")
        if self.incoming.room_secure is False and not self.insecure_allowed:
            raise Refusal("error.insecure_room")
        return group, member

    def require_lead(self) -> tuple[Group, Member]:
        group, member = self.require_group()
        if not member.is_lead:
            raise Refusal("error.lead_only")
        return group, member

    async def case(self, ref: str, *, guest_ok: bool = False) -> tuple[Group, Member, Case]:
        """The case with this ref in the caller's group. A ref of another group answers
        exactly like a ref that does not exist (data protection rule 2), and so does, to a
        guest, every case they were not invited to."""
        group, member = self.require_operative(guest_ok=guest_ok)
        canonical = normalise_case_ref(ref) or ref
        case = await self.uow.cases.get_by_ref(group.id, canonical)
        if case is None or (self.is_guest and case.id not in self.guest_cases):
            raise Refusal("error.unknown_case", ref=canonical)
        logfields.add(case_id=int(case.id))
        return group, member, case

    # --- audit ------------------------------------------------------------------------

    async def audit(self, action: str, *, case: Case | None = None, detail: str = "") -> None:
        await self.uow.audit.record(
            at=self.now,
            action=action,
            actor_member_id=actor.id if (actor := self.member or self.guest) else None,
            group_id=self.group.id if self.group else None,
            case_id=case.id if case else None,
            binding_id=self.binding.id if self.binding else None,
            detail=detail,
        )

    # --- what happened ----------------------------------------------------------------

    def emit(self, event: Event) -> None:
        """Record that something happened; the group is told of it by `bot.announcing`."""
        self.events.append(event)

    def remember(self, case: Case) -> Case:
        """Keep the case's record as this command left it (every write of a case goes
        through here, see `bot.usecases.lifecycle.save_case`); returns it."""
        self.cases[case.id] = case
        return case

    # --- replies ----------------------------------------------------------------------

    @property
    def detail(self) -> DetailLevel:
        return self.binding.detail if self.binding else DetailLevel.FULL

    def answer(self, text: str, *, case: Case | None = None) -> None:
        self.replies.append(
            Reply(
                room=self.incoming.room_ref,
                text=fit_message(text, self.locale),
                kind=ReplyKind.ANSWER,
                case_ref=case.ref if case else None,
                case_id=case.id if case else None,
                in_reply_to=self.incoming.event_id,
            )
        )


def named_case(command: object) -> str | None:
    """The case a command names (`ack PSP-2026-0007`), canonical as `Context.case` reads it:
    the room's context may read it along (one round trip fewer on PostgreSQL)."""
    ref = getattr(command, "ref", None)
    return normalise_case_ref(ref) if isinstance(ref, str) else None
