"""The steering level's commands and their use cases, for the core's handler table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.context import Context
from bot.evaluation import commands as ec
from bot.evaluation.reporting import report_handler
from bot.evaluation.steering import answer_escalation, link_group, set_up_steering, unlink_group
from bot.evaluation.transfer import accept_transfer, request_transfer
from bot.scheduling.timing import WorkingHours

Handler = Callable[[Context, Any], Awaitable[None]]

# These work in a steering room, which is bound to no operative group; each checks itself
# who may run it where.
UNBOUND_OK: tuple[type, ...] = (
    ec.MakeReport,
    ec.SetUpSteering,
    ec.LinkGroup,
    ec.UnlinkGroup,
    ec.AnswerEscalation,
)


def evaluation_handlers(hours: WorkingHours) -> dict[type, Handler]:
    """Bound to the configured working hours (the report counts working time)."""
    return {
        ec.MakeReport: report_handler(hours),
        ec.SetUpSteering: set_up_steering,
        ec.LinkGroup: link_group,
        ec.UnlinkGroup: unlink_group,
        ec.AnswerEscalation: answer_escalation,
        ec.RequestTransfer: request_transfer,
        ec.AcceptTransfer: accept_transfer,
    }
