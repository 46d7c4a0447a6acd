"""Contention and defects at the database edge: another process holding SQLite's write lock,
or a PostgreSQL session holding a row, never freezes the bot and ends in a clear "busy" line;
a unique clash is a concurrent update (run again), any other constraint violation is a defect
(not retried as "busy")."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FakeClock
from bot.demo import ensure_demo_group
from bot.ports import ConcurrentUpdateError
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.models import GroupRow
from storage.uow import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory
from tests.conftest import build_harness


class LockHolder:
    """Another connection (as another process would) holding the write lock until told."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._locked = threading.Event()
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        self._locked.set()
        self._release.wait(30)
        conn.execute("COMMIT")
        conn.close()

    def __enter__(self) -> LockHolder:
        self._thread.start()
        assert self._locked.wait(10)
        return self

    def release(self) -> None:
        self._release.set()

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._thread.join(10)


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "psp.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    await upgrade(engine)
    await engine.dispose()
    return path


async def _case_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])
    finally:
        conn.close()


async def test_a_held_lock_ends_in_a_busy_line_and_changes_nothing(sqlite_file: Path) -> None:
    engine = make_engine(f"sqlite:///{sqlite_file}", lock_wait=0.3)
    clock = FakeClock()
    h = build_harness(engine, clock)
    await ensure_demo_group(h.uow_factory, clock)
    try:
        with LockHolder(sqlite_file):
            text = await h.text("anna", "flag acute Borger truer naboer")
        assert text == BUSY
        assert await _case_count(sqlite_file) == 0
        # The lock is gone: the same command goes through.
        assert "PSP-" in await h.text("anna", "flag acute Borger truer naboer")
    finally:
        await engine.dispose()


BUSY = (
    "The database is busy with another process right now; nothing was changed. "
    "Try again in a moment."
)


async def test_a_row_a_postgresql_session_holds_ends_in_a_busy_line_and_changes_nothing(
    pg_database: str,
) -> None:
    """A session left open in psql (or a stuck process) holds a case's row: a command on that
    case waits the configured lock wait, then answers "busy" with nothing changed; commands
    on other cases go on meanwhile, and the same command goes through once the row is free.
    The bot's sessions carry its name, so the database's administrator can tell them apart."""
    import asyncpg

    engine = make_engine(pg_database, lock_wait=1, pool_size=3, application_name="psp-bot")
    clock = FakeClock()
    h = build_harness(engine, clock)
    await ensure_demo_group(h.uow_factory, clock)
    other = await asyncpg.connect(pg_database.replace("postgresql://", "postgres://"))
    try:
        first = await h.text("anna", "flag acute Borger truer naboer")
        second = await h.text("anna", "flag acute Borger savnet")
        held_ref, free_ref = (re.search(r"PSP-\d{4}-\d+", t)[0] for t in (first, second))  # type: ignore[index]
        sessions = await other.fetch(
            "SELECT application_name FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert sessions and {row[0] for row in sessions} == {"psp-bot"}
        assert engine.pool.size() == 3  # type: ignore[attr-defined]

        acks = await other.fetchval("SELECT count(*) FROM acknowledgements")
        async with other.transaction():
            await other.execute("SELECT id FROM cases WHERE ref = $1 FOR UPDATE", held_ref)
            answer = await asyncio.wait_for(h.text("carl", f"ack {held_ref}"), 15)
            assert answer == BUSY
            assert "acknowledged" in await h.text("carl", f"ack {free_ref}")
        assert await other.fetchval("SELECT count(*) FROM acknowledgements") == acks + 1
        assert "acknowledged" in await h.text("carl", f"ack {held_ref}")
        assert await other.fetchval("SELECT count(*) FROM acknowledgements") == acks + 2
    finally:
        await other.close()
        await engine.dispose()


async def test_waiting_for_the_lock_leaves_the_event_loop_free(sqlite_file: Path) -> None:
    """While one command waits for another process's lock, the loop serves other work;
    the command goes through as soon as the lock is released."""
    engine = make_engine(f"sqlite:///{sqlite_file}", lock_wait=20)
    clock = FakeClock()
    h = build_harness(engine, clock)
    await ensure_demo_group(h.uow_factory, clock)
    try:
        with LockHolder(sqlite_file) as holder:
            command = asyncio.create_task(h.text("anna", "flag acute Borger truer naboer"))
            ticks = 0
            while ticks < 20:  # the loop keeps running while the command waits
                await asyncio.sleep(0.005)
                ticks += 1
            assert not command.done()
            holder.release()
            text = await asyncio.wait_for(command, 20)
        assert "PSP-" in text
        assert await _case_count(sqlite_file) == 1
    finally:
        await engine.dispose()


async def test_a_command_cancelled_while_it_waits_for_the_lock_gives_its_connection_back(
    sqlite_file: Path,
) -> None:
    """A shutdown cancels a command that waits for another process's lock: its connection
    goes back to the pool (it was left for the garbage collector to find)."""
    engine = make_engine(f"sqlite:///{sqlite_file}", lock_wait=20)
    try:
        with LockHolder(sqlite_file) as holder:
            uow = SqlAlchemyUnitOfWork(engine)

            async def wait_for_the_lock() -> None:
                async with uow:
                    pass

            waiting = asyncio.create_task(wait_for_the_lock())
            await asyncio.sleep(0.2)
            assert not waiting.done() and engine.pool.checkedout() == 1  # type: ignore[attr-defined]
            waiting.cancel()
            holder.release()
            with pytest.raises(asyncio.CancelledError):
                await waiting
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_a_unique_clash_is_a_concurrent_update(engine: AsyncEngine) -> None:
    await ensure_demo_group_for(engine)
    with pytest.raises(ConcurrentUpdateError):
        async with SqlAlchemyUnitOfWork(engine) as uow:
            group = await _demo_group(uow)
            await uow.connection.execute(
                insert(GroupRow).values(**_group_values(group, name="Demo"))
            )


async def test_another_constraint_violation_is_a_defect(engine: AsyncEngine) -> None:
    await ensure_demo_group_for(engine)
    with pytest.raises(IntegrityError):
        async with SqlAlchemyUnitOfWork(engine) as uow:
            group = await _demo_group(uow)
            values = _group_values(group, name="Another")
            values["kind"] = None  # NOT NULL
            await uow.connection.execute(insert(GroupRow).values(**values))


async def ensure_demo_group_for(engine: AsyncEngine) -> None:
    await ensure_demo_group(SqlAlchemyUnitOfWorkFactory(engine), FakeClock())


async def _demo_group(uow: SqlAlchemyUnitOfWork) -> dict[str, object]:
    row = (
        (await uow.connection.execute(select(GroupRow).where(GroupRow.name == "Demo")))
        .mappings()
        .one()
    )
    return dict(row)


def _group_values(group: dict[str, object], *, name: str) -> dict[str, object]:
    values = {k: v for k, v in group.items() if k != "id"}
    values["name"] = name
    if "created_at" in values:
        values["created_at"] = datetime.now(UTC)
    return values
