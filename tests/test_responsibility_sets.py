"""Action responsibility follows the form of cooperation: only the group's authorities can
take, be assigned, accept or close; the lead may choose another set. Every refusal is one
line in Danish and English and changes nothing. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import Harness
from tests.test_rules import REF, flagged, refused

EN_ONLY = "Only police, social services or psychiatry can hold action responsibility"
DA_ONLY = "Kun politi, socialforvaltning eller psykiatri kan have handleansvaret"


async def with_housing(h: Harness) -> None:
    """The demo group (PSP) with a housing association and a probation officer as members."""
    await flagged(h)
    await h.text("erik", "member add @hanne housing")
    await h.text("erik", "member add @kim probation")


@pytest.mark.parametrize(("locale", "only"), [("en", EN_ONLY), ("da", DA_ONLY)])
async def test_outside_agencies_cannot_take_or_be_assigned(
    harness: Harness, locale: str, only: str
) -> None:
    h = harness
    await with_housing(h)
    h.locale = locale
    await refused(h, "hanne", f"take {REF}", only)
    await refused(h, "erik", f"assign {REF} housing", only)
    await refused(h, "hanne", f"assign {REF} housing", only)
    await refused(h, "anna", f"assign {REF} probation", only)
    await refused(h, "kim", f"take {REF}", only)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Only police or psychiatry can hold action responsibility in this group; social"),
        ("da", "Kun politi eller psykiatri kan have handleansvaret i denne gruppe; social"),
    ],
)
async def test_accept_is_refused_when_the_lead_changed_the_set_meanwhile(
    harness: Harness, locale: str, expected: str
) -> None:
    h = harness
    await flagged(h)
    assert "proposes" in await h.text("anna", f"assign {REF} social")
    await h.text("erik", "group authorities police psychiatry")
    h.locale = locale
    await refused(h, "bo", f"accept {REF}", expected)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "is held by probation service, which cannot hold action responsibility here"),
        ("da", "ligger hos kriminalforsorg, som ikke kan have handleansvaret her"),
    ],
)
async def test_a_case_held_outside_the_set_is_not_closed_until_reassigned(
    harness: Harness, locale: str, expected: str
) -> None:
    h = harness
    await with_housing(h)
    await h.text("erik", "group authorities police social probation")
    assert "probation service has taken" in await h.text("kim", f"take {REF}")
    await h.text("erik", "group authorities default")
    h.locale = locale
    await refused(h, "kim", f"close {REF} solved --outcome other", expected)
    await refused(h, "erik", f"close {REF} solved --outcome other", expected)
    h.locale = "en"
    await h.text("erik", f"assign {REF} social")
    assert "closed" in await h.text("bo", f"close {REF} solved --outcome other")


async def test_ssp_group_lets_the_school_hold_responsibility_but_not_psychiatry(
    harness: Harness,
) -> None:
    h = harness
    await h.text("admin", "group setup Skoler --kind ssp", room="ssp")
    await h.text("admin", "member add @sara school lead", room="ssp")
    await h.text("sara", "member add @per psychiatry", room="ssp")
    ref = "SSP-2026-0001"
    assert ref in await h.text("per", "flag urgent Ung pjækker", room="ssp")
    await refused(
        h,
        "per",
        f"take {ref}",
        "Only police, social services or school can hold action responsibility",
        room="ssp",
    )
    assert "school has taken" in await h.text("sara", f"take {ref}", room="ssp")


@pytest.mark.parametrize(
    ("locale", "shown", "changed"),
    [
        (
            "en",
            "In Demo, action responsibility can be held by police, social services or "
            "psychiatry. (the PSP default",
            "From now on, action responsibility in Demo can be held by police or probation "
            "service.",
        ),
        (
            "da",
            "I Demo kan politi, socialforvaltning eller psykiatri have handleansvaret. "
            "(standard for PSP",
            "Fra nu af kan politi eller kriminalforsorg have handleansvaret i Demo.",
        ),
    ],
)
async def test_the_lead_shows_and_sets_the_groups_authorities(
    harness: Harness, locale: str, shown: str, changed: str
) -> None:
    h = harness
    h.locale = locale
    assert shown in await h.text("bo", "group authorities")
    assert changed == await h.text("erik", "gruppe myndigheder kriminalforsorg politi")
    assert "(" not in await h.text("anna", "group authorities")
    await h.text("erik", "group authorities standard")
    assert shown in await h.text("anna", "group authorities")


@pytest.mark.parametrize(
    ("locale", "lead_only", "never"),
    [
        ("en", "Only the group's lead", "GP takes part under its duty of confidentiality"),
        ("da", "Kun gruppens tovholder", "praktiserende læge deltager under sin tavshedspligt"),
    ],
)
async def test_setting_the_authorities_is_the_leads_and_never_includes_outside_parties(
    harness: Harness, locale: str, lead_only: str, never: str
) -> None:
    h = harness
    h.locale = locale
    await refused(h, "bo", "group authorities police social", lead_only)
    await refused(h, "erik", "group authorities police gp", never)
    await refused(h, "erik", "group authorities police firemen", "firemen")


async def test_help_names_who_can_hold_responsibility(harness: Harness) -> None:
    h = harness
    assert "Action responsibility here: police, social services or psychiatry." in await h.text(
        "anna", "help"
    )
    h.locale = "da"
    await h.text("erik", "group authorities social")
    assert "Handleansvar her: socialforvaltning." in await h.text("anna", "help")
    assert "gruppe myndigheder" in await h.text("anna", "help group")
