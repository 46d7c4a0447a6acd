"""Absence (`away until`, `back`), duty contacts (`member add … duty`) and `duty`: what the
members see, in the alert too; every bad input one clear line that changes nothing. On the
in-memory fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.messages import ReplyKind
from tests.conftest import Harness
from tests.test_rules import REF, refused

# Friday 27 November 2026, 22:40 in Copenhagen (CET, UTC+1).
FRIDAY_NIGHT = datetime(2026, 11, 27, 21, 40, tzinfo=UTC)


async def with_duty_desks(h: Harness) -> None:
    for command in ("member add @politivagt police duty", "member add @psykvagt psykiatri vagt"):
        replies = await h.say("erik", command)
        assert replies[0].kind is ReplyKind.ANSWER, replies


def alert_of(replies: list) -> object:  # type: ignore[type-arg]
    return next(r for r in replies if r.kind is ReplyKind.ALERT)


async def test_an_absent_representatives_deputy_is_mentioned_in_the_first_alert(
    core: Harness,
) -> None:
    h = core
    answer = await h.text("anna", "away until 2026-12-04 --deputy @dina")
    assert answer == "anna is away through 2026-12-04; dina will be mentioned instead."
    listed = await h.text("erik", "member list")
    assert "anna (console) · away through 2026-12-04 (dina stands in)" in listed
    alert = alert_of(await h.say("bo", "flag acute Borger truer naboer"))
    mentioned = [m.user_id for m in alert.mentions]  # type: ignore[attr-defined]
    assert "dina" in mentioned and "anna" not in mentioned
    assert "anna is away: dina notified instead." in alert.text  # type: ignore[attr-defined]
    # Back: mentioned again, and the member list says nothing of absence.
    assert await h.text("anna", "back") == "Welcome back, anna: alerts mention you again."
    assert "away" not in await h.text("erik", "member list")
    alert = alert_of(await h.say("bo", "flag acute Endnu en sag"))
    assert "anna" in [m.user_id for m in alert.mentions]  # type: ignore[attr-defined]
    assert await h.text("anna", "back") == "anna is not marked away; nothing changed."


async def test_absence_ends_by_itself(core: Harness) -> None:
    h = core
    await h.text("carl", "away until 2026-11-24")
    assert "away through 2026-11-24" in await h.text("erik", "member list")
    h.clock.set(datetime(2026, 11, 24, 23, 30, tzinfo=UTC))  # 00:30 on the 25th locally
    assert "away" not in await h.text("erik", "member list")


async def test_away_in_danish(core: Harness) -> None:
    h = core
    h.locale = "da"
    answer = await h.text("anna", "fraværende indtil 2026-12-04 --stedfortræder @dina")
    assert answer == "anna er fraværende til og med 2026-12-04; dina nævnes i stedet."
    assert "fraværende til og med 2026-12-04" in await h.text("erik", "medlem liste")
    assert await h.text("anna", "tilbage") == "Velkommen tilbage, anna: alarmer nævner dig igen."


async def test_out_of_hours_acute_alert_reaches_the_duty_contacts_and_says_so(
    core: Harness,
) -> None:
    h = core
    await with_duty_desks(h)
    h.clock.set(FRIDAY_NIGHT)
    alert = alert_of(await h.say("bo", "flag acute Borger truer naboer"))
    mentioned = {m.user_id for m in alert.mentions}  # type: ignore[attr-defined]
    assert mentioned == {"anna", "carl", "politivagt", "psykvagt"}
    assert "Outside working hours: duty contacts notified (police, psychiatry)." in (
        alert.text  # type: ignore[attr-defined]
    )
    # An acknowledgement rewrites the alert: it still says who was reached and why.
    replies = await h.say("politivagt", f"ack {REF}")
    rewrite = next(r for r in replies if r.edit_of)
    assert "Outside working hours: duty contacts notified" in rewrite.text


async def test_inside_working_hours_the_alert_is_as_before(core: Harness) -> None:
    h = core
    await with_duty_desks(h)
    alert = alert_of(await h.say("bo", "flag acute Borger truer naboer"))
    assert {m.user_id for m in alert.mentions} == {"anna", "carl"}  # type: ignore[attr-defined]
    assert "working hours" not in alert.text  # type: ignore[attr-defined]


async def test_duty_shows_who_an_acute_case_reaches_now(core: Harness) -> None:
    h = core
    await with_duty_desks(h)
    await h.text("carl", "away until 2026-12-01")
    inside = await h.text("bo", "duty")
    assert inside.splitlines()[0] == (
        "An acute case now (2026-11-23 10:00, inside working hours) reaches:"
    )
    assert "  police: anna" in inside
    h.clock.set(FRIDAY_NIGHT)
    night = (await h.text("bo", "duty")).splitlines()
    assert night[0] == "An acute case now (2026-11-27 22:40, outside working hours) reaches:"
    assert "  police: anna, politivagt (duty)" in night
    assert "  psychiatry: carl, psykvagt (duty)" in night
    assert "    carl away through 2026-12-01 → nobody present" in night
    assert any(line.startswith("    no duty contact registered") for line in night)
    h.locale = "da"
    assert "uden for arbejdstid" in await h.text("bo", "vagt")


@pytest.mark.parametrize(
    ("user", "command", "expected"),
    [
        ("anna", "away until 2026-11-20", "2026-11-20 has passed; give a day from today"),
        ("anna", "away until 2027-11-24", "is more than a year ahead; 2027-11-23 at the latest"),
        ("anna", "away until 2026-13-01", "2026-13-01"),
        ("anna", "away", "Missing date"),
        ("anna", "away until 2026-12-01 --deputy @bo", "bo is from social services"),
        ("anna", "away until 2026-12-01 --deputy @nobody", "@nobody is not a member"),
        ("anna", "away until 2026-12-01 --deputy @anna", "cannot stand in for yourself"),
        ("anna", "back now", "Too many arguments"),
        ("erik", "member add @kfvagt probation duty", "nobody from probation"),
        ("anna", "member add @x police duty", "lead"),
        ("erik", "page test", "No pager is configured"),
        ("anna", "page test", "lead"),
        ("erik", "page now", "test"),
    ],
)
async def test_bad_input_is_one_line_and_changes_nothing(
    core: Harness, user: str, command: str, expected: str
) -> None:
    await refused(core, user, command, expected)


async def test_a_deputy_who_is_away_too_is_refused(core: Harness) -> None:
    h = core
    await h.text("dina", "away until 2026-12-10")
    await refused(h, "anna", "away until 2026-12-01 --deputy @dina", "dina is away too")


@pytest.mark.parametrize("locale", ["da", "en"])
async def test_refusals_in_both_languages(core: Harness, locale: str) -> None:
    core.locale = locale
    expected = {"da": "er allerede gået", "en": "has passed"}[locale]
    await refused(core, "anna", "away until 2026-01-01", expected)


async def test_the_agenda_shows_who_is_away_on_the_meetings_day(core: Harness) -> None:
    h = core
    await h.text("erik", "meeting schedule 2026-12-01 09:00")
    await h.text("carl", "away until 2026-12-04")
    await h.text("bo", "away until 2026-11-30")
    agenda = await h.text("bo", "meeting agenda 1")
    assert "Away:\n- carl (psychiatry) through 2026-12-04" in agenda
    assert "- bo" not in agenda
