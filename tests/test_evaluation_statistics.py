"""The evaluation's figures, computed from a record built through the commands, on SQLite and
PostgreSQL; small counts suppressed at 4 and shown at 5."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import Agency, GroupId, Tag, Urgency
from bot.domain.outcome import Outcome
from bot.evaluation.gather import gather
from bot.evaluation.period import period_of, year_period
from bot.evaluation.suppression import shown_count, shown_derived, shown_share
from bot.evaluation.worktime import median, percentile_90, working_seconds
from bot.scheduling.timing import WorkingHours
from tests.conftest import Harness
from tests.evaluation_support import build_year

END_OF_YEAR = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)


async def _evaluate(h: Harness, period=None):  # type: ignore[no-untyped-def]
    async with h.uow_factory() as uow:
        group = await uow.groups.get(GroupId(1))
        assert group is not None
        return await gather(
            uow,
            [group],
            period or year_period(2026),
            hours=WorkingHours(),
            now=h.clock.now(),
            each_group=False,
        )


async def test_figures_of_a_year_match_what_the_group_did(harness: Harness) -> None:
    await build_year(harness)
    harness.clock.set(END_OF_YEAR)
    stats = (await _evaluate(harness)).overall
    assert stats.flagged == 9
    assert stats.by_month["2026-03"] == {Urgency.ACUTE: 5}
    assert stats.by_month["2026-04"] == {Urgency.URGENT: 4}
    assert stats.by_month["2026-12"] == {}
    assert stats.by_agency == {Agency.POLICE: 5, Agency.SOCIAL: 4}
    assert stats.tags == {Tag.THREAT: 5, Tag.HOUSING: 4}
    # Case 5 was reopened: four cases are closed at the end of the year.
    assert stats.closed == 4
    assert stats.outcomes == {Outcome.TREATMENT_STARTED: 3, Outcome.HOUSING_SECURED: 1}
    assert stats.responsible_at_close == {Agency.PSYCHIATRY: 4}
    assert stats.reopened == 1
    social = stats.to_acknowledgement[Agency.SOCIAL]
    assert social.count == 5 and median(social.calendar) == 3600
    assert median(social.working) == 3600  # flagged at 10:00 local on working days
    psychiatry = stats.to_acknowledgement[Agency.PSYCHIATRY]
    # Four acknowledged after half an hour; five more by taking responsibility after two
    # hours (taking a case is acknowledging it).
    assert psychiatry.count == 9 and sorted(psychiatry.calendar).count(1800) == 4
    assert median(psychiatry.calendar) == 7200
    assert stats.to_responsibility.count == 6
    # Five taken after two hours, one after six: the 90th percentile is the slowest.
    assert median(stats.to_responsibility.calendar) == 7200
    assert percentile_90(stats.to_responsibility.calendar) == 21600
    # The fourth and fifth flag came after 16:00 local: no working time passed before take.
    assert sorted(stats.to_responsibility.working)[:2] == [0, 0]
    assert stats.declined == {Agency.POLICE: 1}
    assert stats.decisions_made == 2
    assert (stats.decisions_due, stats.done_on_time, stats.overdue) == (2, 1, 1)
    assert (stats.systemic_raised, stats.systemic_answered) == (2, 0)
    assert stats.open_at_end == 5


async def test_counts_of_four_are_suppressed_and_five_are_shown(harness: Harness) -> None:
    await build_year(harness)
    harness.clock.set(END_OF_YEAR)
    stats = (await _evaluate(harness)).overall
    assert shown_count(stats.tags[Tag.THREAT]) == "5"
    assert shown_count(stats.tags[Tag.HOUSING]) == "<5"
    assert shown_count(stats.by_agency[Agency.SOCIAL]) == "<5"
    assert shown_count(0) == "0"
    social = stats.to_acknowledgement[Agency.SOCIAL]
    psychiatry = stats.to_acknowledgement[Agency.PSYCHIATRY]
    hours = lambda s: f"{s / 3600:.1f}"  # noqa: E731
    assert shown_derived(social.count, median(social.calendar), hours) == "1.0"
    assert shown_derived(psychiatry.count, median(psychiatry.calendar), hours) == "2.0"
    # A figure derived from four cases is withheld, from five it is shown.
    assert shown_derived(4, median(social.calendar), hours) == "*"
    assert shown_derived(5, median(social.calendar), hours) == "1.0"
    assert shown_share(stats.done_on_time, stats.decisions_due) == "*"
    assert shown_share(5, 10) == "50 %"


async def test_a_period_before_any_case_is_empty(harness: Harness) -> None:
    await build_year(harness)
    evaluation = await _evaluate(
        harness, period_of(datetime(2025, 1, 1).date(), datetime(2025, 12, 31).date())
    )
    assert evaluation.empty


def test_working_time_counts_only_working_hours_in_the_groups_zone() -> None:
    hours = WorkingHours()
    # Friday 15:30 Copenhagen to Monday 09:00: half an hour on Friday, one on Monday.
    friday = datetime(2026, 3, 6, 14, 30, tzinfo=UTC)
    monday = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    assert working_seconds(friday, monday, hours=hours, timezone="Europe/Copenhagen") == 5400
    # Two whole weeks later: ten working days more.
    later = monday + timedelta(weeks=2)
    assert working_seconds(friday, later, hours=hours, timezone="Europe/Copenhagen") == (
        5400 + 10 * 8 * 3600
    )
    # Across the change to summer time, 08:00 UTC is 10:00 on the wall clock.
    after_dst = monday + timedelta(weeks=3)
    assert working_seconds(friday, after_dst, hours=hours, timezone="Europe/Copenhagen") == (
        5400 + 15 * 8 * 3600 + 3600
    )
    assert working_seconds(monday, friday, hours=hours, timezone="Europe/Copenhagen") == 0
