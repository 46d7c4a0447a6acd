"""Recording what the senders answered: a room's batch of answers in one transaction (the
delivered rows in one statement), message ids kept for edits, threads and retraction, drops
with their reason, retries with their backoff, and the scheduler's ledger keys marked sent
once all of their rows are settled."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.delivery.attempts import Attempt, count, mark_settled_keys, remembered
from bot.domain import CaseId
from bot.metrics import Metrics
from bot.ports import UnitOfWork, UnitOfWorkFactory
from bot.ports.delivery import Dropped, Retry, Sent
from bot.ports.outbox import OutboxEntry

log = logging.getLogger(__name__)


async def settle(
    uow_factory: UnitOfWorkFactory,
    done: Sequence[Attempt],
    *,
    release: Sequence[OutboxEntry],
    now: datetime,
    backoff: Callable[[int], float],
    metrics: Metrics,
) -> None:
    """Record a batch of answers in one transaction: the delivered rows in one
    statement, their message ids, drops with their reason, retries with their backoff,
    untried rows given back, and ledger keys whose rows are all settled."""
    if not done and not release:
        return
    # The common case, a command's answers delivered with nothing else to record, is
    # one statement: on PostgreSQL it needs no transaction around it.
    single = not release and all(
        isinstance(a.result, Sent) and a.entry.ledger_key is None and not remembered(a)
        for a in done
    )
    unit = uow_factory.autocommit() if single else uow_factory()
    async with unit as uow:
        for attempt in done:
            await _record(uow, attempt, now, backoff)
        if release:
            await uow.outbox.release([e.id for e in release])
        settled_keys = {
            a.entry.ledger_key
            for a in done
            if not isinstance(a.result, Retry) and a.entry.ledger_key is not None
        }
        delivered = [a.entry.id for a in done if isinstance(a.result, Sent)]
        if delivered:
            # Last unless ledger keys are looked at after it: a command's alert and the id
            # it was posted under are then one statement on PostgreSQL.
            await uow.outbox.mark_delivered(delivered, at=now, last=not settled_keys)
        unsettled = await mark_settled_keys(uow, settled_keys, now)
        await uow.commit()
    if unsettled:
        # Two transactions settling rows of one key at once (PostgreSQL, READ COMMITTED)
        # each see the other's row still pending. Looked at again after the commit, the
        # later one sees both, so a key is never left claimed (which the scheduler would
        # take for a crashed send and build again).
        async with uow_factory() as uow:
            await mark_settled_keys(uow, unsettled, now)
            await uow.commit()
    for attempt in done:
        count(metrics, attempt)


async def _record(
    uow: UnitOfWork, attempt: Attempt, now: datetime, backoff: Callable[[int], float]
) -> None:
    entry, result, reply = attempt.entry, attempt.result, attempt.entry.reply
    if isinstance(result, Sent):
        if result.message_id and remembered(attempt):
            await uow.messages.record(
                platform=reply.room.platform,
                room_id=reply.room.room_id,
                message_id=result.message_id,
                case_id=CaseId(reply.case_id) if reply.case_id is not None else None,
                message_key=reply.message_key,
                at=now,
            )
    elif isinstance(result, Dropped):
        log.warning(
            "outbox row %d to %s room %s dropped: %s",
            entry.id,
            reply.room.platform.value,
            reply.room.room_id,
            result.reason,
        )
        await uow.outbox.mark_dropped(entry.id, reason=result.reason, at=now)
    else:
        wait = result.after
        if wait is None:
            wait = backoff(entry.attempts + 1)
        log.warning("outbox row %d: retry in %.0f s (%s)", entry.id, wait, result.reason)
        await uow.outbox.mark_retry(
            entry.id, next_attempt_at=now + timedelta(seconds=wait), reason=result.reason
        )
