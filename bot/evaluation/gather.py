"""Reading the record of a report's groups once and computing its figures: for all groups
together and, for a steering group, for each group apart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain import Group, GroupId
from bot.evaluation.statistics import Statistics, compute, split_by_group
from bot.ports import MeetingRecord, UnitOfWork
from bot.ports.evaluation import Period
from bot.scheduling.timing import WorkingHours


@dataclass(frozen=True)
class Evaluation:
    period: Period
    groups: tuple[Group, ...]
    overall: Statistics
    per_group: tuple[tuple[Group, Statistics], ...]  # empty for one group's own report

    @property
    def empty(self) -> bool:
        """No case at all was alive in the period: nothing to evaluate."""
        figures = self.overall
        return figures.flagged == 0 and figures.open_at_end == 0 and figures.closed == 0


async def gather(
    uow: UnitOfWork,
    groups: Sequence[Group],
    period: Period,
    *,
    hours: WorkingHours,
    now: datetime,
    each_group: bool,
) -> Evaluation:
    ids = [g.id for g in groups]
    facts = await uow.statistics.facts(ids, period)
    meetings: dict[GroupId, Sequence[MeetingRecord]] = {}
    for group in groups:
        meetings[group.id] = await uow.meetings.list(group.id, include_cancelled=True)
    held = await uow.minutes.held_before(ids, period.end)
    zones = {g.id: g.timezone for g in groups}
    every_meeting = [m for g in groups for m in meetings[g.id]]
    overall = compute(
        facts,
        period=period,
        zones=zones,
        hours=hours,
        meetings=every_meeting,
        held=held,
        now=now,
    )
    per_group: list[tuple[Group, Statistics]] = []
    if each_group:
        parts = split_by_group(facts, ids)
        for group in groups:
            stats = compute(
                parts[group.id],
                period=period,
                zones={group.id: group.timezone},
                hours=hours,
                meetings=meetings[group.id],
                held=[h for h in held if h.group_id == group.id],
                now=now,
            )
            per_group.append((group, stats))
    return Evaluation(period, tuple(groups), overall, tuple(per_group))
