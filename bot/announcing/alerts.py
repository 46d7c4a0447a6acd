"""A case's alert in the group's operative rooms: posted when the case is flagged, rewritten
in place (`edit_of`) after every change, each change told in its own line in the alert's
thread (`thread_of`). The texts are `bot.alerts`'s; the rooms are the announcer's."""

from __future__ import annotations

from collections.abc import Sequence

from bot.alerts import alert_key, case_actions, in_order, render_alert, routes_of
from bot.announcing.announcer import Announcer
from bot.domain import Case, CaseStatus, Member
from bot.domain.routing import reached_by
from bot.messages import ReplyKind
from bot.rendering import headline


async def post_alert(a: Announcer, case: Case) -> None:
    """The first alert of a newly flagged case, mentioning whoever the routing rule reaches in
    each other agency (bot.domain.routing)."""
    await _broadcast_alert(a, case, rewrite=False)


async def rewrite_alert(a: Announcer, case: Case) -> None:
    """Rewrite the alert in every operative room from the case as it stands now, with the
    same mentions (an edit notifies nobody) and buttons as the first post, none once closed."""
    await _broadcast_alert(a, case, rewrite=True)


async def _broadcast_alert(a: Announcer, case: Case, *, rewrite: bool) -> None:
    ctx = a.ctx
    members = await a.members()
    routes = routes_of(ctx, case, members)
    full, minimal = render_alert(
        ctx, case, members=members, acknowledged=await a.acknowledged(case), routes=routes
    )
    await a.broadcast(
        full=full,
        minimal=minimal,
        kind=ReplyKind.ALERT,
        case=case,
        mention=in_order(members, reached_by(routes)),
        actions=case_actions(ctx, case) if case.status is CaseStatus.OPEN else (),
        # Each rewrite is a message of its own (its version), editing the first post.
        message_key=f"{alert_key(case)}:v{case.version}" if rewrite else alert_key(case),
        edit_of=alert_key(case) if rewrite else None,
        answer_here=not rewrite,
    )


async def case_update(
    a: Announcer, case: Case, key: str, *, mention: Sequence[Member] = (), **params: str
) -> None:
    """A state change, told to every operative room of the group in the alert's thread (the
    headline is all a minimal room gets, and all it needs), and the alert rewritten."""
    line = a.t(key, ref=case.ref, **params)
    await a.broadcast(
        full=f"{line}\n{headline(a.ctx, case)}",
        minimal=f"{line}\n{headline(a.ctx, case)}",
        kind=ReplyKind.UPDATE,
        case=case,
        mention=mention,
        message_key=f"{key}:{case.ref}:{case.version}",
        thread_of=alert_key(case),
    )
    await rewrite_alert(a, case)
