"""Use cases of case-scoped guests: a GP, a housing association, Kriminalforsorgen or a
colleague invited to one case — to `show`, `note` and `ack` it, nothing else — until a day
at most 30 days ahead, or until removed. The rules are in `bot.domain.rules`."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import commands as c
from bot.context import Context, Refusal
from bot.domain import Refused, Role
from bot.domain import events as ev
from bot.domain import rules as rule
from bot.usecases.members import named_user

# What a guest may do: read, note and acknowledge the cases they were invited to, and list
# those cases. Everything else answers that guests cannot.
GUEST_COMMANDS = (c.ShowCase, c.AddNote, c.AcknowledgeCase, c.ListCases)


def _user(ctx: Context, token: str) -> tuple[str, str]:
    return named_user(ctx, token)


async def add_guest(ctx: Context, cmd: c.AddGuest) -> None:
    group, member, case = await ctx.case(cmd.ref)
    ctx.check(rule.check_guest_manager(case, member))
    zone = ZoneInfo(group.timezone)
    last_day = rule.guest_last_day(ctx.now.astimezone(zone).date(), cmd.until)
    if isinstance(last_day, Refused):
        raise ctx.refusal(last_day)
    user_id, display = _user(ctx, cmd.user)
    known = await ctx.uow.access.known_member(group.id, ctx.incoming.platform, user_id)
    if known is not None and known.active:
        raise Refusal("error.guest_is_member", who=known.member.display_name)
    guest = await ctx.uow.access.add_guest_member(
        group_id=group.id,
        platform=ctx.incoming.platform,
        user_id=user_id,
        display_name=display,
        agency=cmd.agency,
    )
    # Access lasts to the end of the last day, in the group's own time.
    expires_at = datetime.combine(last_day + timedelta(days=1), time(0), zone)
    await ctx.uow.access.grant(
        case_id=case.id, member=guest, by_member=member.id, at=ctx.now, expires_at=expires_at
    )
    await ctx.audit(
        "guest.add",
        case=case,
        detail=f"member={guest.id} agency={cmd.agency.value} until={last_day.isoformat()}",
    )
    ctx.emit(ev.GuestInvited(case.id, guest.id, cmd.agency, last_day))


async def remove_guest(ctx: Context, cmd: c.RemoveGuest) -> None:
    group, member, case = await ctx.case(cmd.ref)
    ctx.check(rule.check_guest_manager(case, member, ending=True))
    user_id, _display = _user(ctx, cmd.user)
    known = await ctx.uow.access.known_member(group.id, ctx.incoming.platform, user_id)
    ended = (
        known is not None
        and known.member.role is Role.GUEST
        and await ctx.uow.access.end_grant(
            case.id, known.member.id, by_member=member.id, at=ctx.now
        )
    )
    if not ended or known is None:
        raise Refusal("error.not_guest", user=cmd.user[:60], ref=case.ref)
    await ctx.audit("guest.remove", case=case, detail=f"member={known.member.id}")
    ctx.emit(ev.GuestRemoved(case.id, known.member.id))


async def list_guests(ctx: Context, cmd: c.ListGuests) -> None:
    group, _member, case = await ctx.case(cmd.ref)
    grants = await ctx.uow.access.case_guests(case.id, at=ctx.now)
    await ctx.audit("guest.list", case=case)
    if not grants:
        ctx.answer(ctx.t("guest.none", ref=case.ref), case=case)
        return
    zone = ZoneInfo(group.timezone)
    lines = [ctx.t("guest.head", ref=case.ref, count=len(grants))]
    lines.extend(
        "  "
        + ctx.t(
            "guest.row",
            who=g.member.display_name,
            agency=ctx.agency_name(g.agency),
            platform=g.member.platform.value,
            until=(g.expires_at.astimezone(zone) - timedelta(days=1)).date().isoformat(),
        )
        for g in grants
    )
    ctx.answer("\n".join(lines), case=case)
