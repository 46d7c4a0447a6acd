"""The tamper-evident audit log on SQLite and PostgreSQL: one hash chain per group (and one for
the installation). `audit verify` names, per chain, the first altered, deleted, inserted or
reordered row and rows cut from a chain's end; a signed checkpoint per chain catches a
rewrite of a whole chain; the CLI says so in one line."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import main
from bot.clock import FakeClock
from storage.audit_chain import AUDIT, GENESIS, LEGACY, canonical, chain_hash
from storage.audit_verify import (
    audit_snapshot,
    check_checkpoint,
    count_audit_rows,
    sign_checkpoint,
    verify_chain,
)
from storage.engine import make_engine
from storage.maintenance import AUDIT_CHECKPOINT, AUDIT_VERIFY, last_successes
from tests.conftest import Harness

COLUMNS = ("at", "action", "actor_member_id", "group_id", "case_id", "binding_id", "detail")
DEMO, OTHER = 1, 2  # the groups' ids, and so their chains


async def activity(h: Harness) -> None:
    """Work in the demo group, interleaved with a second group in another room."""
    await h.text("anna", "flag acute Borger truer naboer")
    await h.text("admin", "group setup Other --prefix SSP", room="other-room")
    await h.text("admin", "member add @olga police lead", room="other-room")
    await h.text("bo", "ack PSP-2026-0001")
    await h.text("olga", "flag urgent Anden sag", room="other-room")
    await h.text("anna", "show PSP-2026-0001")
    await h.text("anna", "take PSP-2026-0001")
    await h.text("olga", "list", room="other-room")
    await h.text("anna", "note PSP-2026-0001 ringede")
    await h.text("erik", "list")


async def broken(engine: AsyncEngine) -> dict[int, tuple[str | None, int | None]]:
    """Each broken chain's problem and row; {} when every chain is intact."""
    async with engine.connect() as conn:
        report = await verify_chain(conn)
    return {c.chain_id: (c.problem, c.row_id) for c in report.broken()}


async def chain_rows(engine: AsyncEngine, chain_id: int = DEMO) -> list[Row[tuple[object, ...]]]:
    async with engine.connect() as conn:
        query = select(AUDIT).where(AUDIT.c.chain_id == chain_id).order_by(AUDIT.c.id)
        return list((await conn.execute(query)).all())


async def make_room_after(engine: AsyncEngine, row_id: int) -> None:
    """Ids are dense: move every later row up by one (keeping their order)."""
    async with engine.begin() as conn:
        later = (await conn.execute(select(AUDIT.c.id).where(AUDIT.c.id > row_id))).all()
        for (later_id,) in sorted(later, reverse=True):
            await conn.execute(update(AUDIT).where(AUDIT.c.id == later_id).values(id=later_id + 1))


def content(row: Row[tuple[object, ...]], **changes: object) -> bytes:
    values = {c: getattr(row, c) for c in COLUMNS} | changes
    return canonical(**values, chain_id=row.chain_id)  # type: ignore[arg-type]


async def test_every_group_has_its_own_intact_chain(harness: Harness) -> None:
    await activity(harness)
    async with harness.engine.connect() as conn:
        report = await verify_chain(conn)
    assert report.intact and {DEMO, OTHER} <= set(report.chains)
    assert report.chains[DEMO].length == len(await chain_rows(harness.engine, DEMO)) >= 7
    assert report.chains[OTHER].length == len(await chain_rows(harness.engine, OTHER)) >= 3
    assert report.describe().startswith(f"audit chains intact: {len(report.chains)} chains")


async def test_an_altered_row_is_named_in_its_chain_only(harness: Harness) -> None:
    await activity(harness)
    row = (await chain_rows(harness.engine))[3]
    async with harness.engine.begin() as conn:
        await conn.execute(update(AUDIT).where(AUDIT.c.id == row.id).values(actor_member_id=99))
    assert await broken(harness.engine) == {DEMO: ("altered", row.id)}


async def test_a_deleted_row_is_found(harness: Harness) -> None:
    await activity(harness)
    rows = await chain_rows(harness.engine, OTHER)
    async with harness.engine.begin() as conn:
        await conn.execute(delete(AUDIT).where(AUDIT.c.id == rows[1].id))
    assert await broken(harness.engine) == {OTHER: ("deleted", rows[2].id)}


