"""Active and standby: with the device in PostgreSQL, several bot processes (on several
hosts) run the Matrix adapter, and the one holding the device's lease serves it. The lease is
a PostgreSQL session advisory lock (the core's LeaderElection port): when the active process
dies its connection closes, the server frees the lock, and a standby takes it at its next
check. The active process checks the lease as often and stops serving the moment it is not
sure to hold it, so two processes never use the device at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.ports import LeaderElection
from bot.shutdown import unless_set

log = logging.getLogger(__name__)


async def _holds(lease: LeaderElection) -> bool:
    try:
        return await lease.acquire()
    except Exception:  # the database is away: nobody can be sure to lead
        return False


async def _watch(lease: LeaderElection, halt: asyncio.Event, check_seconds: float) -> None:
    while not halt.is_set():
        await unless_set(halt, asyncio.sleep(check_seconds))
        if halt.is_set():
            return
        if not await _holds(lease):
            log.error("lost the Matrix device lease; stopping until it can be taken again")
            halt.set()


async def serve_while_holding(
    lease: LeaderElection,
    stopping: asyncio.Event,
    serve: Callable[[asyncio.Event], Awaitable[None]],
    *,
    check_seconds: float,
    fatal: tuple[type[BaseException], ...] = (),
) -> None:
    """Until `stopping`: wait for the lease, then `serve(halt)`, which must return soon after
    `halt` is set (set here when the lease is lost). A failure of `serve` other than `fatal`
    (its database connection lost, say) is logged and the device opened again."""
    standing_by = False
    try:
        while not stopping.is_set():
            if not await _holds(lease):
                if not standing_by:
                    log.warning("the Matrix device is held by another process; standing by")
                    standing_by = True
                await unless_set(stopping, asyncio.sleep(check_seconds))
                continue
            if standing_by:
                log.warning("took over the Matrix device")
                standing_by = False
            halt = asyncio.Event()
            watch = asyncio.ensure_future(_watch(lease, halt, check_seconds))
            try:
                await serve(halt)
            except fatal:
                raise
            except Exception as exc:
                log.error("the Matrix device stopped (%s); opening it again", type(exc).__name__)
                await unless_set(stopping, asyncio.sleep(check_seconds))
            finally:
                halt.set()
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch
    finally:
        with contextlib.suppress(Exception):
            await lease.release()
