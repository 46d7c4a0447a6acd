"""What every event handler shares: the command's context (who asked, where, in which
language), the records as they stand before the commit, read once per command, and the one
place that chooses rooms: `broadcast` posts to every room of a group with a purpose, the
minimal text to minimal-detail rooms, and answers in the room the command came from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.bounds import fit_message
from bot.context import Context
from bot.domain import (
    Agency,
    Case,
    CaseId,
    DetailLevel,
    GroupId,
    Member,
    MemberId,
    RoomBinding,
    RoomPurpose,
)
from bot.messages import Action, Mention, Reply, ReplyKind, RoomRef


@dataclass
class Announcer:
    """One per command: the handlers of its events append their replies to `ctx.replies`.
    Reads are kept for the rest of the command (nothing changes the record while it is
    being told)."""

    ctx: Context
    _cases: dict[CaseId, Case] = field(default_factory=dict)
    _members: list[Member] | None = None
    _bindings: dict[GroupId, Sequence[RoomBinding]] = field(default_factory=dict)
    _guests: dict[CaseId, list[Member]] = field(default_factory=dict)
    _acknowledged: dict[CaseId, frozenset[Agency]] = field(default_factory=dict)

    def t(self, key: str, **params: object) -> str:
        return self.ctx.t(key, **params)

    # --- the record as it stands ------------------------------------------------------

    async def case(self, case_id: CaseId) -> Case:
        if case_id in self.ctx.cases:
            return self.ctx.cases[case_id]
        if case_id not in self._cases:
            case = await self.ctx.uow.cases.get(case_id)
            assert case is not None, "an event names a case that exists"
            self._cases[case_id] = case
        return self._cases[case_id]

    async def members(self) -> list[Member]:
        """The members of the command's group, in the group's own order."""
        if self._members is None:
            assert self.ctx.group is not None
            self._members = list(await self.ctx.uow.members.list(self.ctx.group.id))
        return self._members

    async def member(self, member_id: MemberId) -> Member | None:
        for known in (self.ctx.member, self.ctx.guest):
            if known is not None and known.id == member_id:
                return known
        for member in await self.members():
            if member.id == member_id:
                return member
        return await self.ctx.uow.members.get(member_id)

    async def name_of(self, member_id: MemberId) -> str:
        member = await self.member(member_id)
        return member.display_name if member is not None else "?"

    async def acknowledged(self, case: Case) -> frozenset[Agency]:
        if case.id not in self._acknowledged:
            acks = await self.ctx.uow.cases.acknowledgements(case.id)
            self._acknowledged[case.id] = frozenset(a.agency for a in acks)
        return self._acknowledged[case.id]

    async def bindings(self, group_id: GroupId | None = None) -> Sequence[RoomBinding]:
        if group_id is None:
            assert self.ctx.group is not None
            group_id = self.ctx.group.id
        if group_id not in self._bindings:
            self._bindings[group_id] = await self.ctx.uow.groups.bindings(group_id)
        return self._bindings[group_id]

    async def guests(self, case: Case) -> list[Member]:
        """The case's guests: they hear of it by mention, in the rooms where they are."""
        if case.id not in self._guests:
            grants = await self.ctx.uow.access.case_guests(case.id, at=self.ctx.now)
            self._guests[case.id] = [g.member for g in grants]
        return self._guests[case.id]

    # --- rooms ------------------------------------------------------------------------

    async def tell_group(
        self,
        group_id: GroupId,
        text: str,
        *,
        kind: ReplyKind,
        message_key: str,
        case: Case | None = None,
    ) -> None:
        """A message to every operative room of a group other than the caller's."""
        for binding in await self.bindings(group_id):
            if binding.purpose is RoomPurpose.OPERATIVE:
                self.ctx.replies.append(
                    Reply(
                        room=RoomRef(binding.platform, binding.room_id),
                        text=text,
                        kind=kind,
                        case_ref=case.ref if case else None,
                        case_id=case.id if case else None,
                        message_key=message_key,
                    )
                )

    def answer(self, text: str, *, case: Case | None = None) -> None:
        """The answer in the room the command came from."""
        self.ctx.answer(text, case=case)

    async def broadcast(
        self,
        *,
        full: str,
        minimal: str,
        kind: ReplyKind,
        case: Case | None,
        mention: Sequence[Member] = (),
        actions: Sequence[Action] = (),
        message_key: str | None = None,
        purpose: RoomPurpose = RoomPurpose.OPERATIVE,
        edit_of: str | None = None,
        thread_of: str | None = None,
        answer_here: bool = True,
    ) -> None:
        """Post to every room of the group with this purpose; the room the command came
        from gets it as the answer (unless `answer_here` is False: a rewrite of an earlier
        message answers nobody). Minimal-detail rooms get the minimal text. `edit_of` and
        `thread_of` name an earlier message of the bot in each room (bot.messages.Reply)."""
        ctx = self.ctx
        if case is not None:
            mention = [*mention, *await self.guests(case)]
        for binding in await self.bindings():
            if binding.purpose is not purpose:
                continue
            room = RoomRef(binding.platform, binding.room_id)
            here = room == ctx.incoming.room_ref
            ctx.replies.append(
                Reply(
                    room=room,
                    text=fit_message(
                        minimal if binding.detail is DetailLevel.MINIMAL else full, ctx.locale
                    ),
                    kind=kind,
                    mentions=tuple(
                        Mention(m.user_id, m.display_name)
                        for m in mention
                        if m.platform is binding.platform
                    ),
                    actions=tuple(actions),
                    case_ref=case.ref if case else None,
                    case_id=case.id if case else None,
                    in_reply_to=ctx.incoming.event_id if here and answer_here else None,
                    message_key=message_key,
                    edit_of=edit_of,
                    thread_of=thread_of,
                )
            )
