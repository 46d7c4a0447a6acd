"""Localisation: every key in Danish and English, with the same placeholders; every key the
code uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.catalogue import CATALOGUE
from bot.i18n import normalise_locale, translate

# No database, no network: part of the unit tier.
pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_both_languages_with_the_same_placeholders(key: str) -> None:
    da, en = CATALOGUE[key]
    assert da.strip() and en.strip()
    assert fields(da) == fields(en), key


def test_every_key_used_in_code_exists() -> None:
    pattern = re.compile(
        r"""["']((?:error|usage|help|alert|show|list|group|member|case|ack|assign|accept|decline|take|close|reopen|decide|decision|done|note|escalate|audit|history|action|word|scope|agency|urgency|status|role|tag|detail|purpose|what)\.[a-z_\-]+)["']"""
    )
    used: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        if "catalogue" in path.parts:
            continue
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    # Audit action names share the dotted style but are not user-facing texts.
    audit_actions = {
        k
        for k in used
        if k.split(".")[0] in {"case", "decision", "note", "member", "group", "escalation", "audit"}
        and k not in CATALOGUE
    }
    missing = sorted(used - set(CATALOGUE) - audit_actions)
    assert not missing


def test_locale_names() -> None:
    assert normalise_locale("en_GB") == "en"
    assert normalise_locale("da-DK") == "da"
    assert normalise_locale("fr") == "da"
    assert translate("en", "agency.police") == "police"
    assert translate("da", "agency.police") == "politi"