async def test_rows_cut_from_the_end_of_a_chain_are_noticed(harness: Harness) -> None:
    await activity(harness)
    rows = await chain_rows(harness.engine, OTHER)
    async with harness.engine.begin() as conn:
        await conn.execute(delete(AUDIT).where(AUDIT.c.id == rows[-1].id))
    assert await broken(harness.engine) == {OTHER: ("truncated", rows[-2].id)}


async def test_an_inserted_row_is_found_even_with_a_correct_hash(harness: Harness) -> None:
    """The forger knows the scheme: the new row links to its predecessor in the chain and
    hashes right; the chain's next row still points past it."""
    await activity(harness)
    before = (await chain_rows(harness.engine))[2]
    await make_room_after(harness.engine, before.id)
    values = {c: getattr(before, c) for c in COLUMNS} | {"action": "case.read"}
    async with harness.engine.begin() as conn:
        await conn.execute(
            insert(AUDIT).values(
                id=before.id + 1,
                **values,
                chain_id=DEMO,
                prev_hash=before.hash,
                hash=chain_hash(before.hash, content(before, action="case.read")),
            )
        )
    assert await broken(harness.engine) == {DEMO: ("inserted", before.id + 1)}


async def test_a_naively_inserted_row_is_found(harness: Harness) -> None:
    await activity(harness)
    before = (await chain_rows(harness.engine))[3]
    await make_room_after(harness.engine, before.id)
    values = {c: getattr(before, c) for c in COLUMNS}
    async with harness.engine.begin() as conn:
        await conn.execute(
            insert(AUDIT).values(
                id=before.id + 1, **values, chain_id=DEMO, prev_hash=before.hash, hash="0"
            )
        )
    assert await broken(harness.engine) == {DEMO: ("inserted", before.id + 1)}


async def test_a_row_appended_behind_the_chains_head_is_found(harness: Harness) -> None:
    """A forger who appends a well-linked row without moving the chain's head."""
    await activity(harness)
    last = (await chain_rows(harness.engine, OTHER))[-1]
    async with harness.engine.begin() as conn:
        result = await conn.execute(
            insert(AUDIT).values(
                **{c: getattr(last, c) for c in COLUMNS},
                chain_id=OTHER,
                prev_hash=last.hash,
                hash=chain_hash(last.hash, content(last)),
            )
        )
        forged = result.inserted_primary_key[0]
    assert await broken(harness.engine) == {OTHER: ("inserted", forged)}


async def test_swapped_rows_are_found(harness: Harness) -> None:
    await activity(harness)
    rows = await chain_rows(harness.engine)
    first, second = rows[2], rows[3]
    async with harness.engine.begin() as conn:
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
    assert await broken(harness.engine) == {DEMO: ("reordered", first.id)}


async def test_a_row_moved_to_another_chain_breaks_both(harness: Harness) -> None:
    await activity(harness)
    row = (await chain_rows(harness.engine))[2]
    async with harness.engine.begin() as conn:
        await conn.execute(update(AUDIT).where(AUDIT.c.id == row.id).values(chain_id=OTHER))
    assert set(await broken(harness.engine)) == {DEMO, OTHER}


async def test_concurrent_commands_of_two_groups_keep_both_chains_unbroken(
    harness: Harness,
) -> None:
    await activity(harness)
    await asyncio.gather(
        *(harness.text(user, "show PSP-2026-0001") for user in ("anna", "bo", "carl", "erik") * 3),
        *(harness.text("olga", "show SSP-2026-0001", room="other-room") for _ in range(12)),
    )
    async with harness.engine.connect() as conn:
        report = await verify_chain(conn)
    assert report.intact
    assert report.chains[OTHER].length >= 15 and report.chains[DEMO].length >= 19


