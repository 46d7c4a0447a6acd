"""Two members acting at the same instant, really at once: each command runs in its own
process on its own connection, released together by a barrier, and the first to read its
case holds its transaction open until the other has started its own. On SQLite the second
then waits for the write lock (BEGIN IMMEDIATE); on PostgreSQL both read the same case and the
version check sends the loser round again. (Inside one process SQLite commands never
interleave by design: storage/sqlite_inline.py.)"""

from __future__ import annotations

import asyncio
import multiprocessing
from types import TracebackType
from typing import Any, Self

from bot.clock import FakeClock
from bot.domain import Case, GroupId
from bot.ports import UnitOfWork

# What one process saw: its user, the replies (kind, text), and whether it held its
# transaction open until the other had started.
Outcome = tuple[str, list[tuple[str, str]], bool]
HOLD_S = 0.2  # time for the other's BEGIN to reach the database once it has started


class _HeldCases:
    def __init__(self, inner: Any, other_started: Any, held: list[bool]) -> None:
        self._inner = inner
        self._other_started = other_started
        self._held = held

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def get_by_ref(self, group_id: GroupId, ref: str) -> Case | None:
        case: Case | None = await self._inner.get_by_ref(group_id, ref)
        if not self._held:
            self._held.append(await asyncio.to_thread(self._other_started.wait, 30))
            await asyncio.sleep(HOLD_S)  # inside the open transaction, on purpose
        return case


class _HeldUnitOfWork:
    def __init__(self, inner: UnitOfWork, started: Any, other: Any, held: list[bool]) -> None:
        self._inner = inner
        self._started = started
        self._other = other
        self._held = held

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __aenter__(self) -> Self:
        self._started.set()
        await self._inner.__aenter__()
        self.cases = _HeldCases(self._inner.cases, self._other, self._held)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)


class _HeldFactory:
    """Units of work that hold the case read (above); a delivery's one-statement unit
    (`autocommit`) reads no case and is the plain one."""

    def __init__(self, inner: Any, started: Any, other: Any, held: list[bool]) -> None:
        self._inner, self._started, self._other, self._held = inner, started, other, held

    def __call__(self) -> _HeldUnitOfWork:
        return _HeldUnitOfWork(self._inner(), self._started, self._other, self._held)

    def autocommit(self) -> UnitOfWork:
        return self._inner.autocommit()  # type: ignore[no-any-return]


async def _act(
    url: str, user: str, command: str, started: Any, other: Any, barrier: Any
) -> Outcome:
    from storage.engine import make_engine
    from storage.uow import SqlAlchemyUnitOfWorkFactory
    from tests.conftest import build_harness

    engine = make_engine(url)
    inner = SqlAlchemyUnitOfWorkFactory(engine)
    held: list[bool] = []
    factory = _HeldFactory(inner, started, other, held)
    harness = build_harness(engine, FakeClock(), uow_factory=factory)  # type: ignore[arg-type]
    async with engine.connect():
        pass  # connected before the barrier, so neither waits on the other to connect
    await asyncio.to_thread(barrier.wait, 60)
    replies = await harness.say(user, command)
    await engine.dispose()
    return user, [(r.kind.value, r.text) for r in replies], bool(held and held[0])


def _process(
    url: str, user: str, command: str, started: Any, other: Any, barrier: Any, out: Any
) -> None:
    out.put(asyncio.run(_act(url, user, command, started, other, barrier)))


def at_once(url: str, first: tuple[str, str], second: tuple[str, str]) -> list[Outcome]:
    """Run two (user, command) pairs against the database at `url` in two processes at the
    same instant; what each saw, in the order given."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    started = [context.Event(), context.Event()]
    out = context.Queue()
    processes = [
        context.Process(
            target=_process,
            args=(url, user, command, started[n], started[1 - n], barrier, out),
        )
        for n, (user, command) in enumerate((first, second))
    ]
    for process in processes:
        process.start()
    outcomes = [out.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    order = [first[0], second[0]]
    return sorted(outcomes, key=lambda o: order.index(o[0]))
