"""FakeUnitOfWork: the core's unit-of-work port over an in-memory database, so the rule and
use-case tests run without a database (`pytest -m unit`). Like the SQL one, leaving the block
without commit throws the changes away, and the first of two overlapping transactions that
wrote wins: the second gets ConcurrentUpdateError, which the core answers by running the
command again."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from tests.fakes.access import FakeAccessRepository
from tests.fakes.core import FakeCaseRepository, FakeGroupRepository, FakeMemberRepository
from tests.fakes.evaluation import (
    FakeOutcomeLog,
    FakeStatisticsQueries,
    FakeSteeringRepository,
    FakeTransferRepository,
)
from tests.fakes.minutes import FakeMinutesRepository
from tests.fakes.outbox import FakeOutboxRepository
from tests.fakes.records import (
    FakeAuditRepository,
    FakeEscalationRepository,
    FakeEventLog,
    FakePostedMessageLog,
    FakeStateStore,
)
from tests.fakes.scheduling import (
    FakeFollowUpQueries,
    FakeMeetingRepository,
    FakeNotificationLedger,
)
from tests.fakes.store import MemoryDatabase, Transaction


class FakeUnitOfWork:
    groups: FakeGroupRepository
    members: FakeMemberRepository
    cases: FakeCaseRepository
    escalations: FakeEscalationRepository
    audit: FakeAuditRepository
    events: FakeEventLog
    messages: FakePostedMessageLog
    state: FakeStateStore
    meetings: FakeMeetingRepository
    ledger: FakeNotificationLedger
    followup: FakeFollowUpQueries
    access: FakeAccessRepository
    statistics: FakeStatisticsQueries
    outcomes: FakeOutcomeLog
    steering: FakeSteeringRepository
    transfers: FakeTransferRepository
    outbox: FakeOutboxRepository
    minutes: FakeMinutesRepository

    def __init__(self, database: MemoryDatabase) -> None:
        self._database = database
        self._tx: Transaction | None = None
        self.committed = False

    async def __aenter__(self) -> Self:
        tx = self._tx = Transaction(self._database)
        self.groups = FakeGroupRepository(tx)
        self.members = FakeMemberRepository(tx)
        self.cases = FakeCaseRepository(tx)
        self.escalations = FakeEscalationRepository(tx)
        self.audit = FakeAuditRepository(tx)
        self.events = FakeEventLog(tx)
        self.messages = FakePostedMessageLog(tx)
        self.state = FakeStateStore(tx)
        self.meetings = FakeMeetingRepository(tx)
        self.ledger = FakeNotificationLedger(tx)
        self.followup = FakeFollowUpQueries(tx)
        self.access = FakeAccessRepository(tx)
        self.statistics = FakeStatisticsQueries(tx)
        self.outcomes = FakeOutcomeLog(tx)
        self.steering = FakeSteeringRepository(tx)
        self.transfers = FakeTransferRepository(tx)
        self.outbox = FakeOutboxRepository(tx)
        self.minutes = FakeMinutesRepository(tx)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tx = None

    def _transaction(self) -> Transaction:
        assert self._tx is not None, "unit of work not entered"
        return self._tx

    async def commit(self) -> None:
        self._transaction().commit()
        self.committed = True

    async def rollback(self) -> None:
        tx = self._transaction()
        tx.tables = tx.database.tables.copy()
        tx.began_at = tx.database.version
        tx.wrote = False


class FakeUnitOfWorkFactory:
    """Every unit of work it makes shares one in-memory database (`database`)."""

    def __init__(self, database: MemoryDatabase | None = None) -> None:
        self.database = database or MemoryDatabase()

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.database)

    def autocommit(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.database)
