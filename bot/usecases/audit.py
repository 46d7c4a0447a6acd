"""Use cases of the access log a data protection officer (through the group's lead) reads:
who read or changed a case, and everything one member read or changed. Removed members are
named as they were then, marked removed; the reading is audited too."""

from __future__ import annotations

from datetime import datetime, time
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from bot import commands as c
from bot.catalogue import CATALOGUE
from bot.context import Context, Refusal
from bot.domain import AuditEntry, MemberId, Role
from bot.i18n import plural
from bot.ports import KnownMember, MemberAction
from bot.rendering import local_time
from bot.usecases.members import normalise_user, resolve_member

AUDIT_LIMIT = 50


def _who(ctx: Context, known: KnownMember | None) -> str:
    """`anna (police)`, or `anna (police, removed)` for a member no longer in the group."""
    if known is None:
        return "—"
    agency = ctx.agency_name(known.member.agency)
    if known.member.role is Role.GUEST:
        return f"{known.member.display_name} ({agency}, {ctx.t('audit.guest')})"
    if known.active:
        return f"{known.member.display_name} ({agency})"
    return f"{known.member.display_name} ({agency}, {ctx.t('audit.removed')})"


def _action(ctx: Context, action: str) -> str:
    """The recorded action in the reader's language; one without a name is shown as recorded
    (a row written by a newer or older version of the bot still reads)."""
    key = f"action.{action}"
    return ctx.t(key) if key in CATALOGUE else action


def _actor(ctx: Context, entry: AuditEntry, members: dict[MemberId, KnownMember]) -> str:
    if entry.actor_member_id is not None:
        return _who(ctx, members.get(entry.actor_member_id))
    # An export from the command line names its operator in the row's detail.
    fields = dict(part.split("=", 1) for part in entry.detail.split() if "=" in part)
    if fields.get("via") == "cli" and "operator" in fields:
        return ctx.t("audit.cli", operator=unquote(fields["operator"]))
    return "—"


async def show_audit(ctx: Context, cmd: c.ShowAudit) -> None:
    group, member, case = await ctx.case(cmd.ref)
    if not member.is_lead:
        raise Refusal("error.lead_only")
    entries = await ctx.uow.audit.for_case(case.id, limit=AUDIT_LIMIT)
    members = {k.member.id: k for k in await ctx.uow.access.known_members(group.id)}
    await ctx.audit("audit.read", case=case)
    lines = [ctx.t("audit.head", ref=case.ref, count=len(entries))]
    lines.extend(
        f"  {local_time(ctx, entry.at)} · {_actor(ctx, entry, members)} · "
        f"{_action(ctx, entry.action)}"
        for entry in entries
    )
    ctx.answer("\n".join(lines), case=case)


def _find(ctx: Context, known: list[KnownMember], token: str) -> KnownMember | None:
    """A current member as `resolve_member` finds them; else a removed one by platform id."""
    current = resolve_member(ctx, [k.member for k in known if k.active], token)
    if current is not None:
        return next(k for k in known if k.member.id == current.id)
    user = normalise_user(ctx.incoming.platform, token, ctx.incoming.people)
    removed = [
        k
        for k in known
        if not k.active
        and user is not None
        and k.member.platform is ctx.incoming.platform
        and k.member.user_id == user[0]
    ]
    return removed[-1] if removed else None


def _where(ctx: Context, action: MemberAction) -> str:
    """The room the command came from, as `platform:room id`; the command line has none."""
    if action.platform is None or not action.room_id:
        return ctx.t("audit.nowhere")
    return f"{action.platform.value}:{action.room_id}"


async def show_member_audit(ctx: Context, cmd: c.ShowMemberAudit) -> None:
    group, _lead = ctx.require_lead()
    known = list(await ctx.uow.access.known_members(group.id))
    found = _find(ctx, known, cmd.user)
    if found is None:
        raise Refusal("error.unknown_member", user=cmd.user[:60])
    since = None
    if cmd.since is not None:
        since = datetime.combine(cmd.since, time(0), ZoneInfo(group.timezone))
    actions, total = await ctx.uow.access.actions_of(
        group.id, found.member, since=since, limit=AUDIT_LIMIT
    )
    await ctx.audit("audit.member", detail=f"member={found.member.id}")
    head = "audit.member_head_since" if cmd.since else "audit.member_head"
    lines = [
        ctx.t(
            head,
            who=_who(ctx, found),
            group=group.name,
            actions=plural(ctx.locale, "count.actions", total),
            since=cmd.since.isoformat() if cmd.since else "",
        )
    ]
    if total > len(actions):
        lines.append(ctx.t("audit.latest", count=len(actions)))
    lines.extend(
        f"  {local_time(ctx, a.at)} · {a.case_ref or '—'} · {_action(ctx, a.action)} · "
        f"{_where(ctx, a)}"
        for a in actions
    )
    ctx.answer("\n".join(lines))
