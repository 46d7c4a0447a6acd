"""How a case's life is told: its alert when flagged, and each later change (acknowledged,
responsibility proposed, placed or declined, closed, reopened) as a line in the alert's thread
in every operative room, with the alert rewritten."""

from __future__ import annotations

from bot.alerts import on_duty
from bot.announcing.alerts import case_update, post_alert
from bot.announcing.announcer import Announcer
from bot.domain import Agency, Member, MemberId, pending_acknowledgements
from bot.domain import events as ev


async def flagged(a: Announcer, event: ev.CaseFlagged) -> None:
    await post_alert(a, await a.case(event.case_id))


async def acknowledged(a: Announcer, event: ev.AcknowledgementRecorded) -> None:
    case = await a.case(event.case_id)
    members = await a.members()
    waiting = pending_acknowledgements(
        frozenset(m.agency for m in members), await a.acknowledged(case)
    )
    await case_update(
        a,
        case,
        "ack.done",
        agency=a.ctx.agency_name(event.agency),
        who=await a.name_of(event.by),
        waiting=a.ctx.agency_list(waiting),
    )


async def closed(a: Announcer, event: ev.CaseClosed) -> None:
    case = await a.case(event.case_id)
    await case_update(a, case, "close.done", who=await a.name_of(event.by))


async def reopened(a: Announcer, event: ev.CaseReopened) -> None:
    case = await a.case(event.case_id)
    await case_update(a, case, "reopen.done", who=await a.name_of(event.by))


async def _asked(a: Announcer, agency: Agency, target: MemberId | None) -> list[Member]:
    """Who an assignment or a proposal notifies: the member it named, else whoever is on
    duty for the agency."""
    receivers = [m for m in await a.members() if m.agency is agency]
    named = [m for m in receivers if m.id == target]
    if target is not None and named:
        return named
    return on_duty(a.ctx, receivers, {agency})


async def proposed(a: Announcer, event: ev.ResponsibilityProposed) -> None:
    case = await a.case(event.case_id)
    await case_update(
        a,
        case,
        "assign.proposed",
        mention=await _asked(a, event.agency, event.target),
        agency=a.ctx.agency_name(event.agency),
        who=await a.name_of(event.by),
        current=a.ctx.agency_name(case.responsible),
    )


# The line each way of placing responsibility is told with.
PLACED = {"assign": "assign.done", "accept": "accept.done", "take": "take.done"}


async def placed(a: Announcer, event: ev.ResponsibilityPlaced) -> None:
    case = await a.case(event.case_id)
    # Only the lead's assignment tells the agency that now holds it: it did not ask.
    mention = await _asked(a, event.agency, event.target) if event.how == "assign" else []
    await case_update(
        a,
        case,
        PLACED[event.how],
        mention=mention,
        agency=a.ctx.agency_name(event.agency),
        who=await a.name_of(event.by),
    )


async def declined(a: Announcer, event: ev.ProposalDeclined) -> None:
    case = await a.case(event.case_id)
    await case_update(
        a,
        case,
        "decline.done",
        agency=a.ctx.agency_name(event.agency),
        who=await a.name_of(event.by),
        current=a.ctx.agency_name(case.responsible),
    )
