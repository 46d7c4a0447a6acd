"""What every scheduled notice is made of: the replies with their audit line, one reply per
operative room of the group (minimal rooms get the minimal text), who a reminder may mention,
and the outbox message key of a ledger key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain import DetailLevel, Group, GroupId, Member, Role, RoomPurpose
from bot.domain.routing import present
from bot.messages import Action, Mention, Reply, ReplyKind, RoomRef
from bot.ports import NotificationKey, UnitOfWork
from bot.scheduling.timing import to_local


@dataclass(frozen=True)
class Notice:
    replies: list[Reply]
    audit_action: str
    audit_detail: str
    case_id: int | None = None
    group_id: GroupId | None = None


async def to_group(
    uow: UnitOfWork,
    group: Group,
    *,
    full: str,
    minimal: str,
    mention: Sequence[Member],
    message_key: str,
    case_ref: str | None = None,
    case_id: int | None = None,
    actions: tuple[Action, ...] = (),
) -> list[Reply]:
    """One reply per operative room of the group; minimal rooms get the minimal text."""
    replies = []
    for binding in await uow.groups.bindings(group.id):
        if binding.purpose is not RoomPurpose.OPERATIVE:
            continue
        replies.append(
            Reply(
                room=RoomRef(binding.platform, binding.room_id),
                text=minimal if binding.detail is DetailLevel.MINIMAL else full,
                kind=ReplyKind.REMINDER,
                mentions=tuple(
                    Mention(m.user_id, m.display_name)
                    for m in mention
                    if m.platform is binding.platform
                ),
                actions=actions,
                case_ref=case_ref,
                case_id=case_id,
                message_key=message_key,
            )
        )
    return replies


def reachable(
    wanted: Sequence[Member], members: Sequence[Member], *, now: datetime, timezone: str
) -> list[Member]:
    """Who a reminder or follow-up mentions: not the duty contacts (an out-of-hours function
    has no meetings), and an absent member's stand-in instead of them (bot.domain.routing)."""
    chosen = [m for m in wanted if m.role is not Role.DUTY]
    return list(present(chosen, members, to_local(now, timezone))[0])


def message_key(key: NotificationKey) -> str:
    return ":".join(("sched", key.kind, key.subject, key.occurrence, key.step))
