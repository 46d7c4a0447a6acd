"""Use cases that read: show, list, help. Every read of case data is audited too (the audit
trail itself is read in `audit.py`)."""

from __future__ import annotations

from bot import commands as c
from bot.context import Context
from bot.domain import CaseDetails, CaseStatus
from bot.parsing import VERB_WORDS
from bot.rendering import render_details, render_list_row
from bot.usecases.access import group_authorities

LIST_LIMIT = 25


async def show_case(ctx: Context, cmd: c.ShowCase) -> None:
    group, _member, case = await ctx.case(cmd.ref)
    uow = ctx.uow
    details = CaseDetails(
        case=case,
        acknowledgements=tuple(await uow.cases.acknowledgements(case.id)),
        history=tuple(await uow.cases.history(case.id)),
        decisions=tuple(await uow.cases.decisions(case.id)),
        notes=tuple(await uow.cases.notes(case.id)),
    )
    members = await uow.members.list(group.id)
    await ctx.audit("case.read", case=case)
    ctx.answer(
        render_details(
            ctx,
            details,
            agencies=frozenset(m.agency for m in members),
            members={m.id: m for m in members},
            detail=ctx.detail,
        ),
        case=case,
    )


async def list_cases(ctx: Context, cmd: c.ListCases) -> None:
    group, member = ctx.require_operative()
    status = {
        c.ListScope.OPEN: CaseStatus.OPEN,
        c.ListScope.MINE: CaseStatus.OPEN,
        c.ListScope.CLOSED: CaseStatus.CLOSED,
        c.ListScope.ALL: None,
    }[cmd.scope]
    responsible = member.agency if cmd.scope is c.ListScope.MINE else None
    rows, total = await ctx.uow.cases.list(
        group.id, status=status, responsible=responsible, limit=LIST_LIMIT
    )
    await ctx.audit("case.list", detail=f"scope={cmd.scope.value} count={len(rows)}")
    scope = ctx.t(f"scope.{cmd.scope.value}")
    if not rows:
        ctx.answer(ctx.t("list.empty", scope=scope))
        return
    lines = [ctx.t("list.head", scope=scope, count=total)]
    lines.extend(render_list_row(ctx, row, ctx.detail) for row in rows)
    if total > len(rows):
        lines.append(ctx.t("list.more", count=total - len(rows)))
    ctx.answer("\n".join(lines))


async def show_help(ctx: Context, cmd: c.ShowHelp) -> None:
    if cmd.verb is not None:
        words = ", ".join(VERB_WORDS[cmd.verb][:2])
        ctx.answer(
            f"{ctx.t(f'usage.{cmd.verb}')}\n{ctx.t(f'help.{cmd.verb}')}\n"
            f"{ctx.t('help.words', words=words)}"
        )
        return
    lines = [ctx.t("help.head")]
    lines.extend(f"  {ctx.t(f'usage.{verb}')}" for verb in VERB_WORDS)
    if ctx.group is not None and ctx.member is not None:
        # Who can hold action responsibility is the first thing a new member asks.
        authorities = await group_authorities(ctx)
        lines.append(ctx.t("help.authorities", authorities=ctx.agency_choice(authorities)))
    lines.append(ctx.t("help.tail"))
    ctx.answer("\n".join(lines))
