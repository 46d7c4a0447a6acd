"""Structured outcomes: every close names one from a fixed list, in Danish or English."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from bot.domain import GroupId
from bot.domain.outcome import Outcome
from bot.evaluation.gather import gather
from bot.evaluation.period import year_period
from bot.scheduling.timing import WorkingHours
from tests.conftest import Harness
from tests.test_rules import refused

REF = "PSP-2026-0001"


async def _taken_case(h: Harness) -> None:
    await h.text("anna", "flag acute Borger truer naboer")
    await h.text("carl", f"take {REF}")


async def test_close_without_or_with_an_unknown_outcome_lists_the_valid_ones(
    harness: Harness,
) -> None:
    await _taken_case(harness)
    await refused(harness, "carl", f"close {REF} løst", "--outcome CODE, one of: treatment-started")
    await refused(harness, "carl", f"close {REF} løst --outcome cured", "Unknown outcome «cured»")
    await refused(harness, "carl", f"close {REF} løst --outcome cured", "not-target-group")
    harness.locale = "da"
    await refused(harness, "carl", f"luk {REF} løst", "--udfald KODE, en af:")


async def test_danish_and_english_codes_close_alike_and_are_audited(harness: Harness) -> None:
    await _taken_case(harness)
    assert "closed" in await harness.text("carl", f"luk {REF} løst --udfald ikke-målgruppe")
    async with harness.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT event, outcome FROM case_closures"))).all()
        audit = (
            await conn.execute(text("SELECT detail FROM audit_log WHERE action = 'case.close'"))
        ).scalar_one()
    assert [tuple(r) for r in rows] == [("close", "not-target-group")]
    assert audit == "outcome=not-target-group"


async def test_help_close_lists_the_outcomes(harness: Harness) -> None:
    out = await harness.text("anna", "help close")
    assert "--outcome CODE" in out and "moved-away" in out and "ordinary-services" in out
    harness.locale = "da"
    out = await harness.text("anna", "help luk")
    assert "--udfald KODE" in out and "fraflyttet" in out and "almindelige-tilbud" in out


async def test_cases_closed_before_outcomes_count_as_not_recorded(harness: Harness) -> None:
    await _taken_case(harness)
    await harness.text("carl", f"close {REF} løst --outcome other")
    async with harness.engine.begin() as conn:
        await conn.execute(text("DELETE FROM case_closures"))
    harness.clock.set(datetime(2027, 1, 15, tzinfo=UTC))
    async with harness.uow_factory() as uow:
        group = await uow.groups.get(GroupId(1))
        assert group is not None
        evaluation = await gather(
            uow,
            [group],
            year_period(2026),
            hours=WorkingHours(),
            now=harness.clock.now(),
            each_group=False,
        )
    assert evaluation.overall.outcomes == {None: 1}
    assert Outcome.OTHER not in evaluation.overall.outcomes
