"""Every list, agenda and report fits one chat message however much the group has stored:
`list` pages and narrows, the agenda and the daily follow-up are capped by priority and say
how many more there are, and counts stop at "more than 500". On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bounds import MAX_REPLY_CHARS
from storage.models import CaseRow, CaseSequenceRow, DecisionRow, EscalationRow
from tests.conftest import Harness
from tests.scheduler_support import Driver

DEMO = 1
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def ref(number: int) -> str:
    return f"PSP-2026-{number:04d}"


async def stored_cases(engine: AsyncEngine, count: int, *, police_every: int = 0) -> None:
    """`count` open urgent cases stored as years of use would leave them (oldest first)."""
    rows: list[dict[str, Any]] = [
        {
            "group_id": DEMO,
            "ref": ref(number),
            "urgency": "urgent",
            "urgency_rank": 1,
            "summary": f"case {number} about a citizen at risk",
            "tags": "",
            "status": "open",
            "flagging_agency": "social",
            "responsible": "police" if police_every and number % police_every == 0 else None,
            "created_at": START - timedelta(days=400) + timedelta(minutes=number),
            "updated_at": START,
            "version": 1,
        }
        for number in range(1, count + 1)
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(CaseRow), rows)
        await conn.execute(insert(CaseSequenceRow).values(group_id=DEMO, year=2026, last=count))


async def test_list_shows_a_page_counts_no_further_than_500_and_says_how_to_go_on(
    harness: Harness,
) -> None:
    await stored_cases(harness.engine, 620, police_every=10)
    first = await harness.text("bo", "list")
    lines = first.splitlines()
    assert lines[0] == "open cases: more than 500"
    assert [line.split()[1] for line in lines[1:26]] == [ref(n) for n in range(1, 26)]
    assert lines[-1] == (
        "… and more than 475 more: `list open --page 2`, or narrow with `--agency <agency>`."
    )
    second = (await harness.text("bo", "list open --page 2")).splitlines()
    assert second[0] == "open cases: more than 500 (page 2)"
    assert second[1].split()[1] == ref(26)
    danish = await harness.text("bo", "liste åbne --side 2")
    assert danish.splitlines()[1] == second[1]
    police = (await harness.text("bo", "list --agency police")).splitlines()
    assert police[0] == "open cases held by police: 62"
    assert [line.split()[1] for line in police[1:3]] == [ref(10), ref(20)]
    assert police[-1].startswith("… and 37 more: `list open --page 2`")
    last = (await harness.text("bo", "list --agency police --page 3")).splitlines()
    assert len(last) == 1 + 12 and not last[-1].startswith("…")
    for answer in (first, "\n".join(second), "\n".join(police)):
        assert len(answer) < MAX_REPLY_CHARS / 2


async def test_paging_beyond_what_is_counted_or_a_bad_page_gets_one_line(
    harness: Harness,
) -> None:
    await stored_cases(harness.engine, 30)
    assert "Only the first 500 cases can be paged through" in await harness.text(
        "bo", "list --page 21"
    )
    assert await harness.text("bo", "list --page 3") == "No open cases on page 3; there are 30."
    assert "«zwei» is not a page number" in await harness.text("bo", "list --page zwei")
    assert "`list mine` already shows your agency's cases" in await harness.text(
        "bo", "list mine --agency police"
    )


async def count_statements(harness: Harness, user: str, text: str) -> tuple[int, str]:
    statements: list[str] = []

    def seen(*_args: object) -> None:
        statements.append("")

    event.listen(harness.engine.sync_engine, "before_cursor_execute", seen)
    try:
        answer = await harness.text(user, text)
    finally:
        event.remove(harness.engine.sync_engine, "before_cursor_execute", seen)
    return len(statements), answer


async def test_the_agenda_is_capped_by_priority_and_reads_a_fixed_number_of_queries(
    harness: Harness,
) -> None:
    await stored_cases(harness.engine, 40)
    await harness.text("erik", "meeting schedule 2026-12-01 09:00 --every month")
    small, _ = await count_statements(harness, "bo", "meeting agenda")
    await stored_cases_more(harness.engine, first=41, count=560)
    async with harness.engine.begin() as conn:
        await conn.execute(
            insert(DecisionRow),
            [
                {
                    "case_id": case_id,
                    "number": 1,
                    "text": f"visit {case_id}",
                    "owner": "social",
                    "due": date(2026, 11, 1) + timedelta(days=case_id % 20),
                    "created_at": START,
                }
                for case_id in range(1, 31)
            ],
        )
        await conn.execute(
            insert(EscalationRow),
            [
                {"group_id": DEMO, "number": n, "text": f"systemic problem {n}", "at": START}
                for n in range(1, 16)
            ],
        )
    large, agenda = await count_statements(harness, "bo", "meeting agenda")
    assert large == small  # no query per listed case
    assert len(agenda) < MAX_REPLY_CHARS
    assert "Open cases (more than 500):" in agenda
    assert "… and more than 480 more" in agenda  # 20 cases shown (the default cap)
    decision_rows = [line for line in agenda.splitlines() if ": visit " in line]
    assert len(decision_rows) == 20 and "visit 20" in decision_rows[0]  # most overdue first
    assert "… and 10 more" in agenda
    escalation_rows = [line for line in agenda.splitlines() if "systemic problem" in line]
    assert len(escalation_rows) == 10 and "… and 5 more" in agenda
    # Unacknowledged agencies are still named on every listed case.
    assert agenda.count("not acknowledged: police, social services, psychiatry") == 20


async def stored_cases_more(engine: AsyncEngine, *, first: int, count: int) -> None:
    rows = [
        {
            "group_id": DEMO,
            "ref": ref(number),
            "urgency": "normal",
            "urgency_rank": 2,
            "summary": f"case {number}",
            "tags": "",
            "status": "open",
            "flagging_agency": "social",
            "created_at": START - timedelta(days=10),
            "updated_at": START,
            "version": 1,
        }
        for number in range(first, first + count)
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(CaseRow), rows)
        await conn.execute(
            update(CaseSequenceRow)
            .where(CaseSequenceRow.group_id == DEMO)
            .values(last=first + count - 1)
        )


async def test_the_daily_decision_follow_up_is_capped(harness: Harness) -> None:
    await stored_cases(harness.engine, 60)
    async with harness.engine.begin() as conn:
        await conn.execute(
            insert(DecisionRow),
            [
                {
                    "case_id": case_id,
                    "number": 1,
                    "text": "a long decision text " * 8,
                    "owner": "social",
                    "due": date(2026, 11, 2) + timedelta(days=case_id % 15),
                    "fallback": "police welfare check",
                    "fallback_owner": "police",
                    "created_at": START,
                }
                for case_id in range(1, 61)
            ],
        )
    driver = Driver(harness)
    posted = await driver.run_until(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    reports = [p.reply.text for p in posted if "Decision follow-up" in p.reply.text]
    assert reports
    report = reports[0]
    assert len(report) < MAX_REPLY_CHARS
    assert sum(line.startswith("• PSP-") for line in report.splitlines()) == 15
    assert "… and 45 more" in report
    assert report.count("the fallback now applies") == 10


async def test_show_of_a_case_with_years_of_notes_fits_one_message(harness: Harness) -> None:
    await harness.text("anna", "flag urgent stopped taking medication")
    for number in range(120):
        await harness.text("bo", f"note PSP-2026-0001 'visit {number}: " + "talked " * 12 + "'")
    shown = await harness.text("bo", "show PSP-2026-0001")
    assert len(shown) <= MAX_REPLY_CHARS
    assert shown.splitlines()[-1].endswith(
        "more lines left out: the answer would be too long for one chat message."
    )
