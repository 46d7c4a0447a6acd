"""Graceful shutdown of `psp-bot run` and the console.

SIGTERM (what systemd, Docker and Kubernetes send on every deploy) or SIGINT: every service
stops taking new input (Matrix stops syncing, Slack closes its socket or answers HTTP with
503 so that Slack retries later), the commands already taken are let commit, what is left to
deliver gets up to `shutdown_grace_seconds`, and whatever is still pending then stays in the
database for the next start. A second signal exits at once: a command either committed (and
its messages wait in the database) or rolled back (and the platform sends it again, since
it was never acknowledged), so nothing committed is lost either way."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Service(Protocol):
    async def run(self) -> None:
        """Serve until `stop()` was called (or the task is cancelled)."""
        ...

    async def stop(self) -> None:
        """Take no new input; return once the work already taken is done."""
        ...


class Runnable(Protocol):
    async def run(self) -> None: ...


class RunOnly:
    """A background service with nothing to finish (metrics, housekeeping): it is simply
    ended with the others."""

    def __init__(self, service: Runnable) -> None:
        self._service = service

    async def run(self) -> None:
        await self._service.run()

    async def stop(self) -> None:
        return None


class InFlight:
    """Counts the commands being handled, so that a shutdown can wait for them to commit."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def count(self) -> int:
        return self._count

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        self._count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._count -= 1
            if self._count == 0:
                self._idle.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()


class StopSignals:
    """The first SIGTERM or SIGINT sets `requested`; the second ends the process at once."""

    def __init__(self, *, exit_now: Callable[[int], object] = os._exit) -> None:
        self.requested = asyncio.Event()
        self._exit_now = exit_now
        self._installed: list[signal.Signals] = []

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, self._on_signal, signum)
            self._installed.append(signum)

    def remove(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in self._installed:
            loop.remove_signal_handler(signum)
        self._installed = []

    def __enter__(self) -> StopSignals:
        self.install()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.remove()

    def _on_signal(self, signum: signal.Signals) -> None:
        if self.requested.is_set():
            log.warning("%s again: exiting at once", signum.name)
            self._exit_now(128 + signum.value)
            return
        log.warning("%s: stopping; no new input, finishing what was taken", signum.name)
        self.requested.set()


async def unless_set(
    stopping: asyncio.Event, work: Awaitable[T], *, suppress: tuple[type[BaseException], ...] = ()
) -> T | None:
    """`work`'s result, or None if `stopping` is set first; then `work` is cancelled (and the
    `suppress`ed errors of its ending ignored). For the waits a stop may cut short: a long
    poll, a backoff, a read from the terminal."""
    task = asyncio.ensure_future(work)
    waiter: asyncio.Future[Any] = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        waiter.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, *suppress):
        await task
    return None


async def _until(deadline: float, work: Awaitable[object], step: str) -> bool:
    """Await `work` until the deadline (loop time); False if it did not finish in time."""
    remaining = deadline - asyncio.get_running_loop().time()
    try:
        await asyncio.wait_for(work, max(remaining, 0.0))
    except TimeoutError:
        log.warning("shutdown: %s did not finish within the grace period", step)
        return False
    return True


Drain = Callable[[float], Awaitable[None]]


async def serve(
    services: Sequence[Service],
    *,
    stop: asyncio.Event,
    in_flight: InFlight,
    grace_seconds: float,
    drain: Drain | None = None,
) -> None:
    """Run the services until `stop` is set (or one of them ends), then shut down in order:
    no new input, the commands in flight committed, what is pending delivered while the
    grace period lasts, the tasks ended. Raises what a service that failed by itself raised."""
    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(service.run()) for service in services]
    stop_waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([*tasks, stop_waiter], return_when=asyncio.FIRST_COMPLETED)
        ended = [task for task in tasks if task.done()]
        deadline = loop.time() + grace_seconds
        stopping = asyncio.gather(*(service.stop() for service in services))
        await _until(deadline, stopping, "taking no new input")
        if in_flight.count:
            await _until(deadline, in_flight.wait_idle(), "committing the commands in flight")
        if drain is not None:
            await _until(deadline, drain(deadline), "delivering what is pending")
        log.info(
            "stopped taking input and finished in %.1f s; ending",
            grace_seconds - (deadline - loop.time()),
        )
    finally:
        stop_waiter.cancel()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in ended:
        if not task.cancelled() and (failure := task.exception()) is not None:
            raise failure
