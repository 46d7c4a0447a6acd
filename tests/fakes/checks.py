"""mypy proves here that the fakes implement the ports (tests/fakes is type-checked)."""

from __future__ import annotations

from bot.ports import UnitOfWork, UnitOfWorkFactory
from tests.fakes.uow import FakeUnitOfWork, FakeUnitOfWorkFactory


def _implements(factory: FakeUnitOfWorkFactory, uow: FakeUnitOfWork) -> None:
    _factory: UnitOfWorkFactory = factory
    _uow: UnitOfWork = uow
