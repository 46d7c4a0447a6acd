"""The tamper-evident audit log on SQLite and PostgreSQL: `audit verify` names the first
altered, deleted, inserted or reordered row; a signed checkpoint catches a rewrite of the
whole table; the CLI says so in one line."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import main
from storage.audit_chain import (
    AUDIT,
    GENESIS,
    canonical,
    chain_hash,
    check_checkpoint,
    verify_chain,
)
from tests.conftest import Harness

COLUMNS = ("at", "action", "actor_member_id", "group_id", "case_id", "binding_id", "detail")


async def activity(h: Harness) -> None:
    await h.text("anna", "flag acute Borger truer naboer")
    await h.text("bo", "ack PSP-2026-0001")
    await h.text("anna", "show PSP-2026-0001")
    await h.text("anna", "take PSP-2026-0001")
    await h.text("anna", "note PSP-2026-0001 ringede")
    await h.text("erik", "list")


async def verify(engine: AsyncEngine) -> tuple[str | None, int | None, int]:
    async with engine.connect() as conn:
        report = await verify_chain(conn)
    return report.problem, report.row_id, report.length


async def ids(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as conn:
        return [r for (r,) in await conn.execute(select(AUDIT.c.id).order_by(AUDIT.c.id))]


async def test_an_untouched_chain_is_intact(harness: Harness) -> None:
    await activity(harness)
    row_ids = await ids(harness.engine)
    assert len(row_ids) >= 7
    assert await verify(harness.engine) == (None, None, len(row_ids))


async def test_an_altered_row_is_named(harness: Harness) -> None:
    await activity(harness)
    row = (await ids(harness.engine))[3]
    async with harness.engine.begin() as conn:
        await conn.execute(update(AUDIT).where(AUDIT.c.id == row).values(actor_member_id=99))
    problem, at, _ = await verify(harness.engine)
    assert (problem, at) == ("altered", row)


async def test_a_deleted_row_is_found(harness: Harness) -> None:
    await activity(harness)
    row_ids = await ids(harness.engine)
    async with harness.engine.begin() as conn:
        await conn.execute(delete(AUDIT).where(AUDIT.c.id == row_ids[2]))
    problem, at, _ = await verify(harness.engine)
    assert (problem, at) == ("deleted", row_ids[3])


async def test_an_inserted_row_is_found_even_with_a_correct_hash(harness: Harness) -> None:
    """The forger knows the scheme: the new row links to its predecessor and hashes right;
    the row after it still points past it."""
    await activity(harness)
    row_ids = await ids(harness.engine)
    async with harness.engine.begin() as conn:
        rows = (await conn.execute(select(AUDIT).order_by(AUDIT.c.id))).all()
        # Make room after row 3 (ids are dense), moving the later rows up by one.
        for row in reversed(rows[3:]):
            await conn.execute(update(AUDIT).where(AUDIT.c.id == row.id).values(id=row.id + 1))
        before = rows[2]
        values = {c: getattr(before, c) for c in COLUMNS} | {"action": "case.read"}
        content = canonical(**values)
        await conn.execute(
            insert(AUDIT).values(
                id=before.id + 1,
                **values,
                prev_hash=before.hash,
                hash=chain_hash(before.hash, content),
            )
        )
    problem, at, _ = await verify(harness.engine)
    assert (problem, at) == ("inserted", row_ids[2] + 1)


async def test_a_naively_inserted_row_is_found(harness: Harness) -> None:
    await activity(harness)
    async with harness.engine.begin() as conn:
        rows = (await conn.execute(select(AUDIT).order_by(AUDIT.c.id))).all()
        for row in reversed(rows[4:]):
            await conn.execute(update(AUDIT).where(AUDIT.c.id == row.id).values(id=row.id + 1))
        values = {c: getattr(rows[3], c) for c in COLUMNS}
        await conn.execute(
            insert(AUDIT).values(id=rows[3].id + 1, **values, prev_hash=rows[3].hash, hash="0")
        )
    problem, at, _ = await verify(harness.engine)
    assert (problem, at) == ("inserted", rows[3].id + 1)


async def test_swapped_rows_are_found(harness: Harness) -> None:
    await activity(harness)
    async with harness.engine.begin() as conn:
        rows = (await conn.execute(select(AUDIT).order_by(AUDIT.c.id))).all()
        first, second = rows[2], rows[3]
        for target, source in ((first, second), (second, first)):
            await conn.execute(
                update(AUDIT)
                .where(AUDIT.c.id == target.id)
                .values(
                    **{c: getattr(source, c) for c in COLUMNS},
                    prev_hash=source.prev_hash,
                    hash=source.hash,
                )
            )
    problem, at, _ = await verify(harness.engine)
    assert (problem, at) == ("reordered", rows[2].id)


async def test_concurrent_commands_keep_one_unbroken_chain(harness: Harness) -> None:
    """Appends are serialised (advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite)."""
    await harness.text("anna", "flag acute første")
    await asyncio.gather(
        *(harness.text(user, "show PSP-2026-0001") for user in ("anna", "bo", "carl", "erik") * 3)
    )
    problem, _at, length = await verify(harness.engine)
    assert problem is None and length >= 14


async def rewrite_whole_chain(engine: AsyncEngine) -> None:
    """The attacker with write access recomputes every hash after changing a row."""
    async with engine.begin() as conn:
        rows = (await conn.execute(select(AUDIT).order_by(AUDIT.c.id))).all()
        prev = GENESIS
        for number, row in enumerate(rows):
            values = {c: getattr(row, c) for c in COLUMNS}
            if number == 1:
                values["actor_member_id"] = 42
            digest = chain_hash(prev, canonical(**values))
            await conn.execute(
                update(AUDIT)
                .where(AUDIT.c.id == row.id)
                .values(actor_member_id=values["actor_member_id"], prev_hash=prev, hash=digest)
            )
            prev = digest


async def cli(config: Path, *args: str) -> int:
    """`psp-bot …` as an operator runs it: its own process-like event loop and engine."""
    return await asyncio.to_thread(main, ["--config", str(config), *args])


@pytest.fixture
def cli_config(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PSP_BOT_DATABASE_URL", database_url)
    monkeypatch.setenv("PSP_BOT_ENCRYPTION_KEY", "k1:" + base64.b64encode(b"\1" * 32).decode())
    config = tmp_path / "psp.toml"
    config.write_text(f'[bot]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    return config


async def test_cli_verify_and_a_checkpoint_catch_a_rewrite_of_the_whole_table(
    harness: Harness,
    cli_config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await activity(harness)
    outside = tmp_path / "outside"
    outside.mkdir()
    signing_key, checkpoints = outside / "audit-signing.key", outside / "checkpoints.jsonl"
    assert await cli(cli_config, "audit", "verify") == 0
    assert "audit chain intact" in capsys.readouterr().out
    sign = ("audit", "checkpoint", "--signing-key", str(signing_key), "--out", str(checkpoints))
    assert await cli(cli_config, *sign) == 0
    public_key = capsys.readouterr().out.split("public key ")[1].split()[0]
    await harness.text("anna", "show PSP-2026-0001")
    assert await cli(cli_config, *sign) == 0
    check = ("audit", "verify", "--checkpoint", str(checkpoints), "--public-key", public_key)
    assert await cli(cli_config, *check) == 0
    assert "audit checkpoints hold: 2" in capsys.readouterr().out
    await rewrite_whole_chain(harness.engine)
    # The chain alone looks fine after a full rewrite; the checkpoints do not.
    assert await cli(cli_config, "audit", "verify") == 0
    capsys.readouterr()
    assert await cli(cli_config, *check) == 1
    assert "the log was rewritten" in capsys.readouterr().out


async def test_cli_verify_reports_the_broken_row(
    harness: Harness, cli_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await activity(harness)
    row = (await ids(harness.engine))[4]
    async with harness.engine.begin() as conn:
        await conn.execute(update(AUDIT).where(AUDIT.c.id == row).values(detail="x"))
    assert await cli(cli_config, "audit", "verify") == 1
    assert capsys.readouterr().out.strip() == (
        f"audit chain broken: row {row} was altered (its content no longer matches its hash)"
    )


async def test_a_checkpoint_signed_by_another_key_is_refused(harness: Harness) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from storage.audit_chain import sign_checkpoint

    await activity(harness)
    async with harness.engine.connect() as conn:
        report = await verify_chain(conn)
        signed = sign_checkpoint(report, Ed25519PrivateKey.generate(), harness.clock.now())
        trusted = Ed25519PrivateKey.generate().public_key()
        assert "signature does not verify" in str(await check_checkpoint(conn, signed, trusted))


async def test_migration_0003_chains_the_audit_rows_written_before_it(engine: AsyncEngine) -> None:
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import Connection

    from storage.migrate import alembic_config, upgrade

    def downgrade(connection: Connection) -> None:
        command.downgrade(alembic_config(connection), "0002")

    async with engine.begin() as conn:
        await conn.run_sync(downgrade)
        for number in range(5):
            await conn.execute(
                insert(AUDIT).values(
                    at=datetime(2026, 1, 1, 12, number, tzinfo=UTC),
                    action="case.read",
                    actor_member_id=number,
                    group_id=1,
                    case_id=7,
                    binding_id=None,
                    detail="",
                )
            )
    await upgrade(engine)
    assert await verify(engine) == (None, None, 5)
