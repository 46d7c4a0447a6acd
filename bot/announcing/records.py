"""How additions to the record are told: a decision and its completion in the alert's thread
in every operative room, a note as the answer, a problem escalated to the steering rooms of
the group and of the steering group it belongs to."""

from __future__ import annotations

from bot.alerts import alert_key
from bot.announcing.announcer import Announcer
from bot.domain import RoomPurpose
from bot.domain import events as ev
from bot.messages import Reply, ReplyKind, RoomRef
from bot.rendering import headline, render_decision


async def decision_recorded(a: Announcer, event: ev.DecisionRecorded) -> None:
    case = await a.case(event.case_id)
    decision = event.decision
    line = a.t("decide.done", ref=case.ref, number=decision.number, who=await a.name_of(event.by))
    await a.broadcast(
        full=f"{line}\n{render_decision(a.ctx, decision)}",
        minimal=f"{line}\n{headline(a.ctx, case)}",
        kind=ReplyKind.UPDATE,
        case=case,
        message_key=f"decision:{case.ref}:{decision.number}",
        # In the alert's thread; the alert itself shows nothing a decision changes.
        thread_of=alert_key(case),
    )


async def decision_done(a: Announcer, event: ev.DecisionDone) -> None:
    case = await a.case(event.case_id)
    line = a.t("done.done", ref=case.ref, number=event.number, who=await a.name_of(event.by))
    await a.broadcast(
        full=line,
        minimal=line,
        kind=ReplyKind.UPDATE,
        case=case,
        message_key=f"done:{case.ref}:{event.number}",
        thread_of=alert_key(case),
    )


async def note_added(a: Announcer, event: ev.NoteAdded) -> None:
    case = await a.case(event.case_id)
    a.answer(a.t("note.done", ref=case.ref, number=event.number), case=case)


async def problem_escalated(a: Announcer, event: ev.ProblemEscalated) -> None:
    ctx = a.ctx
    group = ctx.group
    assert group is not None and group.id == event.group_id
    by = await a.member(event.by)
    assert by is not None
    text = a.t(
        "escalate.post",
        number=event.number,
        group=group.name,
        agency=ctx.agency_name(by.agency),
        who=by.display_name,
        text=event.text,
    )
    await a.broadcast(
        full=text,
        minimal=a.t("escalate.minimal", number=event.number, group=group.name),
        kind=ReplyKind.ESCALATION,
        case=None,
        purpose=RoomPurpose.STEERING,
        message_key=f"escalation:{group.id}:{event.number}",
    )
    linked = await ctx.uow.steering.of_group(group.id)
    if linked is not None:
        # The steering group this group belongs to gets it in its own room as well.
        ctx.replies.append(
            Reply(
                room=RoomRef(linked.platform, linked.room_id),
                text=text,
                kind=ReplyKind.ESCALATION,
                message_key=f"escalation:{group.id}:{event.number}:steering",
            )
        )
    if ctx.binding is None or ctx.binding.purpose is not RoomPurpose.STEERING:
        steering = any(b.purpose is RoomPurpose.STEERING for b in await a.bindings())
        key = "escalate.sent" if steering or linked else "escalate.recorded"
        ctx.answer(ctx.t(key, number=event.number))
