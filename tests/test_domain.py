"""Pure rules: the CPR guard, text hygiene and case refs."""

from __future__ import annotations

import pytest

from bot.domain import (
    clean_text,
    contains_cpr,
    format_case_ref,
    normalise_case_ref,
    without_cpr,
)
from tests.cpr_corpus import ENCODINGS, LOOK_ALIKES

# No database, no network: part of the unit tier.
pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    [
        "borger 010190-1234 truer",
        "borger 0101901234 truer",
        "borger 010190 1234 truer",
        "cpr:290200-4123",  # 29 Feb 2000 (seventh digit 4, year 00 -> 2000, a leap year)
        "311299-5678",
        # zero-width spaces and bidi controls between the digits do not hide it
        "0\u200b1\u200b0\u200b1\u200b9\u200b0-1234",
        "\u202e010190-1234\u202c",
    ],
)
def test_cpr_numbers_are_found(text: str) -> None:
    assert contains_cpr(text)


def test_cpr_in_fullwidth_and_arabic_indic_digits_is_found() -> None:
    assert contains_cpr("０１０１９０-１２３４")
    assert contains_cpr("٠١٠١٩٠-١٢٣٤")


@pytest.mark.parametrize(
    "text",
    [
        "ref PSP-2026-0001",
        "telefon 12345678",
        "320190-1234",  # day 32
        "011390-1234",  # month 13
        "290201-4123",  # 29 Feb 2001 does not exist
        "12345678901",  # eleven digits
        "dato 2026-12-01 kl 1030",
    ],
)
def test_non_cpr_numbers_pass(text: str) -> None:
    assert not contains_cpr(text)


def test_modulus_11_is_not_required() -> None:
    # 010190-1235 fails the old modulus-11 check, but numbers issued since 2007 need not pass.
    assert contains_cpr("010190-1235")


def test_clean_text_drops_invisible_controls_but_keeps_emoji_joiners() -> None:
    family = "👨\u200d👩\u200d👧"
    assert clean_text(f"a\u200bb\u202ec\u2066d{family}") == f"abcd{family}"


def test_case_refs() -> None:
    assert format_case_ref("PSP", 2026, 7) == "PSP-2026-0007"
    assert normalise_case_ref("psp-2026-0007") == "PSP-2026-0007"
    assert normalise_case_ref("PSP-2026-0\u200b007") == "PSP-2026-0007"
    # Cyrillic Р and С look like P and S: not a ref
    assert normalise_case_ref("\u0420\u0421P-2026-0007") is None
    assert normalise_case_ref("PSP-26-7") is None


@pytest.mark.parametrize("written", ENCODINGS)
def test_without_cpr_cuts_whole_words_and_keeps_the_rest(written: str) -> None:
    cut = without_cpr(f"Borger {written} truer naboer")
    if cut is not None:  # else: the caller refuses the text whole
        assert not contains_cpr(cut)
        assert cut.startswith("Borger ") and cut.endswith(" truer naboer") and "…" in cut


@pytest.mark.parametrize("harmless", LOOK_ALIKES)
def test_without_cpr_leaves_a_text_without_one_as_it_was(harmless: str) -> None:
    assert without_cpr(f"Møde {harmless} kl 10") == f"Møde {harmless} kl 10"


def test_the_digit_count_shortcut_sees_every_digit_the_skeleton_sees() -> None:
    """contains_cpr skips the skeleton when a text has fewer than ten digits; every character
    that folds into digits (fullwidth, superscript, circled, fractions, other scripts) must
    count there as the skeleton counts it."""
    import re
    import sys
    import unicodedata

    from bot.domain.cpr import _fewer_digits_than_a_cpr, cpr_skeleton

    folding = [
        ch
        for ch in map(chr, range(sys.maxunicode + 1))
        if any(c.isdigit() for c in unicodedata.normalize("NFKC", ch)) and not ch.isascii()
    ]
    assert len(folding) > 500
    for ch in folding:
        for text in (ch * 10, f"01{ch}190-1234", ch + "0101901234"[len(ch) :]):
            # What the CPR pattern can match: decimal digits (\d), not e.g. Ethiopic numerals.
            skeleton_digits = len(re.findall(r"\d", cpr_skeleton(text)))
            assert _fewer_digits_than_a_cpr(text) == (skeleton_digits < 10), repr(text)
    for text in ENCODINGS:
        assert not _fewer_digits_than_a_cpr(text), repr(text)


def test_clean_text_leaves_ascii_alone_because_no_ascii_character_is_a_format_character() -> None:
    import unicodedata

    from bot.domain import clean_text

    assert [c for c in map(chr, range(128)) if unicodedata.category(c) == "Cf"] == []
    assert clean_text("ack PSP-2026-0001\t'x'") == "ack PSP-2026-0001\t'x'"
    assert clean_text("PSP\u200b-2026\u202e-0001 ø\u200d") == "PSP-2026-0001 ø\u200d"