async def rewrite_whole_chain(engine: AsyncEngine, chain_id: int) -> None:
    """The attacker with write access recomputes every hash of a chain after changing a row."""
    rows = await chain_rows(engine, chain_id)
    async with engine.begin() as conn:
        prev = GENESIS
        for number, row in enumerate(rows):
            changes = {"actor_member_id": 42} if number == 1 else {}
            digest = chain_hash(prev, content(row, **changes))
            await conn.execute(
                update(AUDIT)
                .where(AUDIT.c.id == row.id)
                .values(**changes, prev_hash=prev, hash=digest)
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


@pytest.mark.parametrize("rewritten", [DEMO, OTHER])
async def test_cli_verify_and_a_checkpoint_catch_a_rewrite_of_a_whole_chain(
    harness: Harness,
    cli_config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    rewritten: int,
) -> None:
    await activity(harness)
    outside = tmp_path / "outside"
    outside.mkdir()
    signing_key, checkpoints = outside / "audit-signing.key", outside / "checkpoints.jsonl"
    assert harness.engine is not None
    assert set((await last_successes(harness.engine)).values()) == {None}
    assert await cli(cli_config, "audit", "verify") == 0
    assert "audit chains intact" in capsys.readouterr().out
    sign = ("audit", "checkpoint", "--signing-key", str(signing_key), "--out", str(checkpoints))
    assert await cli(cli_config, *sign) == 0
    # Each success is recorded for the running bot's metric (the CLI ran in cron, say).
    runs = await last_successes(harness.engine)
    assert runs[AUDIT_VERIFY] is not None and runs[AUDIT_CHECKPOINT] is not None
    public_key = capsys.readouterr().out.split("public key ")[1].split()[0]
    await harness.text("anna", "show PSP-2026-0001")
    assert await cli(cli_config, *sign) == 0
    signed = len(checkpoints.read_text(encoding="utf-8").splitlines())
    check = ("audit", "verify", "--checkpoint", str(checkpoints), "--public-key", public_key)
    assert await cli(cli_config, *check) == 0
    assert f"audit checkpoints hold: {signed}" in capsys.readouterr().out
    await rewrite_whole_chain(harness.engine, rewritten)
    # The chain alone looks fine after a full rewrite; the checkpoints do not.
    assert await cli(cli_config, "audit", "verify") == 0
    capsys.readouterr()
    verified = (await last_successes(harness.engine))[AUDIT_VERIFY]
    assert await cli(cli_config, *check) == 1
    assert "the log was rewritten" in capsys.readouterr().out
    assert (await last_successes(harness.engine))[AUDIT_VERIFY] == verified  # not a success


async def test_cli_verify_reports_the_broken_row(
    harness: Harness, cli_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await activity(harness)
    row = (await chain_rows(harness.engine))[4]
    async with harness.engine.begin() as conn:
        await conn.execute(update(AUDIT).where(AUDIT.c.id == row.id).values(detail="x"))
    assert await cli(cli_config, "audit", "verify") == 1
    assert capsys.readouterr().out.strip() == (
        f"audit chain of group 1 broken: row {row.id} was altered "
        "(its content no longer matches its hash)"
    )


async def test_a_checkpoint_signed_by_another_key_is_refused(harness: Harness) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    await activity(harness)
    async with harness.engine.connect() as conn:
        report = await verify_chain(conn)
    signed = sign_checkpoint(report.chains[DEMO], Ed25519PrivateKey.generate(), harness.clock.now())
    trusted = Ed25519PrivateKey.generate().public_key()
    assert "signature does not verify" in str(check_checkpoint(report, signed, trusted))


async def test_the_single_chain_of_older_versions_still_verifies(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    """Rows chained as one chain by migration 0003 stay as they are when each group gets its
    own chain: they and their checkpoint still verify, tampering with them is still found,
    and new rows start the groups' own chains."""
    from alembic import command
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from sqlalchemy import Connection, column, table
    from sqlalchemy import insert as sql_insert

    from bot.demo import ensure_demo_group
    from storage.audit_chain import utc_stamp
    from storage.audit_verify import _checkpoint_message, public_key_text
    from storage.migrate import alembic_config, upgrade
    from tests.conftest import build_harness

    def migrate_to(revision: str) -> Callable[[Connection], None]:
        def run(connection: Connection) -> None:
            if revision == "0002":
                command.downgrade(alembic_config(connection), revision)
            else:
                command.upgrade(alembic_config(connection), revision)

        return run

    old_audit = table("audit_log", *(column(c) for c in COLUMNS))
    async with engine.begin() as conn:
        await conn.run_sync(migrate_to("0002"))
        for number in range(5):
            await conn.execute(
                sql_insert(old_audit).values(
                    at=datetime(2026, 1, 1, 12, number, tzinfo=UTC),
                    action="case.read",
                    actor_member_id=number,
                    group_id=1,
                    case_id=7,
                    binding_id=None,
                    detail="",
                )
            )
    async with engine.begin() as conn:
        await conn.run_sync(migrate_to("0003"))
    async with engine.connect() as conn:
        head = (await conn.execute(select(AUDIT.c.id, AUDIT.c.hash).order_by(AUDIT.c.id))).all()[-1]
    key = Ed25519PrivateKey.generate()
    at = utc_stamp(datetime(2026, 1, 2, tzinfo=UTC))
    v1 = {"length": 5, "head_id": head.id, "head_hash": head.hash, "at": at}
    v1["signature"] = base64.b64encode(
        key.sign(_checkpoint_message(None, 5, head.id, head.hash, at))
    ).decode()
    v1["public_key"] = public_key_text(key)

    await upgrade(engine)
    h = build_harness(engine, clock)
    await ensure_demo_group(h.uow_factory, clock)
    await h.text("anna", "flag acute Borger truer naboer")
    async with engine.connect() as conn:
        report = await verify_chain(conn, watch={head.id})
    assert report.intact
    assert report.chains[LEGACY].length == 5 and report.chains[DEMO].length >= 2
    assert check_checkpoint(report, v1, key.public_key()) is None

    async with engine.begin() as conn:
        await conn.execute(update(AUDIT).where(AUDIT.c.id == head.id - 2).values(detail="x"))
    assert await broken(engine) == {LEGACY: ("altered", head.id - 2)}


async def test_commands_go_on_while_the_log_is_verified(
    harness: Harness, database_url: str
) -> None:
    """`audit verify` reads one snapshot and takes no lock that the bot's commands wait on
    (on SQLite no write lock): a command in the middle of a verification is answered, and
    its audit row, committed after the snapshot began, does not make a chain look broken."""
    await activity(harness)
    verifier = make_engine(database_url)
    try:
        async with audit_snapshot(verifier) as conn:
            rows_before = await count_audit_rows(conn)  # the snapshot begins here
            answer = await harness.text("anna", "show PSP-2026-0001")
            report = await verify_chain(conn)
    finally:
        await verifier.dispose()
    assert "PSP-2026-0001" in answer and "busy" not in answer
    assert report.intact and report.length == rows_before
    assert await broken(harness.engine) == {}


@pytest.mark.parametrize(
    "detail",
    ['quote " and backslash \\', "line\nbreak\ttab\x01", "Ærø Å ø 🚓", "", "u\u2028v"],
)
async def test_rows_with_any_text_and_time_verify_and_their_alteration_is_found(
    harness: Harness, detail: str
) -> None:
    """The walk's quick hashing agrees with canonical() for whatever a row holds: escapes,
    Danish letters, missing ids, a time on the whole second; a change to such a row is found."""
    from storage.audit_chain import append

    await activity(harness)
    times = (
        datetime(2026, 5, 1, 8, 0, 0, tzinfo=UTC),
        datetime(2026, 5, 1, 8, 0, 1, 5, tzinfo=UTC),
    )
    async with harness.engine.begin() as conn:
        for at in times:
            await append(
                conn,
                at=at,
                action="case.note",
                actor_member_id=None,
                group_id=OTHER,
                case_id=2**40,
                binding_id=None,
                detail=detail,
            )
    assert await broken(harness.engine) == {}
    written = (await chain_rows(harness.engine, OTHER))[-2]
    async with harness.engine.begin() as conn:
        await conn.execute(
            update(AUDIT).where(AUDIT.c.id == written.id).values(detail=detail + "!")
        )
    assert await broken(harness.engine) == {OTHER: ("altered", written.id)}
