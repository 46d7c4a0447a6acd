"""Use cases for who belongs where: setting up a group in a room and managing its members."""

from __future__ import annotations

import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot import commands as c
from bot.context import Context, Refusal
from bot.domain import GroupKind, Member, Platform, Role, RoomPurpose
from bot.domain.routing import duty_agency_missing

_MATRIX_USER = re.compile(r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-:\[\]]+$")
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_CONSOLE_USER = re.compile(r"^[\w.\-]{1,40}$")


def normalise_user(
    platform: Platform, token: str, people: Sequence[tuple[str, str]] = ()
) -> tuple[str, str] | None:
    """A typed user reference as (platform user id, display name), or None if it names no
    user on that platform. Slack sends mentions as `<@U123|name>`; Matrix users are full ids
    (a pill picked from the autocomplete arrives as one) or, given the room's `people`, a
    display name (or a user id's local part) that only one of them has."""
    token = token.strip()
    if platform is Platform.SLACK:
        match = re.fullmatch(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>", token)
        if match:
            return match.group(1), match.group(2) or match.group(1)
        bare = token.lstrip("@")
        return (bare, bare) if _SLACK_USER.match(bare) else None
    if platform is Platform.MATRIX:
        if _MATRIX_USER.match(token):
            return token, dict(people).get(token) or token[1:].split(":", 1)[0]
        named = people_named(token, people)
        return named[0] if len(named) == 1 else None
    bare = token.lstrip("@")
    return (bare, bare) if _CONSOLE_USER.match(bare) else None


def people_named(token: str, people: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The people of the room a typed name means: by display name, else by the local part
    of their user id (`dave` for @dave:example.org); case does not matter."""
    wanted = token.strip().lstrip("@").casefold()
    if not wanted:
        return []
    by_name = [(uid, name) for uid, name in people if name.strip().casefold() == wanted]
    if by_name:
        return by_name
    return [(uid, name) for uid, name in people if uid[1:].split(":", 1)[0].casefold() == wanted]


def named_user(ctx: Context, token: str) -> tuple[str, str]:
    """The person an argument names, or the one-line refusal: no such user, or a name that
    several people in the room have."""
    people = ctx.incoming.people
    user = normalise_user(ctx.incoming.platform, token, people)
    if user is not None:
        return user
    if len(people_named(token, people)) > 1:
        raise Refusal("error.ambiguous_user", user=token[:60])
    raise Refusal("error.bad_user", user=token[:60])


def resolve_member(ctx: Context, members: Sequence[Member], token: str) -> Member | None:
    """The member a typed reference means: by platform id, else by display name."""
    normalised = normalise_user(ctx.incoming.platform, token, ctx.incoming.people)
    if normalised is not None:
        for member in members:
            if member.platform is ctx.incoming.platform and member.user_id == normalised[0]:
                return member
    wanted = token.lstrip("@").casefold()
    matches = [m for m in members if m.display_name.casefold() == wanted]
    return matches[0] if len(matches) == 1 else None


def _require_member_admin(ctx: Context) -> None:
    """Member management is the lead's; a bot admin may do it too, so that a new group can
    get its first lead."""
    if ctx.binding is None or ctx.group is None:
        raise Refusal("error.unbound_room")
    if ctx.is_admin:
        return
    ctx.require_lead()


async def add_member(ctx: Context, cmd: c.AddMember) -> None:
    _require_member_admin(ctx)
    assert ctx.group is not None
    user_id, display = named_user(ctx, cmd.user)
    existing = await ctx.uow.members.find(ctx.group.id, ctx.incoming.platform, user_id)
    if cmd.role is Role.DUTY:
        others = [
            m
            for m in await ctx.uow.members.list(ctx.group.id)
            if existing is None or m.id != existing.id
        ]
        if duty_agency_missing(others, cmd.agency):
            raise Refusal("error.duty_agency_not_in_group", agency=ctx.agency_name(cmd.agency))
    if existing is not None:
        if existing.agency is cmd.agency and existing.role is cmd.role:
            ctx.answer(ctx.t("member.unchanged", who=existing.display_name))
            return
        await _keep_a_lead(ctx, existing, cmd.role)
        member = await ctx.uow.members.update(existing.id, agency=cmd.agency, role=cmd.role)
        key = "member.updated"
    else:
        member = await ctx.uow.members.add(
            group_id=ctx.group.id,
            platform=ctx.incoming.platform,
            user_id=user_id,
            display_name=display,
            agency=cmd.agency,
            role=cmd.role,
        )
        key = "member.added"
    await ctx.audit(
        "member.add", detail=f"member={member.id} agency={cmd.agency.value} role={cmd.role.value}"
    )
    ctx.answer(
        ctx.t(
            key,
            who=member.display_name,
            agency=ctx.agency_name(member.agency),
            role=ctx.t(f"role.{member.role.value}"),
        )
    )


async def _keep_a_lead(ctx: Context, member: Member, new_role: Role | None) -> None:
    """A group must keep at least one lead, or nobody could manage it any more."""
    if not member.is_lead or new_role is Role.LEAD:
        return
    leads = [m for m in await ctx.uow.members.list(member.group_id) if m.is_lead]
    if len(leads) <= 1:
        raise Refusal("error.last_lead")


async def remove_member(ctx: Context, cmd: c.RemoveMember) -> None:
    _require_member_admin(ctx)
    assert ctx.group is not None
    members = await ctx.uow.members.list(ctx.group.id)
    member = resolve_member(ctx, members, cmd.user)
    if member is None:
        raise Refusal("error.unknown_member", user=cmd.user[:60])
    await _keep_a_lead(ctx, member, None)
    await ctx.uow.members.remove(member.id)
    await ctx.audit("member.remove", detail=f"member={member.id}")
    ctx.answer(ctx.t("member.removed", who=member.display_name))


async def list_members(ctx: Context, cmd: c.ListMembers) -> None:
    group, _member = ctx.require_group()
    members = sorted(
        await ctx.uow.members.list(group.id),
        key=lambda m: (m.agency.value, m.role.value, m.display_name.casefold()),
    )
    await ctx.audit("member.list")
    today = ctx.now.astimezone(ZoneInfo(group.timezone)).date()
    by_id = {m.id: m for m in members}
    lines = [ctx.t("member.list_head", group=group.name, count=len(members))]
    for m in members:
        line = (
            f"  {ctx.agency_name(m.agency)} · {ctx.t(f'role.{m.role.value}')} · "
            f"{m.display_name} ({m.platform.value})"
        )
        if m.is_away(today) and m.away_until is not None:
            line += ctx.t("member.away", until=m.away_until.isoformat())
            deputy = by_id.get(m.away_deputy) if m.away_deputy is not None else None
            if deputy is not None:
                line += ctx.t("member.away_deputy", deputy=deputy.display_name)
        lines.append(line)
    ctx.answer("\n".join(lines))


async def set_up_group(ctx: Context, cmd: c.SetUpGroup) -> None:
    if not ctx.is_admin:
        raise Refusal("error.admin_only")
    if ctx.incoming.room_secure is False and not ctx.insecure_allowed:
        raise Refusal("error.insecure_room")
    if ctx.binding is not None:
        bound = await ctx.uow.groups.get(ctx.binding.group_id)
        raise Refusal("error.room_bound", group=bound.name if bound else "?")
    group = await ctx.uow.groups.get_by_name(cmd.name)
    created = group is None
    if group is None:
        prefix = cmd.prefix or _default_prefix(cmd.kind)
        group = await ctx.uow.groups.add(
            name=cmd.name, kind=cmd.kind, prefix=prefix, timezone="Europe/Copenhagen"
        )
    elif cmd.prefix is not None and cmd.prefix != group.prefix:
        raise Refusal("error.prefix_mismatch", group=group.name, prefix=group.prefix)
    binding = await ctx.uow.groups.bind(
        group_id=group.id,
        platform=ctx.incoming.platform,
        room_id=ctx.incoming.room,
        detail=cmd.detail,
        purpose=cmd.purpose,
    )
    ctx.group, ctx.binding = group, binding
    await ctx.audit(
        "group.create" if created else "group.bind",
        detail=f"purpose={cmd.purpose.value} detail={cmd.detail.value}",
    )
    key = "group.created" if created else "group.bound"
    ctx.answer(
        ctx.t(
            key,
            group=group.name,
            prefix=group.prefix,
            detail=ctx.t(f"detail.{cmd.detail.value}"),
            purpose=ctx.t(f"purpose.{cmd.purpose.value}"),
        )
    )
    if cmd.purpose is RoomPurpose.OPERATIVE and created:
        ctx.answer(ctx.t("group.next_step"))


def _default_prefix(kind: GroupKind) -> str:
    return kind.value.upper()
