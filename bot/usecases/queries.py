"""Use cases that read: show, list, help. Every read of case data is audited too (the audit
trail itself is read in `audit.py`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import commands as c
from bot.context import Context, Refusal
from bot.domain import CaseStatus, CaseSummaryRow
from bot.i18n import normalise_locale, plural
from bot.parsing import VERB_WORDS
from bot.rendering import render_details, render_list_row
from bot.usecases.access import group_authorities

# A page of `list` (about 160 characters a row) stays far inside one chat message: Matrix's
# 64 KiB event and Slack's 3,000-character sections (blocks.py splits them).
LIST_PAGE = 25
# Matches are counted this far and no further ("more than 500"): counting every case of a
# large group would cost more than the rest of the command, and paging past it is no help.
LIST_COUNT_UP_TO = 500
# Verbs with an argument that names a person: their help says how to name one.
PEOPLE_VERBS = frozenset({"member", "assign", "guest", "audit"})


async def show_case(ctx: Context, cmd: c.ShowCase) -> None:
    group, _member, case = await ctx.case(cmd.ref, guest_ok=True)
    uow = ctx.uow
    details = await uow.cases.details(case)
    members = await uow.members.list(group.id)
    # Everyone the record names, also guests and members removed since.
    named = {k.member.id: k.member for k in await uow.access.known_members(group.id)}
    await ctx.audit("case.read", case=case)
    ctx.answer(
        render_details(
            ctx,
            details,
            agencies=frozenset(m.agency for m in members),
            members=named,
            detail=ctx.detail,
        ),
        case=case,
    )


async def _guest_rows(ctx: Context, status: CaseStatus | None) -> list[CaseSummaryRow]:
    """A guest's list: only the cases they were invited to."""
    rows = []
    for case_id in sorted(ctx.guest_cases):
        case = await ctx.uow.cases.get(case_id)
        if case is None or (status is not None and case.status is not status):
            continue
        acks = await ctx.uow.cases.acknowledgements(case.id)
        rows.append(
            CaseSummaryRow(
                ref=case.ref,
                urgency=case.urgency,
                status=case.status,
                responsible=case.responsible,
                summary=case.summary,
                created_at=case.created_at,
                acknowledged=frozenset(a.agency for a in acks),
            )
        )
    rows.sort(key=lambda r: (r.urgency.rank, r.created_at))
    return rows


async def list_cases(ctx: Context, cmd: c.ListCases) -> None:
    group, member = ctx.require_operative(guest_ok=True)
    status = {
        c.ListScope.OPEN: CaseStatus.OPEN,
        c.ListScope.MINE: CaseStatus.OPEN,
        c.ListScope.CLOSED: CaseStatus.CLOSED,
        c.ListScope.ALL: None,
    }[cmd.scope]
    responsible = member.agency if cmd.scope is c.ListScope.MINE else cmd.agency
    offset = (cmd.page - 1) * LIST_PAGE
    scope_word = cmd.scope.value
    if offset >= LIST_COUNT_UP_TO:
        raise Refusal("error.page_too_far", shown=str(LIST_COUNT_UP_TO), scope=scope_word)
    rows: Sequence[CaseSummaryRow]
    if ctx.is_guest:
        # A guest's cases are theirs: `mine` is all of them, an agency narrows them down.
        every = [
            row
            for row in await _guest_rows(ctx, status)
            if cmd.agency is None or row.responsible is cmd.agency
        ]
        rows, total = every[offset : offset + LIST_PAGE], len(every)
    else:
        rows, total = await ctx.uow.cases.list(
            group.id,
            status=status,
            responsible=responsible,
            limit=LIST_PAGE,
            offset=offset,
            count_up_to=LIST_COUNT_UP_TO,
        )
    page = f" page={cmd.page}" if cmd.page > 1 else ""
    await ctx.audit("case.list", detail=f"scope={cmd.scope.value} count={len(rows)}{page}")
    scope = ctx.t(f"scope.{cmd.scope.value}")
    if cmd.agency is not None:
        scope = ctx.t("list.of_agency", scope=scope, agency=ctx.agency_name(cmd.agency))
    over = total > LIST_COUNT_UP_TO
    count = ctx.t("list.over", count=LIST_COUNT_UP_TO) if over else str(total)
    if not rows:
        if cmd.page > 1 and total:
            ctx.answer(ctx.t("list.empty_page", scope=scope, page=cmd.page, count=count))
        else:
            ctx.answer(ctx.t("list.empty", scope=scope))
        return
    head = "list.head_page" if cmd.page > 1 else "list.head"
    lines = [ctx.t(head, scope=scope, count=count, page=cmd.page)]
    lines.extend(render_list_row(ctx, row, ctx.detail) for row in rows)
    after = total - offset - len(rows)
    if after > 0:
        more = plural(
            ctx.locale,
            "count.more",
            after,
            shown=ctx.t("list.over", count=after - 1) if over else None,
        )
        if offset + len(rows) < LIST_COUNT_UP_TO:
            lines.append(ctx.t("list.more_hint", more=more, scope=scope_word, next=cmd.page + 1))
        else:
            lines.append(ctx.t("list.more", more=more))
    ctx.answer("\n".join(lines))


async def show_help(ctx: Context, cmd: c.ShowHelp) -> None:
    if cmd.verb is not None:
        # The other common spelling of the verb, the reader's language first.
        words = VERB_WORDS[cmd.verb][:2]
        if normalise_locale(ctx.locale) == "da":
            words = words[::-1]
        lines = [ctx.t(f"usage.{cmd.verb}"), ctx.t(f"help.{cmd.verb}")]
        if cmd.verb in PEOPLE_VERBS:
            lines.append(ctx.t(f"help.people.{ctx.incoming.platform.value}"))
        lines.append(ctx.t("help.words", words=", ".join(words)))
        ctx.answer("\n".join(lines))
        return
    lines = [ctx.t("help.head")]
    lines.extend(f"  {ctx.t(f'usage.{verb}')}" for verb in VERB_WORDS)
    if ctx.group is not None and ctx.member is not None:
        # Who can hold action responsibility is the first thing a new member asks.
        authorities = await group_authorities(ctx)
        lines.append(ctx.t("help.authorities", authorities=ctx.agency_choice(authorities)))
    lines.append(ctx.t(f"help.people.{ctx.incoming.platform.value}"))
    lines.append(ctx.t("help.tail"))
    ctx.answer("\n".join(lines))
