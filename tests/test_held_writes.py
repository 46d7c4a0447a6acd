"""PostgreSQL: a command's writes whose results it does not read are held back and sent with
its last statement (storage/direct.py), so that a command is its reads and one write, without
BEGIN and COMMIT round trips. What the user must not notice: anything else."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Agency, Case, CaseStatus, Group, Platform, Urgency
from bot.messages import Incoming
from bot.ports import ConcurrentUpdateError, UnitOfWork
from bot.ports.delivery import Outgoing, SendResult, Sent
from storage import direct
from storage.held_sql import with_held
from storage.repositories import ACKS, NOTES
from tests.conftest import Harness


@pytest.mark.unit
def test_held_statements_become_with_clauses_numbered_after_the_statement() -> None:
    held = (("INSERT INTO a (x) VALUES ($1)", 1), ("UPDATE b SET y = $1 WHERE id = $2", 2))
    assert with_held("INSERT INTO c (z) VALUES ($1) RETURNING id", 1, held) == (
        "WITH held_0 AS (INSERT INTO a (x) VALUES ($2)),"
        " held_1 AS (UPDATE b SET y = $3 WHERE id = $4)"
        " INSERT INTO c (z) VALUES ($1) RETURNING id"
    )
    # A statement with WITH clauses of its own keeps them, after the held ones.
    assert with_held("WITH h AS (SELECT $1) INSERT INTO c SELECT * FROM h", 1, held[:1]) == (
        "WITH held_0 AS (INSERT INTO a (x) VALUES ($2)), h AS (SELECT $1)"
        " INSERT INTO c SELECT * FROM h"
    )
    with pytest.raises(ValueError):
        with_held("SELECT 1", 0, (("DO $$ BEGIN END $$", 0),))


class Statements:
    """How many statements and BEGINs reach PostgreSQL."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent = 0
        self.begun = 0
        run = direct._asyncpg
        begin: Any = AsyncAdapt_asyncpg_connection._start_transaction

        async def counted_run(*args: Any) -> Any:
            self.sent += 1
            return await run(*args)

        async def counted_begin(adapted: Any) -> None:
            if adapted.isolation_level != "autocommit":  # where it sends BEGIN
                self.begun += 1
            await begin(adapted)

        monkeypatch.setattr(direct, "_asyncpg", counted_run)
        monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "_start_transaction", counted_begin)

    async def of(self, say: Callable[[], Any]) -> tuple[int, int]:
        self.sent = self.begun = 0
        await say()
        return self.sent, self.begun


async def ok(h: Harness, user: str, line: str) -> str:
    replies = await h.say(user, line)
    assert replies and replies[0].kind.value != "error", line
    return "\n".join(r.text for r in replies)


async def command(h: Harness, user: str, line: str) -> None:
    """The command alone, as the core handles it, without the delivery of its answer."""
    replies = await h.core.handle(Incoming(Platform.CONSOLE, "console", user, line, locale="en"))
    assert replies and replies[0].kind.value != "error", line


