"""In-memory fakes of the core's ports (bot/ports): the unit of work and every repository it
holds. tests/test_contract.py runs the same repository behaviour against them, SQLite and
PostgreSQL, so they cannot drift from storage/."""

from tests.fakes.store import MemoryDatabase
from tests.fakes.uow import FakeUnitOfWork, FakeUnitOfWorkFactory

__all__ = ["FakeUnitOfWork", "FakeUnitOfWorkFactory", "MemoryDatabase"]
