"""Scratch PostgreSQL databases for the benchmarks: each uniquely named, created for the run
and dropped after it, so a benchmark runs next to the tests and next to other benchmarks and
never touches `test` (the tests' database) or another run's data. Administrative statements
go to the server's maintenance database `postgres`."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

SERVER = os.environ.get("PSP_BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
_created: set[str] = set()


def unique_name(label: str) -> str:
    return f"psp_bench_{label}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def url_of(name: str) -> str:
    return f"{SERVER}/{name}"


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(SERVER.replace("postgresql://", "postgres://") + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def create_database(label: str) -> str:
    """A new empty database; its URL."""
    name = unique_name(label)
    await _admin(f"CREATE DATABASE {name}")
    _created.add(name)
    return url_of(name)


async def recreate(url: str) -> None:
    """An empty database at `url`, which must name a scratch database of this run (one from
    create_database, or one derived from such a name): never anything else."""
    name = url.rsplit("/", 1)[1]
    assert any(name.startswith(mine) for mine in _created), f"not a scratch database: {name}"
    await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await _admin(f"CREATE DATABASE {name}")
    _created.add(name)


async def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    if name in _created:
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _created.discard(name)


async def drop_all() -> None:
    for name in list(_created):
        await drop_database(url_of(name))


@asynccontextmanager
async def scratch_database(label: str) -> AsyncIterator[str]:
    url = await create_database(label)
    try:
        yield url
    finally:
        await drop_database(url)


async def available() -> bool:
    try:
        await _admin("SELECT 1")
        return True
    except Exception:
        return False
