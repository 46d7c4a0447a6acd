"""The order of a graceful shutdown (bot/shutdown.py), on fakes: no database, no network."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from bot.shutdown import InFlight, StopSignals, serve

pytestmark = pytest.mark.unit


class FakeService:
    """Runs until stopped; records what happened in a shared log."""

    def __init__(self, name: str, log: list[str], *, stop_takes: asyncio.Event | None = None):
        self.name = name
        self.log = log
        self.input_closed = asyncio.Event()
        self._stop_takes = stop_takes

    async def run(self) -> None:
        self.log.append(f"{self.name} runs")
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.log.append(f"{self.name} ended")
            raise

    async def stop(self) -> None:
        self.log.append(f"{self.name} takes no input")
        self.input_closed.set()
        if self._stop_takes is not None:
            await self._stop_takes.wait()


class FailingService(FakeService):
    async def run(self) -> None:
        await asyncio.sleep(0)
        raise RuntimeError("the homeserver no longer accepts the token")


async def test_stop_input_then_commit_then_drain_then_end() -> None:
    log: list[str] = []
    stop, in_flight = asyncio.Event(), InFlight()
    command_done = asyncio.Event()

    async def command() -> None:
        with in_flight.track():
            await command_done.wait()
            log.append("command committed")

    async def drain(deadline: float) -> None:
        log.append("outbox drained")

    services = [FakeService("matrix", log), FakeService("slack", log)]
    running = asyncio.create_task(
        serve(services, stop=stop, in_flight=in_flight, grace_seconds=10, drain=drain)
    )
    in_progress = asyncio.create_task(command())
    await asyncio.sleep(0)
    stop.set()
    for service in services:
        await asyncio.wait_for(service.input_closed.wait(), 5)
    assert "outbox drained" not in log  # the command in flight is still open
    command_done.set()
    await running
    await in_progress
    assert log.index("command committed") < log.index("outbox drained")
    assert log.index("outbox drained") < log.index("matrix ended")


async def test_the_grace_period_bounds_a_stop_that_hangs() -> None:
    log: list[str] = []
    stop = asyncio.Event()
    stop.set()
    never = asyncio.Event()
    await serve(
        [FakeService("stuck", log, stop_takes=never)],
        stop=stop,
        in_flight=InFlight(),
        grace_seconds=0.05,
    )
    assert log == ["stuck runs", "stuck takes no input", "stuck ended"]


async def test_a_service_that_fails_stops_the_others_and_its_error_comes_out() -> None:
    log: list[str] = []
    with pytest.raises(RuntimeError, match="no longer accepts"):
        await serve(
            [FakeService("scheduler", log), FailingService("matrix", log)],
            stop=asyncio.Event(),
            in_flight=InFlight(),
            grace_seconds=1,
        )
    assert "scheduler takes no input" in log and "scheduler ended" in log


async def test_the_first_signal_asks_to_stop_the_second_exits_at_once() -> None:
    exits: list[int] = []
    signals = StopSignals(exit_now=exits.append)
    signals.install()
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(signals.requested.wait(), 5)
        assert exits == []
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(100):
            if exits:
                break
            await asyncio.sleep(0.01)
    finally:
        signals.remove()
    assert exits == [128 + signal.SIGINT.value]
