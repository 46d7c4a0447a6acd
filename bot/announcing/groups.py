"""How what passes between groups is told: a case offered to another group and taken over by
it, and the steering level's answer to an escalation, each in the other group's operative
rooms, with the answer to the one who did it."""

from __future__ import annotations

from bot.announcing.announcer import Announcer
from bot.domain import events as ev
from bot.messages import ReplyKind


async def transfer_requested(a: Announcer, event: ev.TransferRequested) -> None:
    ctx = a.ctx
    case = await a.case(event.case_id)
    target = await ctx.uow.groups.get(event.target_group_id)
    assert ctx.group is not None and target is not None
    text = a.t(
        "transfer.asked",
        group=ctx.group.name,
        ref=case.ref,
        urgency=a.t(f"urgency.{case.urgency.value}"),
    )
    await a.tell_group(
        target.id, text, kind=ReplyKind.UPDATE, message_key=f"transfer:{case.id}:{target.id}"
    )
    a.answer(a.t("transfer.requested", ref=case.ref, group=target.name), case=case)


async def transfer_accepted(a: Announcer, event: ev.TransferAccepted) -> None:
    ctx = a.ctx
    source = await a.case(event.source_case_id)
    moved = await a.case(event.moved_case_id)
    assert ctx.group is not None
    await a.tell_group(
        event.source_group_id,
        a.t("transfer.done_source", ref=source.ref, new=moved.ref, group=ctx.group.name),
        kind=ReplyKind.UPDATE,
        message_key=f"transfer-done:{source.id}",
        case=source,
    )
    a.answer(a.t("transfer.accepted", ref=moved.ref, source=source.ref), case=moved)


async def escalation_answered(a: Announcer, event: ev.EscalationAnswered) -> None:
    ctx = a.ctx
    group = await ctx.uow.groups.get(event.group_id)
    steering = await ctx.uow.steering.of_group(event.group_id)
    assert group is not None and steering is not None
    await a.tell_group(
        group.id,
        a.t("escalate.answer_post", number=event.number, name=steering.name, text=event.text),
        kind=ReplyKind.ESCALATION,
        message_key=f"escalation-answer:{group.id}:{event.number}",
    )
    a.answer(a.t("escalate.answered", number=event.number, group=group.name))
