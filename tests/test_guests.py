"""Case-scoped guests: a GP, a housing association, probation or a colleague invited to one
case sees, notes and acknowledges that case and nothing else, until the access ends by itself
or is removed. Refusals in Danish and English change nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import Harness
from tests.test_rules import REF, flagged, refused

OTHER = "PSP-2026-0002"
INVITED = "gitte (GP) may now show, note and ack PSP-2026-0001 until 2026-12-23 inclusive"


async def invited(h: Harness, *extra: str) -> None:
    """REF and OTHER flagged; the lead invites gitte (a GP) to REF."""
    await flagged(h)
    assert OTHER in await h.text("anna", "flag urgent Naboklage om larm")
    assert INVITED.split(" until")[0] in await h.text(
        "erik", " ".join(("guest add", REF, "@gitte gp", *extra))
    )


async def test_a_guest_shows_notes_and_acks_their_case_and_nothing_else(harness: Harness) -> None:
    h = harness
    await invited(h)
    assert "Borger truer naboer" in await h.text("gitte", f"show {REF}")
    assert "note no. 1 saved" in await h.text("gitte", f'note {REF} "Lægen ringer i morgen"')
    assert "GP" in await h.text("gitte", f"ack {REF}")
    listed = await h.text("gitte", "list")
    assert REF in listed and OTHER not in listed and "Naboklage" not in listed
    # Another case answers exactly like a case that does not exist.
    other = await h.text("gitte", f"show {OTHER}")
    unknown = await h.text("gitte", "show PSP-2026-0999")
    assert other == unknown.replace("0999", "0002")
    await refused(h, "gitte", f"note {OTHER} x", "no case PSP-2026-0002")
    # The members read what the guest wrote, under the guest's name.
    assert "Lægen ringer i morgen (gitte," in await h.text("bo", f"show {REF}")
    trail = await h.text("erik", f"audit {REF}")
    assert "gitte (GP, guest) · read" in trail
    assert "gitte (GP, guest) · note added" in trail


@pytest.mark.parametrize(
    ("locale", "only"),
    [("en", "As a guest you can only"), ("da", "Som gæst kan du kun")],
)
async def test_a_guest_cannot_act_beyond_show_note_and_ack(
    harness: Harness, locale: str, only: str
) -> None:
    h = harness
    await invited(h)
    h.locale = locale
    for command in (
        f"take {REF}",
        f"assign {REF} gp",
        f"decide {REF} x",
        f"close {REF} x --outcome other",
        "flag acute x",
        "member list",
        "meeting agenda",
        "meeting list",
        f"audit {REF}",
        f"guest list {REF}",
        f"guest add {REF} @hans housing",
        "escalate x",
        "group authorities",
    ):
        await refused(h, "gitte", command, only)


async def test_access_ends_by_itself_and_with_guest_remove(harness: Harness) -> None:
    h = harness
    await invited(h, "--until", "2026-11-25")
    assert "until 2026-11-25" in await h.text("erik", f"guest list {REF}")
    h.clock.advance(timedelta(days=2, hours=13))  # 2026-11-25 23:00 in Copenhagen
    assert "Borger" in await h.text("gitte", f"show {REF}")
    h.clock.advance(timedelta(hours=2))
    await refused(h, "gitte", f"show {REF}", "not a member")
    await refused(h, "gitte", "list", "not a member")
    assert "has no guests" in await h.text("erik", f"guest list {REF}")
    assert "gitte (GP) may now" in await h.text("erik", f"guest add {REF} @gitte gp")
    assert "no longer has access" in await h.text("erik", f"guest remove {REF} @gitte")
    await refused(h, "gitte", f"show {REF}", "not a member")


async def test_updates_of_the_case_mention_its_guests(harness: Harness) -> None:
    h = harness
    await invited(h)
    replies = await h.say("anna", f"take {REF}")
    assert any("gitte" in {m.user_id for m in r.mentions} for r in replies)
    replies = await h.say("anna", f"take {OTHER}")
    assert not any("gitte" in {m.user_id for m in r.mentions} for r in replies)


async def test_the_responsible_agency_invites_and_removes_guests(harness: Harness) -> None:
    h = harness
    await flagged(h)
    await h.text("anna", f"take {REF}")
    assert "hans (housing association) may now" in await h.text(
        "dina", f"gæst tilføj {REF} @hans bolig --until 2026-12-01"
    )
    assert "hans (housing association, console) until 2026-12-01" in await h.text(
        "bo", f"guest list {REF}"
    )
    assert "no longer" in await h.text("anna", f"guest remove {REF} @hans")


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        (
            "en",
            (
                "only the lead can invite guests",
                "Only the lead or police, which holds responsibility for PSP-2026-0001",
                "2026-11-01 has already passed",
                "until 2026-12-23 at the latest",
                "bo is already a member of the group",
                "«@nobody» is not a guest of PSP-2026-0001",
                "is closed",
            ),
        ),
        (
            "da",
            (
                "kun tovholderen kan invitere gæster",
                "Kun tovholderen eller politi, der har ansvaret for PSP-2026-0001",
                "2026-11-01 er allerede passeret",
                "senest til 2026-12-23",
                "bo er allerede medlem af gruppen",
                "«@nobody» er ikke gæst i PSP-2026-0001",
                "er lukket",
            ),
        ),
    ],
)
async def test_guest_management_refusals_change_nothing(
    harness: Harness, locale: str, texts: tuple[str, ...]
) -> None:
    no_lead, not_responsible, past, far, member, not_guest, closed = texts
    h = harness
    await flagged(h)
    h.locale = locale
    await refused(h, "bo", f"guest add {REF} @gitte gp", no_lead)
    h.locale = "en"
    await h.text("anna", f"take {REF}")
    h.locale = locale
    await refused(h, "bo", f"guest add {REF} @gitte gp", not_responsible)
    await refused(h, "bo", f"guest remove {REF} @gitte", not_responsible)
    await refused(h, "erik", f"guest add {REF} @gitte gp --until 2026-11-01", past)
    await refused(h, "erik", f"guest add {REF} @gitte gp --until 2026-12-24", far)
    await refused(h, "erik", f"guest add {REF} @bo gp", member)
    await refused(h, "erik", f"guest remove {REF} @nobody", not_guest)
    await refused(h, "erik", f"guest add {REF} @gitte firemen", "firemen")
    await refused(h, "erik", f"guest add {REF} @gitte", "")
    h.locale = "en"
    await h.text("anna", f"close {REF} solved --outcome other")
    h.locale = locale
    await refused(h, "erik", f"guest add {REF} @gitte gp", closed)
