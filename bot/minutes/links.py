"""What the case commands record while a meeting runs: each `decide`, `assign`, `take`,
`accept`, `decline`, `note`, `close`, `done` (and `escalate`) made during the meeting is
linked to it, to the case it is on and to the case under discussion, with what the minutes
show of it. A case taken up this way counts as discussed; one that was not on the agenda
joins it."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context
from bot.domain import Case, Decision
from bot.ports.minutes import HeldMeeting, ItemOrigin, ItemState

DECISION = "decision"
DONE = "done"
NOTE = "note"
RESPONSIBILITY = "responsibility"
CLOSE = "close"
REOPEN = "reopen"
ESCALATION = "escalation"
# A meeting nobody ended links nothing recorded this long after it began: a decision made
# the next day was not made at the meeting.
LINKS_FOR = timedelta(hours=12)


async def running_meeting(ctx: Context) -> HeldMeeting | None:
    if ctx.group is None:
        return None
    return await ctx.uow.minutes.running(ctx.group.id)


async def take_up(ctx: Context, held: HeldMeeting, case: Case) -> None:
    """The case was dealt with at this meeting: discussed, on the agenda or not."""
    actor = ctx.member or ctx.guest
    assert actor is not None
    items = {i.case_id: i for i in await ctx.uow.minutes.items(held.id)}
    item = items.get(case.id)
    if item is None:
        await ctx.uow.minutes.add_item(
            held.id, case.id, origin=ItemOrigin.RAISED, state=ItemState.DISCUSSED
        )
    elif item.state in (ItemState.PENDING, ItemState.SKIPPED):
        await ctx.uow.minutes.mark(held.id, case.id, ItemState.DISCUSSED, by=actor.id, at=ctx.now)


async def in_meeting(ctx: Context, case: Case | None, kind: str, **facts: str) -> None:
    """Link what was just recorded to the running meeting, if one runs."""
    held = await running_meeting(ctx)
    if held is None or ctx.now - held.started_at > LINKS_FOR:
        return
    actor = ctx.member or ctx.guest
    await ctx.uow.minutes.add_entry(
        held.id,
        case_id=case.id if case is not None else None,
        discussed=held.current_case,
        kind=kind,
        facts=facts,
        by=actor.id if actor is not None else None,
        at=ctx.now,
    )
    if case is not None:
        await take_up(ctx, held, case)


def decision_facts(decision: Decision) -> dict[str, str]:
    return {
        "number": str(decision.number),
        "text": decision.text,
        "owner": decision.owner.value,
        "due": decision.due.isoformat() if decision.due else "",
        "fallback": decision.fallback or "",
        "fallback_owner": (decision.fallback_owner.value if decision.fallback_owner else ""),
    }
