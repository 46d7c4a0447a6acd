"""Database failures outside a command (the delivery worker's pass, the scheduler's tick)
are counted in `psp_database_errors_total` by kind, like a command's."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.clock import FakeClock
from bot.delivery import DeliveryWorker
from bot.domain import Platform
from bot.metrics import NoMetrics
from bot.ports import DatabaseBusyError, DatabaseUnavailable
from bot.ports.delivery import Outgoing, SendResult, Sent
from tests.fakes.uow import FakeUnitOfWork, FakeUnitOfWorkFactory

pytestmark = pytest.mark.unit


class Counting(NoMetrics):
    def __init__(self) -> None:
        self.errors: list[str] = []

    def database_error(self, kind: str) -> None:
        self.errors.append(kind)


class Failing(FakeUnitOfWorkFactory):
    def __init__(self, *errors: Exception) -> None:
        super().__init__()
        self.errors = list(errors)

    def __call__(self) -> FakeUnitOfWork:
        if self.errors:
            raise self.errors.pop(0)
        return super().__call__()


class Quiet:
    async def send(self, message: Outgoing) -> SendResult:
        return Sent()


async def test_a_failing_delivery_pass_counts_the_database_error() -> None:
    factory = Failing(DatabaseUnavailable(), DatabaseBusyError(), RuntimeError("a defect"))
    worker = DeliveryWorker(uow_factory=factory, clock=FakeClock(datetime.now(UTC)), locale="en")
    metrics = Counting()
    worker.metrics = metrics
    worker.attach(Platform.CONSOLE, Quiet())
    task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(5):
            while factory.errors:  # each failed pass waits; wake it for the next
                await asyncio.sleep(0.01)
                worker.wake()
            await asyncio.sleep(0.05)  # a pass that works
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert metrics.errors == ["unavailable", "busy"]  # a defect is not the database's