async def test_a_command_is_its_reads_and_one_write(
    pg_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await ok(pg_harness, "anna", "flag urgent Borger har brug for hjælp #housing")
    count = Statements(monkeypatch)
    # Statements sent, BEGINs: reads outside a transaction, then one statement that writes
    # the case's records, the audit row and the answer, and commits by itself.
    for user, line, statements in [
        # The case's id comes from ids this process took a batch at a time, with an earlier flag.
        ("anna", "flag acute Borger truer #threat", 2),
        # The case a command names is read with the room's context.
        ("bo", "ack PSP-2026-0002", 2),
        ("carl", "note PSP-2026-0002 'Ringede'", 2),
        # A decision is numbered from its case's read, as a note is.
        ("carl", "decide PSP-2026-0002 'Besøg' --owner police", 2),
        ("bo", "show PSP-2026-0002", 3),
        ("bo", "show psp-2026-0002", 3),  # the ref as typed, read along as Context.case reads it
        ("bo", "list", 3),
    ]:
        sent = await count.of(functools.partial(command, pg_harness, user, line))
        assert sent == (statements, 0), line
    shown = await ok(pg_harness, "bo", "show PSP-2026-0002")
    assert "Ringede" in shown and "Besøg" in shown


async def test_a_delivered_answer_is_settled_in_one_statement_with_its_message_id(
    pg_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the sends, the rows marked delivered and the id the message was posted under
    (for the edits and threads to come) go out as one statement, without BEGIN and COMMIT."""
    await ok(pg_harness, "anna", "flag urgent Borger har brug for hjælp #housing")
    posted: list[str] = []

    class Chat:
        """Answers with the id it posted the message under, as Matrix and Slack do."""

        async def send(self, message: Outgoing) -> SendResult:
            posted.append(message.reply.text)
            return Sent(message_id=f"m{len(posted)}")

    delivery = pg_harness.router.delivery
    delivery.attach(Platform.CONSOLE, Chat())
    count = Statements(monkeypatch)
    for user, line, statements, begun in [
        ("anna", "flag acute Borger truer #threat", 1, 0),  # the alert's id is kept
        ("bo", "show PSP-2026-0002", 1, 0),
        # The alert's id and the thread's looked up; two ids kept: the second id waits for
        # the first (ids in the order written), in a transaction with BEGIN and COMMIT.
        ("bo", "ack PSP-2026-0002", 4, 1),
    ]:
        incoming = Incoming(Platform.CONSOLE, "console", user, line, locale="en")
        handled = await pg_harness.core.handle_for_delivery(incoming)
        assert handled.claimed, line
        sent = await count.of(functools.partial(delivery.deliver_claimed, handled.claimed))
        assert sent == (statements, begun), line
    async with pg_harness.uow_factory() as uow:
        assert await uow.outbox.next_attempt([Platform.CONSOLE]) is None  # all delivered
    assert pg_harness.engine is not None
    async with pg_harness.engine.connect() as conn:  # every message's id kept, as before
        kept = await conn.scalar(text("SELECT count(*) FROM posted_messages"))
    assert kept == len(posted)


async def test_a_full_page_of_the_list_brings_its_count_in_the_same_statement(
    pg_harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(30):
        await ok(pg_harness, "anna", f"flag urgent Borger {i} har brug for hjælp")
    count = Statements(monkeypatch)
    replies: list[str] = []

    async def listing(line: str) -> None:
        incoming = Incoming(Platform.CONSOLE, "console", "bo", line, locale="en")
        replies.append("\n".join(r.text for r in await pg_harness.core.handle(incoming)))

    # The room, the page with its count, the audit row with the answer.
    assert await count.of(functools.partial(listing, "list")) == (3, 0)
    assert replies[-1].splitlines()[0].endswith(": 30")
    assert "--page 2" in replies[-1]
    assert await count.of(functools.partial(listing, "list --page 2")) == (3, 0)
    # Past the last page no row carries the count: it is asked for on its own.
    assert await count.of(functools.partial(listing, "list --page 3")) == (4, 0)
    assert "30" in replies[-1]


async def test_what_is_held_is_read_back_before_any_other_statement(pg_harness: Harness) -> None:
    await ok(pg_harness, "anna", "flag urgent Borger har brug for hjælp #housing")
    async with pg_harness.uow_factory() as uow:
        group, case = await first_case(uow)
        carl = await uow.members.find(group.id, Platform.CONSOLE, "carl")
        assert carl is not None
        await uow.cases.add_note(
            case.id, text="Ringede", by_member=carl.id, at=pg_harness.clock.now()
        )
        await uow.cases.add_acknowledgement(
            case.id, agency=Agency.SOCIAL, member_id=None, at=pg_harness.clock.now()
        )
        conn = uow.connection  # type: ignore[attr-defined]
        # Through SQLAlchemy and straight on the driver, each sees the held writes.
        notes = (await conn.execute(select(func.count()).select_from(NOTES))).scalar_one()
        assert notes == 1
        assert [n.text for n in await uow.cases.notes(case.id)] == ["Ringede"]
        await uow.rollback()
    async with pg_harness.uow_factory() as uow:
        conn = uow.connection  # type: ignore[attr-defined]
        assert (await conn.execute(select(func.count()).select_from(NOTES))).scalar_one() == 0
        acks = (await conn.execute(select(func.count()).select_from(ACKS))).scalar_one()
        assert acks == 1  # the flagging agency's own


async def test_a_clash_at_the_last_statement_keeps_nothing_of_the_command(
    pg_harness: Harness,
) -> None:
    await ok(pg_harness, "anna", "flag urgent Borger har brug for hjælp #housing")
    engine = pg_harness.engine
    assert engine is not None
    before = await _counts(engine)
    with pytest.raises(ConcurrentUpdateError):
        async with pg_harness.uow_factory() as uow:
            group = await uow.groups.get_by_name("Demo")
            assert group is not None
            case = await uow.cases.get_by_ref(group.id, "PSP-2026-0001")
            assert case is not None
            await uow.cases.add_acknowledgement(
                case.id, agency=Agency.SOCIAL, member_id=None, at=pg_harness.clock.now()
            )
            await uow.cases.save(case, expected_version=case.version)
            await uow.audit.record(
                at=pg_harness.clock.now(),
                action="case.ack",
                actor_member_id=None,
                group_id=group.id,
                case_id=case.id,
                binding_id=None,
            )
            # Meanwhile the social services' acknowledgement arrives from another process.
            async with pg_harness.uow_factory() as other:
                await other.cases.add_acknowledgement(
                    case.id, agency=Agency.SOCIAL, member_id=None, at=pg_harness.clock.now()
                )
                await other.commit()
            await uow.commit()
    after = await _counts(engine)
    assert after == {**before, "acknowledgements": before["acknowledgements"] + 1}


async def test_a_save_from_a_stale_version_is_refused_at_its_statement(pg_harness: Harness) -> None:
    await ok(pg_harness, "anna", "flag urgent Borger har brug for hjælp #housing")
    async with pg_harness.uow_factory() as uow:
        _group, case = await first_case(uow)
    await ok(pg_harness, "bo", "take PSP-2026-0001")
    with pytest.raises(ConcurrentUpdateError):
        async with pg_harness.uow_factory() as uow:
            stale = replace(case, status=CaseStatus.CLOSED, updated_at=case.updated_at)
            await uow.cases.save(stale, expected_version=case.version)
            await uow.commit()
    shown = await ok(pg_harness, "bo", "show PSP-2026-0001")
    assert "social" in shown.lower() and "closed" not in shown.lower()


async def test_flags_at_the_same_moment_get_numbers_of_their_own(pg_harness: Harness) -> None:
    await ok(pg_harness, "anna", "flag urgent Borger har brug for hjælp #housing")
    users = ["anna", "bo", "carl", "dina", "erik"] * 4
    answers = await asyncio.gather(
        *(ok(pg_harness, user, f"flag normal Borger {i} #housing") for i, user in enumerate(users))
    )
    refs = {line.split()[1] for answer in answers for line in answer.splitlines()[:1]}
    assert len(answers) == 20
    listed = await ok(pg_harness, "bo", "list open --page 1")
    engine = pg_harness.engine
    assert engine is not None
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT ref FROM cases ORDER BY ref"))).scalars().all()
    assert rows == [f"PSP-{pg_harness.clock.now().year}-{n:04d}" for n in range(1, 22)], (
        refs,
        listed,
    )


async def test_a_stale_case_counter_is_refused_and_the_flag_runs_again(pg_harness: Harness) -> None:
    await ok(pg_harness, "anna", "flag urgent Borger har brug for hjælp #housing")
    year = pg_harness.clock.now().year
    with pytest.raises(ConcurrentUpdateError):
        async with pg_harness.uow_factory() as uow:
            found = await uow.groups.room_context(Platform.CONSOLE, "console", "anna")
            assert found is not None
            _, group, anna = found
            assert anna is not None
            number = await uow.groups.next_case_number(group.id, year)
            assert number == 2
            await ok(pg_harness, "bo", "flag normal Borger #housing")  # takes number 2 meanwhile
            await uow.cases.add(
                group_id=group.id,
                ref=f"PSP-{year}-{number:04d}",
                urgency=Urgency.NORMAL,
                summary="s",
                tags=(),
                flagged_by=anna.id,
                flagging_agency=anna.agency,
                at=pg_harness.clock.now() + timedelta(seconds=1),
            )
            await uow.commit()
    # As a command, the same race ends in a retry that numbers the case anew.
    assert "PSP-" + str(year) + "-0003" in await ok(
        pg_harness, "anna", "flag normal Borger #housing"
    )


async def first_case(uow: UnitOfWork) -> tuple[Group, Case]:
    group = await uow.groups.get_by_name("Demo")
    assert group is not None
    case = await uow.cases.get_by_ref(group.id, "PSP-2026-0001")
    assert case is not None
    return group, case


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    tables = ("cases", "acknowledgements", "notes", "audit_log", "outbox")
    async with engine.connect() as conn:
        return {
            table: int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
            for table in tables
        }


async def test_an_event_claimed_elsewhere_meanwhile_is_not_handled_twice(
    pg_harness: Harness,
) -> None:
    now = pg_harness.clock.now()
    with pytest.raises(ConcurrentUpdateError):
        async with pg_harness.uow_factory() as uow:
            assert await uow.events.claim(Platform.MATRIX, "$event", at=now)
            # Another process handles the same event and commits first.
            async with pg_harness.uow_factory() as other:
                assert await other.events.claim(Platform.MATRIX, "$event", at=now)
                await other.commit()
            await uow.commit()
    # The command's second run finds the event taken and does nothing.
    async with pg_harness.uow_factory() as uow:
        assert not await uow.events.claim(Platform.MATRIX, "$event", at=now)
