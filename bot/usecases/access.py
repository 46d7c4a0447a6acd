"""Use cases of need-to-know access: which agencies of a group can hold action
responsibility (the form of cooperation decides, the lead may choose another set)."""

from __future__ import annotations

from bot import commands as c
from bot.context import Context
from bot.domain import Agency, authorities_for
from bot.domain.rules import check_authorities


async def group_authorities(ctx: Context) -> tuple[Agency, ...]:
    """The agencies that can hold action responsibility in the caller's group."""
    group, _member = ctx.require_group()
    return authorities_for(group.kind, await ctx.uow.access.authorities(group.id))


async def show_authorities(ctx: Context, cmd: c.ShowAuthorities) -> None:
    group, _member = ctx.require_group()
    configured = await ctx.uow.access.authorities(group.id)
    line = ctx.t(
        "group.authorities",
        group=group.name,
        authorities=ctx.agency_choice(authorities_for(group.kind, configured)),
    )
    if configured is None:
        line += " " + ctx.t("group.authorities_kind", kind=group.kind.value.upper())
    ctx.answer(line)


async def set_authorities(ctx: Context, cmd: c.SetAuthorities) -> None:
    group, _member = ctx.require_lead()
    if cmd.agencies is not None:
        ctx.check(check_authorities(cmd.agencies))
    # The kind's own set is stored as "no choice", so it follows the kind's definition.
    chosen = None if cmd.agencies is None else authorities_for(group.kind, cmd.agencies)
    if chosen is not None and chosen == authorities_for(group.kind, None):
        chosen = None
    await ctx.uow.access.set_authorities(group.id, chosen)
    effective = authorities_for(group.kind, chosen)
    await ctx.audit("group.authorities", detail="agencies=" + ",".join(a.value for a in effective))
    ctx.answer(
        ctx.t("group.authorities_set", group=group.name, authorities=ctx.agency_choice(effective))
    )
