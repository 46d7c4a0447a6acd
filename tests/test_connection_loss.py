"""Connections are not pinged before every command (that would cost a round trip each): when
PostgreSQL drops them (a restart, a failover, an idle timeout), the next command still gets
its answer, once, on a fresh connection, and nothing is lost or done twice."""

from __future__ import annotations

import asyncio

from tests.conftest import Harness, _pg_execute


async def drop_every_connection(database_url: str) -> None:
    name = database_url.rsplit("/", 1)[1]
    await _pg_execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    )


async def test_commands_after_the_database_dropped_every_connection(
    pg_harness: Harness, pg_database: str
) -> None:
    h = pg_harness
    await h.text("anna", "flag acute Borger truer naboer")
    # Several pooled connections, all of them about to be cut.
    await asyncio.gather(*(h.text(u, "show PSP-2026-0001") for u in ("anna", "bo", "carl")))
    await drop_every_connection(pg_database)

    assert "PSP-2026-0002" in await h.text("anna", "flag urgent Anden borger")
    await drop_every_connection(pg_database)
    answers = await asyncio.gather(
        *(h.text(u, "show PSP-2026-0002") for u in ("anna", "bo", "carl", "erik"))
    )
    assert all("Anden borger" in answer for answer in answers)
    listed = await h.text("erik", "list")
    assert "PSP-2026-0001" in listed and "PSP-2026-0002" in listed
    assert "PSP-2026-0003" not in listed  # the retried flag was not done twice
