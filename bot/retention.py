"""Retention: how long case text lives, and the daily job that enforces it.

A closed case keeps its free text, decision texts and member links for
`[retention] closed_case_days` after it was closed; then they are removed and only the
statistical skeleton stays (group, urgency, tags, agencies, dates) for the yearly evaluation.
The bot's chat messages about the case are retracted: the purge writes one RETRACTION row to
the outbox per message in its own transaction, and the delivery worker takes them back
(Matrix redacts, Slack deletes) with the outbox's retries, drops and lead notices. A case open and
untouched for `stale_open_days` is reported to the group's leads. The agencies' data
protection officer decides the numbers (README, "Data protection").
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.config import SectionReader
from bot.domain import CaseId, GroupId, RoomPurpose
from bot.i18n import plural, translate
from bot.messages import Mention, Reply, ReplyKind, RoomRef
from bot.ports import Clock, LeaderElection, RetentionCase, UnitOfWorkFactory
from bot.runtime import Router

log = logging.getLogger(__name__)

DEFAULT_CLOSED_CASE_DAYS = 365
DEFAULT_STALE_OPEN_DAYS = 90
BATCH = 500


@dataclass(frozen=True)
class RetentionPolicy:
    closed_case_days: int = DEFAULT_CLOSED_CASE_DAYS
    stale_open_days: int = DEFAULT_STALE_OPEN_DAYS

    def purge_cutoff(self, now: datetime) -> datetime:
        """Cases closed before this instant lose their text."""
        return now - timedelta(days=self.closed_case_days)

    def stale_cutoff(self, now: datetime) -> datetime:
        """Open cases not changed since this instant are reported."""
        return now - timedelta(days=self.stale_open_days)


def retention_policy(sections: Mapping[str, Mapping[str, Any]]) -> RetentionPolicy:
    reader = SectionReader("retention", sections.get("retention"))
    policy = RetentionPolicy(
        closed_case_days=reader.integer(
            "closed_case_days", DEFAULT_CLOSED_CASE_DAYS, minimum=1, maximum=36500
        ),
        stale_open_days=reader.integer(
            "stale_open_days", DEFAULT_STALE_OPEN_DAYS, minimum=1, maximum=36500
        ),
    )
    reader.done()
    return policy


class RetentionStore(Protocol):
    """What retention needs from storage (storage/retention.py). Each purge is one
    transaction with its own audit row."""

    async def due_for_purge(self, cutoff: datetime, *, limit: int) -> Sequence[RetentionCase]: ...
    async def purge(self, case_id: CaseId, *, cutoff: datetime, at: datetime) -> int | None:
        """Remove the case's text and member links if it is still closed before `cutoff`
        and not purged; audit it; queue the retraction of the bot's chat messages about it
        in the outbox, in the same transaction. How many retractions it queued; None if
        there was nothing (any more) to do."""
        ...

    async def queue_leftover_retractions(self, *, at: datetime, limit: int) -> int:
        """Retractions for messages of purged cases still remembered (a message whose send
        was under way while its case was purged); how many were queued."""
        ...

    async def stale_open(self, cutoff: datetime, *, limit: int) -> Sequence[RetentionCase]:
        """Open cases untouched since `cutoff` and not reported since then."""
        ...

    async def mark_stale_reported(
        self, cases: Sequence[RetentionCase], *, at: datetime
    ) -> None: ...

    async def record_dry_run(self, *, count: int, at: datetime) -> None: ...


@dataclass
class RetentionReport:
    purged: list[str] = field(default_factory=list)
    due: list[str] = field(default_factory=list)  # what a dry run would purge
    stale: list[str] = field(default_factory=list)
    retractions: int = 0  # chat messages queued in the outbox to be taken back


async def run_retention(
    *,
    router: Router,
    store: RetentionStore,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    policy: RetentionPolicy,
    locale: str = "da",
    dry_run: bool = False,
    report_stale: bool = True,
) -> RetentionReport:
    """The daily job (and `psp-bot purge`). Safe to run twice: a purged case is skipped, a
    stale case is reported once per `stale_open_days`. Retractions go through the outbox:
    the `purge` CLI, which has no chat connection, leaves them to the running bot."""
    now = clock.now()
    report = RetentionReport()
    cutoff = policy.purge_cutoff(now)
    if dry_run:
        report.due = [c.ref for c in await store.due_for_purge(cutoff, limit=10**9)]
        report.stale = [
            c.ref for c in await store.stale_open(policy.stale_cutoff(now), limit=BATCH)
        ]
        await store.record_dry_run(count=len(report.due), at=now)
        return report
    while batch := await store.due_for_purge(cutoff, limit=BATCH):
        for case in batch:
            queued = await store.purge(case.case_id, cutoff=cutoff, at=now)
            if queued is not None:
                report.purged.append(case.ref)
                report.retractions += queued
        if len(batch) < BATCH:
            break
    report.retractions += await store.queue_leftover_retractions(at=now, limit=BATCH)
    if report.retractions:
        router.delivery.wake()
    stale = await store.stale_open(policy.stale_cutoff(now), limit=BATCH)
    report.stale = [c.ref for c in stale]
    # The CLI has no chat connection: it lists stale cases and leaves reporting to the bot.
    if stale and report_stale:
        await router.post(await _stale_replies(uow_factory, stale, policy, locale))
        await store.mark_stale_reported(stale, at=now)
    return report


async def _stale_replies(
    uow_factory: UnitOfWorkFactory,
    stale: Sequence[RetentionCase],
    policy: RetentionPolicy,
    locale: str,
) -> list[Reply]:
    """One message per group, to its operative rooms, mentioning its leads. Refs only, so
    a minimal-detail room may receive it too."""
    by_group: dict[GroupId, list[str]] = defaultdict(list)
    for case in stale:
        by_group[case.group_id].append(case.ref)
    replies: list[Reply] = []
    async with uow_factory() as uow:
        for group_id, refs in by_group.items():
            leads = [m for m in await uow.members.list(group_id) if m.is_lead]
            text = translate(
                locale,
                "retention.stale",
                cases=plural(locale, "count.stale_cases", len(refs)),
                days=plural(locale, "count.days", policy.stale_open_days),
                refs=", ".join(refs),
            )
            for binding in await uow.groups.bindings(group_id):
                if binding.purpose is not RoomPurpose.OPERATIVE:
                    continue
                replies.append(
                    Reply(
                        room=RoomRef(binding.platform, binding.room_id),
                        text=text,
                        kind=ReplyKind.REMINDER,
                        mentions=tuple(
                            Mention(m.user_id, m.display_name)
                            for m in leads
                            if m.platform is binding.platform
                        ),
                    )
                )
    return replies


class RetentionService:
    """The daily retention job inside `psp-bot run` (an object with `async run()`, like the
    platform services). With several bot processes on PostgreSQL, a leader election (an
    advisory lock of its own, bot/cli_admin.py) lets one process do it; without one each
    process runs the job, which is safe (a purge is guarded in its transaction) but may
    report a stale case twice."""

    def __init__(
        self,
        *,
        router: Router,
        store: RetentionStore,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        policy: RetentionPolicy,
        locale: str,
        leader: LeaderElection | None = None,
        interval: timedelta = timedelta(days=1),
        first_delay: timedelta = timedelta(minutes=5),
    ) -> None:
        self._router, self._store, self._uow_factory = router, store, uow_factory
        self._clock, self._policy, self._locale = clock, policy, locale
        self._leader = leader
        self._interval, self._first_delay = interval, first_delay
        self._stopped = asyncio.Event()
        self._pass = asyncio.Lock()

    async def run_once(self) -> RetentionReport | None:
        """One pass; never raises (a failure is logged, by counts only, and retried)."""
        try:
            if self._leader is not None and not await self._leader.acquire():
                return None
            report = await run_retention(
                router=self._router,
                store=self._store,
                uow_factory=self._uow_factory,
                clock=self._clock,
                policy=self._policy,
                locale=self._locale,
            )
        except Exception:
            log.exception("the retention job failed; it runs again at the next interval")
            return None
        log.info(
            "retention: %d cases purged, %d chat messages queued for retraction, %d stale",
            len(report.purged),
            report.retractions,
            len(report.stale),
        )
        return report

    async def run(self) -> None:
        """Daily passes until stopped (or cancelled)."""
        wait = self._first_delay
        while not await self._stop_within(wait):
            async with self._pass:
                await self.run_once()
            wait = self._interval

    async def _stop_within(self, delay: timedelta) -> bool:
        try:
            await asyncio.wait_for(self._stopped.wait(), delay.total_seconds())
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        """No further passes; a pass already running finishes first."""
        self._stopped.set()
        async with self._pass:
            pass
