"""Steering groups (lokal styregruppe): a room that oversees several operative groups. It
receives their escalations and answers them, and sees their statistics, never a case."""

from __future__ import annotations

from bot.context import Context, Refusal
from bot.domain import Group, GroupId
from bot.domain import events as ev
from bot.evaluation import commands as ec
from bot.ports.evaluation import SteeringGroup


async def here(ctx: Context) -> SteeringGroup | None:
    return await ctx.uow.steering.by_room(ctx.incoming.platform, ctx.incoming.room)


async def _require_steering_room(ctx: Context) -> SteeringGroup:
    steering = await here(ctx)
    if steering is None:
        raise Refusal("error.not_steering_room")
    return steering


def _require_admin(ctx: Context) -> None:
    if not ctx.is_admin:
        raise Refusal("error.admin_only")


async def _audit(ctx: Context, action: str, *, group_id: GroupId | None, detail: str) -> None:
    await ctx.uow.audit.record(
        at=ctx.now,
        action=action,
        actor_member_id=ctx.member.id if ctx.member else None,
        group_id=group_id,
        case_id=None,
        binding_id=None,
        detail=detail,
    )


async def set_up_steering(ctx: Context, cmd: ec.SetUpSteering) -> None:
    _require_admin(ctx)
    if ctx.incoming.room_secure is False and not ctx.insecure_allowed:
        raise Refusal("error.insecure_room")
    if ctx.binding is not None:
        raise Refusal("error.steering_in_operative_room")
    existing = await here(ctx)
    if existing is not None:
        raise Refusal("error.steering_room_taken", name=existing.name)
    if await ctx.uow.steering.by_name(cmd.name) is not None:
        raise Refusal("error.steering_name_taken", name=cmd.name)
    steering = await ctx.uow.steering.add(
        name=cmd.name, platform=ctx.incoming.platform, room_id=ctx.incoming.room, at=ctx.now
    )
    await _audit(ctx, "steering.create", group_id=None, detail=f"steering={steering.id}")
    ctx.answer(ctx.t("steering.created", name=cmd.name))


async def _operative_group(ctx: Context, name: str) -> Group:
    group = await ctx.uow.groups.get_by_name(name)
    if group is None:
        raise Refusal("error.unknown_group", group=name[:80])
    return group


async def link_group(ctx: Context, cmd: ec.LinkGroup) -> None:
    _require_admin(ctx)
    steering = await _require_steering_room(ctx)
    group = await _operative_group(ctx, cmd.group)
    current = await ctx.uow.steering.of_group(group.id)
    if current is not None and current.id == steering.id:
        ctx.answer(ctx.t("steering.already_linked", group=group.name, name=steering.name))
        return
    if current is not None:
        raise Refusal("error.group_linked_elsewhere", group=group.name, name=current.name)
    await ctx.uow.steering.link(steering.id, group.id, at=ctx.now)
    await _audit(ctx, "steering.link", group_id=group.id, detail=f"steering={steering.id}")
    ctx.answer(ctx.t("steering.linked", group=group.name, name=steering.name))


async def unlink_group(ctx: Context, cmd: ec.UnlinkGroup) -> None:
    _require_admin(ctx)
    steering = await _require_steering_room(ctx)
    group = await _operative_group(ctx, cmd.group)
    current = await ctx.uow.steering.of_group(group.id)
    if current is None or current.id != steering.id:
        raise Refusal("error.group_not_linked", group=group.name, name=steering.name)
    await ctx.uow.steering.unlink(group.id)
    await _audit(ctx, "steering.unlink", group_id=group.id, detail=f"steering={steering.id}")
    ctx.answer(ctx.t("steering.unlinked", group=group.name, name=steering.name))


async def answer_escalation(ctx: Context, cmd: ec.AnswerEscalation) -> None:
    """The steering room answers escalation `number` of one of its groups; the group sees
    the answer in its rooms and on its agenda until its lead marks it handled."""
    steering = await _require_steering_room(ctx)
    linked = [await ctx.uow.groups.get(g) for g in await ctx.uow.steering.groups(steering.id)]
    groups = [g for g in linked if g is not None]
    if cmd.group is not None:
        chosen = [g for g in groups if g.name.lower() == cmd.group.lower()]
        if not chosen:
            raise Refusal("error.group_not_linked", group=cmd.group[:80], name=steering.name)
        group = chosen[0]
    elif len(groups) == 1:
        group = groups[0]
    else:
        raise Refusal("error.answer_which_group", groups=", ".join(g.name for g in groups))
    answered = await ctx.uow.steering.answer(group.id, cmd.number, text=cmd.text, at=ctx.now)
    if answered is None:
        raise Refusal("error.unknown_escalation", number=str(cmd.number))
    if not answered:
        raise Refusal("error.escalation_answered", number=str(cmd.number))
    await _audit(ctx, "escalation.answer", group_id=group.id, detail=f"number={cmd.number}")
    ctx.emit(ev.EscalationAnswered(group.id, cmd.number, cmd.text))
