"""A member's home view (Slack's App Home): for each group they belong to, separately, the
cases awaiting their agency's acknowledgement, the cases their agency is responsible for, their
agency's open and overdue decisions, and the next meeting.

Refs and one-line states only, at the detail level of the group's rooms on that platform (the
least detailed of them; none bound there: minimal). Every group's view is a read of its cases
and is audited like `list`. Each part is bounded, so a large group still fits one screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.domain import (
    CaseStatus,
    CaseSummaryRow,
    DetailLevel,
    Group,
    Member,
    Platform,
    RoomPurpose,
    pending_acknowledgements,
)
from bot.i18n import plural
from bot.messages import Incoming
from bot.ports import UnitOfWork
from bot.rendering import headline
from bot.scheduling.meetings import upcoming
from bot.scheduling.texts import when

# Open cases read per group: the cooperation's groups hold a few dozen; past this the view
# says how many more there are and `list` pages through them.
HOME_SCAN = 200
HOME_LINES = 8  # items shown per part, then "and N more"
HOME_GROUPS = 12  # groups shown, then "and N more groups" (Slack: 100 blocks a view)
_TEXT_CLIP = 60


@dataclass(frozen=True)
class HomePart:
    heading: str
    lines: tuple[str, ...]  # empty: the part says `empty`
    empty: str
    more: str = ""  # "… and 3 more", when some were left out


@dataclass(frozen=True)
class GroupHome:
    title: str
    parts: tuple[HomePart, ...]


@dataclass(frozen=True)
class HomeView:
    title: str
    groups: tuple[GroupHome, ...]
    footer: str  # what is left out, and when the view was made


def _clip(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _TEXT_CLIP else line[: _TEXT_CLIP - 1] + "…"


def _part(
    ctx: Context, heading: str, empty: str, lines: Sequence[str], *, total: int | None = None
) -> HomePart:
    count = len(lines) if total is None else total
    shown = tuple(lines[:HOME_LINES])
    left = count - len(shown)
    more = ctx.t("home.more", more=plural(ctx.locale, "count.more", left)) if left > 0 else ""
    return HomePart(ctx.t(heading), shown, ctx.t(empty), more)


async def _detail(uow: UnitOfWork, group: Group, platform: Platform) -> DetailLevel:
    rooms = [
        b
        for b in await uow.groups.bindings(group.id)
        if b.platform is platform and b.purpose is RoomPurpose.OPERATIVE
    ]
    if rooms and all(b.detail is DetailLevel.FULL for b in rooms):
        return DetailLevel.FULL
    return DetailLevel.MINIMAL


async def _group_home(ctx: Context, group: Group, member: Member, detail: DetailLevel) -> GroupHome:
    uow, agency = ctx.uow, member.agency
    rows, total = await uow.cases.list(
        group.id,
        status=CaseStatus.OPEN,
        responsible=None,
        limit=HOME_SCAN,
        count_up_to=HOME_SCAN,
        with_acknowledgements=True,
    )
    present = frozenset(m.agency for m in await uow.members.list(group.id))

    def waiting(row: CaseSummaryRow) -> tuple[str, ...]:
        return tuple(
            ctx.agency_name(a) for a in pending_acknowledgements(present, row.acknowledged)
        )

    awaiting = [
        headline(ctx, r)
        for r in rows
        if agency in pending_acknowledgements(present, r.acknowledged)
    ]
    ours = [
        headline(ctx, r)
        + (ctx.t("home.waiting_for", agencies=", ".join(w)) if (w := waiting(r)) else "")
        for r in rows
        if r.responsible is agency
    ]
    today = ctx.now.astimezone(ZoneInfo(group.timezone)).date()
    decisions = []
    for item in await uow.followup.decisions_owned(group.id, agency, limit=HOME_SCAN):
        d = item.decision
        overdue = d.due is not None and d.due < today
        key = "home.decision_overdue" if overdue else "home.decision"
        if d.due is None:
            key = "home.decision_undated"
        line = ctx.t(key, ref=item.case_ref, number=d.number, due=str(d.due))
        if detail is DetailLevel.FULL:
            line += f" — {_clip(d.text)}"
        decisions.append(line)
    starts = [
        (start, meeting)
        for meeting in await uow.meetings.list(group.id)
        if (start := upcoming(meeting, ctx.now)) is not None
    ]
    meeting_lines: list[str] = []
    if starts:
        start, meeting = min(starts, key=lambda pair: pair[0])
        line = ctx.t("home.meeting_at", number=meeting.number, when=when(start))
        if meeting.theme and detail is DetailLevel.FULL:
            line += f" — {_clip(meeting.theme)}"
        meeting_lines.append(line)
    scanned_all = total <= len(rows)
    await ctx.audit(
        "home.read",
        detail=f"awaiting={len(awaiting)} responsible={len(ours)} decisions={len(decisions)}",
    )
    title = ctx.t(
        "home.group",
        group=group.name,
        agency=ctx.agency_name(agency),
        role=ctx.t(f"role.{member.role.value}"),
    )
    parts = (
        _part(ctx, "home.awaiting", "home.awaiting_none", awaiting),
        _part(ctx, "home.responsible", "home.responsible_none", ours),
        _part(ctx, "home.decisions", "home.decisions_none", decisions, total=len(decisions)),
        _part(ctx, "home.meeting", "home.meeting_none", meeting_lines),
    )
    if not scanned_all:
        title += " " + ctx.t("home.partial", count=len(rows))
    return GroupHome(title, parts)


def _context(
    uow: UnitOfWork,
    platform: Platform,
    user_id: str,
    now: datetime,
    locale: str,
    *,
    group: Group | None = None,
    member: Member | None = None,
) -> Context:
    # No room: the home view is the person's own; the audit row says "home.read".
    incoming = Incoming(platform=platform, room="", sender=user_id, text="")
    return Context(
        uow=uow,
        incoming=incoming,
        locale=locale,
        now=now,
        binding=None,
        group=group,
        member=member,
        is_admin=False,
    )


async def home_view(
    uow: UnitOfWork, *, platform: Platform, user_id: str, now: datetime, locale: str
) -> HomeView:
    """The view; the caller commits (the audit rows)."""
    memberships = await uow.members.memberships(platform, user_id)
    groups: list[GroupHome] = []
    zone = ZoneInfo("Europe/Copenhagen")
    for member in memberships[:HOME_GROUPS]:
        group = await uow.groups.get(member.group_id)
        if group is None:
            continue
        zone = ZoneInfo(group.timezone) if not groups else zone
        detail = await _detail(uow, group, platform)
        ctx = _context(uow, platform, user_id, now, locale, group=group, member=member)
        groups.append(await _group_home(ctx, group, member, detail))
    ctx = _context(uow, platform, user_id, now, locale)
    footer = ctx.t("home.updated", when=when(now.astimezone(zone)))
    left = len(memberships) - min(len(memberships), HOME_GROUPS)
    if left:
        groups_left = plural(ctx.locale, "count.more_groups", left)
        footer = ctx.t("home.more_groups", groups=groups_left) + " " + footer
    title = ctx.t("home.title") if groups else ctx.t("home.no_groups")
    return HomeView(title, tuple(groups), footer)
