"""Encryption at rest, on SQLite and PostgreSQL: no free text on disk, ciphertexts bound to
their row, key rotation (and its resumption), and wrong or missing keys."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FakeClock
from bot.config import ConfigError, parse_settings
from storage.crypto import (
    AesGcmCodec,
    GuardedPlainTextCodec,
    Keyring,
    KeyringError,
    SealedTextError,
    read_key_file,
    write_key_file,
)
from storage.keys import (
    ROTATION_STATE,
    SEALED,
    check_keyring,
    reencrypt,
    rotation_in_progress,
)
from storage.models import AuditRow, CaseRow
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.conftest import Harness
from tests.protection_support import keyring, secure_harness

REF = "PSP-2026-0001"
MARKER = "ZQXMARKER"


async def fill_every_free_text_field(h: Harness) -> None:
    """A case with text in every encrypted column: summary, note, decision, fallback,
    resolution, escalation."""
    await h.text("anna", f"flag acute {MARKER}summary borger truer")
    await h.text("anna", f"note {REF} {MARKER}note naboen ringede")
    await h.text("anna", f"take {REF}")
    out = await h.text(
        "anna", f'decide {REF} "{MARKER}decision besøg" --fallback "{MARKER}fallback ledsag"'
    )
    assert "decision no. 1" in out
    assert "closed" in await h.text(
        "anna", f"close {REF} {MARKER}resolution indlagt --outcome other"
    )
    await h.text("erik", f"escalate {MARKER}escalation regler for udlevering")
    out = await h.text("erik", f'meeting schedule 2026-12-01 10:00 --theme "{MARKER}theme"')
    assert MARKER + "theme" in out
    # Adapter state: the Matrix outbox parks undelivered replies (with case text) there.
    await h.router.save_state("matrix/outbox/test", f"{MARKER}outbox reply")
    assert await h.router.load_state("matrix/outbox/test") == f"{MARKER}outbox reply"


async def pg_dump(url: str) -> bytes:
    """The database as `pg_dump --data-only` writes it; where the pg_dump binary is not
    installed, the same table contents through COPY (what pg_dump runs underneath)."""
    database = url.rsplit("/", 1)[1]
    host = os.environ.get("PSP_TEST_PG_HOST", "127.0.0.1")
    if shutil.which("pg_dump"):
        process = await asyncio.create_subprocess_exec(
            "pg_dump", "-h", host, "-U", "postgres", "--data-only", database,
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0
        return out
    import asyncpg

    conn = await asyncpg.connect(f"postgres://postgres@{host}:5432/{database}")
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        chunks: list[bytes] = []
        for row in tables:
            await conn.copy_from_table(row["tablename"], output=chunks.append)
        return b"".join(chunks)
    finally:
        await conn.close()


async def test_no_free_text_reaches_the_disk(
    engine: AsyncEngine, clock: FakeClock, database_url: str
) -> None:
    h, _sender = await secure_harness(engine, clock)
    await fill_every_free_text_field(h)
    # The bot itself still reads it all back.
    shown = await h.text("anna", f"show {REF}")
    for field in ("summary", "note", "decision", "fallback", "resolution"):
        assert MARKER + field in shown
    await engine.dispose()  # SQLite: checkpoint the WAL into the file we grep
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    else:
        raw = await pg_dump(database_url)
        assert b"enc1:k1:" in raw  # the dump did include the case rows
    assert len(raw) > 2_000
    assert MARKER.encode() not in raw


async def test_a_ciphertext_copied_to_another_row_does_not_open(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    h, _sender = await secure_harness(engine, clock)
    await h.text("anna", "flag acute first case text")
    await h.text("anna", "flag normal second case text")
    cases = CaseRow.__table__
    async with engine.begin() as conn:
        first = (await conn.execute(select(cases.c.summary).where(cases.c.ref == REF))).scalar_one()
        await conn.execute(
            update(cases).where(cases.c.ref == "PSP-2026-0002").values(summary=first)
        )
    async with h.uow_factory() as uow:
        group = await uow.groups.get_by_name("Demo")
        assert group is not None
        assert (await uow.cases.get_by_ref(group.id, REF)) is not None
        with pytest.raises(SealedTextError, match="copied from another row") as caught:
            await uow.cases.get_by_ref(group.id, "PSP-2026-0002")
    assert "first case" not in str(caught.value)


async def stored_values(engine: AsyncEngine) -> list[str]:
    values: list[str] = []
    async with engine.connect() as conn:
        for sealed in SEALED:
            for column in sealed.columns:
                table = sealed.table
                rows = await conn.execute(select(table.c[sealed.key], table.c[column]))
                # The rotation's own bookmark (a key id) is not text to protect.
                values += [v for k, v in rows if v and k != ROTATION_STATE]
    return values


async def test_rotation_round_trip_resumes_after_an_interruption(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    old = AesGcmCodec(keyring(("k1", 1)))
    h, _sender = await secure_harness(engine, clock, old)
    await check_keyring(engine, old, at=clock.now())
    for number in range(6):
        await h.text("anna", f"flag normal case {number} {MARKER}")
        await h.text("anna", f"note PSP-2026-000{number + 1} note {number}")
    await h.text("erik", f'meeting schedule 2026-12-01 10:00 --theme "{MARKER}"')
    await h.router.save_state("matrix/outbox/test", f"{MARKER} parked reply")
    both = AesGcmCodec(keyring(("k1", 1), ("k2", 2)))
    with pytest.raises(KeyboardInterrupt):
        await reencrypt(engine, both, at=clock.now(), batch=2, stop_after=4)
    values = await stored_values(engine)
    assert {v.split(":")[1] for v in values} == {"k1", "k2"}  # half-way
    assert await rotation_in_progress(engine) == "k2"
    # Meanwhile the bot, restarted with both keys, reads every case.
    h2, _ = await secure_harness(engine, clock, both)
    assert "case 0" in await h2.text("bo", f"show {REF}")
    changed, retired = await reencrypt(engine, both, at=clock.now(), batch=2)
    assert 0 < changed < 12  # only what the interrupted run had not done yet
    assert retired == ["k1"]
    assert await rotation_in_progress(engine) is None
    assert all(v.startswith("enc1:k2:") for v in await stored_values(engine))
    async with engine.connect() as conn:
        audit = AuditRow.__table__
        rows = await conn.execute(select(audit.c.detail).where(audit.c.action == "keys.rotate"))
        assert [d for (d,) in rows] == [f"key=k2 values={changed}"]
    # The old key can go: the new one alone opens everything, and the start check passes.
    new_only = AesGcmCodec(keyring(("k2", 2)))
    await check_keyring(engine, new_only, at=clock.now())
    h3, _ = await secure_harness(engine, clock, new_only)
    assert "case 5" in await h3.text("bo", "show PSP-2026-0006")


async def test_a_wrong_or_missing_key_is_one_clear_error(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    right = AesGcmCodec(keyring(("k1", 1)))
    h, _sender = await secure_harness(engine, clock, right)
    await check_keyring(engine, right, at=clock.now())
    await h.text("anna", f"flag acute {MARKER} text")
    wrong = AesGcmCodec(keyring(("k1", 9)))
    with pytest.raises(KeyringError, match="not the key this database was encrypted with"):
        await check_keyring(engine, wrong, at=clock.now())
    with pytest.raises(KeyringError, match="sealed with key 'k1', which is not configured"):
        await check_keyring(engine, AesGcmCodec(keyring(("k7", 7))), at=clock.now())
    for codec in (wrong, AesGcmCodec(keyring(("k7", 7))), GuardedPlainTextCodec()):
        async with SqlAlchemyUnitOfWorkFactory(engine, codec)() as uow:
            group = await uow.groups.get_by_name("Demo")
            assert group is not None
            with pytest.raises(SealedTextError) as caught:
                await uow.cases.get_by_ref(group.id, REF)
        assert MARKER not in str(caught.value)


async def test_plaintext_left_in_the_database_is_refused_then_encrypted_by_rotation(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    """A database that ran with allow_plaintext gets a key: reads refuse the plaintext
    until `keys rotate --no-new-key` has encrypted it."""
    h, _ = await secure_harness(engine, clock, GuardedPlainTextCodec())
    await h.text("anna", "flag acute stored in plaintext")
    codec = AesGcmCodec(keyring(("k1", 1)))
    async with SqlAlchemyUnitOfWorkFactory(engine, codec)() as uow:
        group = await uow.groups.get_by_name("Demo")
        assert group is not None
        with pytest.raises(SealedTextError, match="not encrypted"):
            await uow.cases.get_by_ref(group.id, REF)
    await reencrypt(engine, AesGcmCodec(codec.keyring, read_plaintext=True), at=clock.now())
    assert all(v.startswith("enc1:k1:") for v in await stored_values(engine))
    async with SqlAlchemyUnitOfWorkFactory(engine, codec)() as uow:
        case = await uow.cases.get_by_ref(group.id, REF)
        assert case is not None and case.summary == "stored in plaintext"


# --- the composition root's rules -------------------------------------------------------


def test_postgresql_without_a_key_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.cli_encryption import make_codec

    for env in ("PSP_BOT_ENCRYPTION_KEY", "PSP_BOT_ENCRYPTION_KEYS"):
        monkeypatch.delenv(env, raising=False)
    settings = parse_settings(
        {"bot": {"data_dir": str(tmp_path)}, "database": {"url": "postgresql://db/psp"}}
    )
    with pytest.raises(ConfigError, match="no encryption key for PostgreSQL"):
        make_codec(settings)
    allowed = parse_settings(
        {
            "bot": {"data_dir": str(tmp_path)},
            "database": {"url": "postgresql://db/psp"},
            "encryption": {"allow_plaintext": True},
        }
    )
    assert isinstance(make_codec(allowed), GuardedPlainTextCodec)
    with pytest.raises(ConfigError, match="secrets are not read from the config"):
        make_codec(parse_settings({"encryption": {"key": "k1:AAAA"}}))


def test_embedded_sqlite_creates_a_private_key_file_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli_encryption import make_codec

    for env in ("PSP_BOT_ENCRYPTION_KEY", "PSP_BOT_ENCRYPTION_KEYS"):
        monkeypatch.delenv(env, raising=False)
    settings = parse_settings({"bot": {"data_dir": str(tmp_path / "data")}})
    first = make_codec(settings)
    key_file = tmp_path / "data" / "encryption.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert str(key_file) in capsys.readouterr().err
    second = make_codec(settings)
    assert capsys.readouterr().err == ""  # said once, on creation
    sealed = first.seal("tekst", aad="cases/1/PSP-2026-0001/summary")
    assert second.unseal(sealed, aad="cases/1/PSP-2026-0001/summary") == "tekst"


def test_a_malformed_key_names_the_problem_not_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli_encryption import make_codec

    monkeypatch.setenv("PSP_BOT_ENCRYPTION_KEY", "k1:c2hvcnQ=")
    with pytest.raises(ConfigError, match="must be 32 bytes") as caught:
        make_codec(parse_settings({}))
    assert "c2hvcnQ" not in str(caught.value)


# --- `psp-bot keys rotate` from the command line -----------------------------------------


async def cli(config: Path, *args: str) -> int:
    from bot.cli import main

    return await asyncio.to_thread(main, ["--config", str(config), *args])


async def test_cli_rotation_adds_a_key_and_resumes_an_interrupted_run(
    engine: AsyncEngine,
    clock: FakeClock,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for env in ("PSP_BOT_ENCRYPTION_KEY", "PSP_BOT_ENCRYPTION_KEYS"):
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("PSP_BOT_DATABASE_URL", database_url)
    key_file = tmp_path / "keys" / "psp.keys"
    write_key_file(key_file, keyring(("k1", 1)))
    config = tmp_path / "psp.toml"
    config.write_text(
        f'[bot]\ndata_dir = "{tmp_path / "data"}"\n[encryption]\nkey_file = "{key_file}"\n',
        encoding="utf-8",
    )
    h, _sender = await secure_harness(engine, clock)
    for number in range(5):
        await h.text("anna", f"flag normal case {number} {MARKER}")
    assert await cli(config, "keys", "rotate", "--batch", "2") == 0
    out = capsys.readouterr()
    rotated = read_key_file(key_file)
    assert list(rotated.keys) == ["k1", rotated.current]
    assert f"everything is under key {rotated.current}" in out.out
    assert "100%" in out.err  # the progress bar
    assert all(v.startswith(f"enc1:{rotated.current}:") for v in await stored_values(engine))
    # Interrupted half-way to a third key: the next `keys rotate` resumes, adds no key.
    third = rotated.with_new_key()
    write_key_file(key_file, third)
    with pytest.raises(KeyboardInterrupt):
        await reencrypt(engine, AesGcmCodec(third), at=clock.now(), batch=2, stop_after=2)
    assert await cli(config, "keys", "rotate") == 0
    assert f"resuming the unfinished rotation to key {third.current}" in capsys.readouterr().out
    assert read_key_file(key_file).keys.keys() == third.keys.keys()
    assert all(v.startswith(f"enc1:{third.current}:") for v in await stored_values(engine))
    # A wrong key file stops every command with one line.
    write_key_file(key_file, keyring(("k1", 1), (third.current, 5)))
    assert await cli(config, "purge", "--dry-run") == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "wrong key" in err
    # The audit chain holds no text: an auditor verifies it without any key.
    assert await cli(config, "audit", "verify") == 0
    assert "audit chains intact" in capsys.readouterr().out


# --- the codec itself -------------------------------------------------------------------


@given(text=st.text(), aad=st.text(min_size=1), other=st.text(min_size=1))
def test_sealed_text_opens_only_with_its_own_associated_data(
    text: str, aad: str, other: str
) -> None:
    codec = AesGcmCodec(keyring(("k1", 1)))
    sealed = codec.seal(text, aad=aad)
    assert sealed.startswith("enc1:k1:")
    assert codec.unseal(sealed, aad=aad) == text
    if other != aad:
        with pytest.raises(SealedTextError):
            codec.unseal(sealed, aad=other)


def test_a_tampered_ciphertext_is_refused() -> None:
    codec = AesGcmCodec(keyring(("k1", 1)))
    sealed = codec.seal("Borger truer naboer", aad="cases/1/PSP-2026-0001/summary")
    flipped = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    for bad in (flipped, sealed[:-8], "enc1:k1:***", "enc1:k1"):
        with pytest.raises(SealedTextError):
            codec.unseal(bad, aad="cases/1/PSP-2026-0001/summary")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "holds no key"),
        ("k1", "entry 1 must be <key-id>:<base64 key>"),
        ("k 1:AAAA", "entry 1 must be"),
        ("k1:not base64!", "key 'k1' is not valid base64"),
        ("k1:" + "A" * 44 + " k1:" + "A" * 44, "key 'k1' must be 32 bytes"),
        (
            "k1:"
            + base64.b64encode(b"\0" * 32).decode() * 1
            + "\nk1:"
            + base64.b64encode(b"\0" * 32).decode(),
            "appears twice",
        ),
    ],
)
def test_a_bad_keyring_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(KeyringError, match=message):
        Keyring.parse(text, source="PSP_BOT_ENCRYPTION_KEY")


def test_a_key_file_others_can_read_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "keys"
    write_key_file(path, keyring(("k1", 1)))
    assert read_key_file(path).current == "k1"
    assert not caplog.records
    path.chmod(0o644)
    read_key_file(path)
    assert "can be read by other users (mode 644)" in caplog.text
    assert base64.b64encode(b"\1" * 32).decode() not in caplog.text
