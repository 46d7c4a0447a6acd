"""Localisation: every key in Danish and English, with the same placeholders; every key the
code uses exists."""

from __future__ import annotations

import ast
import string
from itertools import pairwise
from pathlib import Path

import pytest

from bot.catalogue import CATALOGUE
from bot.commands import ListScope
from bot.domain import Agency, CaseStatus, DetailLevel, Role, RoomPurpose, Tag, Urgency
from bot.domain.outcome import Outcome
from bot.i18n import normalise_locale, plural, translate
from bot.parsing import VERB_WORDS
from tests.catalogue_keys import KEY, CodeKeys, scan

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


def _prefix_sources(code: CodeKeys) -> dict[str, set[str]]:
    """What each f-string prefix of the code can be completed with."""
    hows = code.values_of("how", under=ROOT / "bot" / "usecases") | code.values_of(
        "how", under=ROOT / "bot" / "domain"
    )
    return {
        "agency.": {a.value for a in Agency},
        "urgency.": {u.value for u in Urgency},
        "tag.": {t.value for t in Tag},
        "role.": {r.value for r in Role},
        "status.": {s.value for s in CaseStatus},
        "detail.": {d.value for d in DetailLevel},
        "purpose.": {p.value for p in RoomPurpose},
        "scope.": {s.value for s in ListScope},
        "outcome.": {o.value for o in Outcome},
        "usage.": set(VERB_WORDS),
        "help.": set(VERB_WORDS),
        # error.missing names what is missing: every value the parsers pass as `what`.
        "what.": code.values_of("what", under=ROOT / "bot" / "parsing"),
        # A responsibility change says how it came about: every `how` the case rules and the
        # use cases record.
        "history.": hows,
        # The access log names every action the bot records (`case.{how}` for a move of
        # responsibility).
        "action.": {
            action for action in code.values_of("action", "audit_action") if KEY.match(action)
        }
        | {f"case.{how}" for how in hows},
    }


def test_every_key_used_in_code_exists() -> None:
    code = scan([ROOT / "bot", ROOT / "adapters"])
    namespaces = {key.split(".")[0] for key in CATALOGUE}
    used = {key for key in code.constants if key.split(".")[0] in namespaces}
    sources = _prefix_sources(code)
    unknown_prefixes = sorted(set(code.prefixed) - set(sources))
    assert not unknown_prefixes, f"f-string keys of unknown values: {unknown_prefixes}"
    for prefix in code.prefixed:
        assert sources[prefix], prefix
        used |= {prefix + value for value in sources[prefix]}
    missing = {
        key: sorted(code.constants.get(key, ["(f-string)"])) for key in used - set(CATALOGUE)
    }
    assert not missing


def test_the_key_finder_sees_keys_everywhere_they_hide() -> None:
    # Constants in adapters, f-strings with a prefix, values passed to a named parameter,
    # and audit action names (not keys) passed positionally to a dataclass.
    code = scan([ROOT / "bot", ROOT / "adapters"])
    assert any(key.startswith("slack.") for key in code.constants)
    assert {"agency.", "what.", "history.", "usage."} <= set(code.prefixed)
    assert {"case", "summary", "meeting_time", "reason"} <= _prefix_sources(code)["what."]
    assert {"take", "assign", "accept", "decline"} <= _prefix_sources(code)["history."]
    assert {"case.flag", "case.propose", "case.take", "meeting.remind", "case.escalate"} <= (
        _prefix_sources(code)["action."]
    )
    assert "meeting.remind" in code.values_of("audit_action")
    assert "meeting.remind" not in code.constants


def test_locale_names() -> None:
    assert normalise_locale("en_GB") == "en"
    assert normalise_locale("da-DK") == "da"
    assert normalise_locale("fr") == "da"
    assert translate("en", "agency.police") == "police"
    assert translate("da", "agency.police") == "politi"


# Counted words one of the languages does not inflect: English "1 more", "3 more".
SAME_IN_ENGLISH = {"count.more"}


@pytest.mark.parametrize("key", sorted(k for k in CATALOGUE if k.startswith("count.")))
def test_every_counted_noun_has_a_singular_and_a_plural_in_both_languages(key: str) -> None:
    for language, text in zip(("da", "en"), CATALOGUE[key], strict=True):
        singular, many = text.split("|")
        assert "{n}" in singular and "{n}" in many
        if not (language == "en" and key in SAME_IN_ENGLISH):
            assert singular != many, (key, language)


# Placeholders that hold a number.
NUMBER_FIELDS = {
    "n",
    "count",
    "total",
    "lines",
    "minutes",
    "hours",
    "days",
    "max",
    "shown",
    "cases",
    "decisions",
}
# Texts whose number is never one (a limit, a threshold, a page size), so their noun is
# always plural; and one whose word after the number is the same for every count.
NEVER_ONE = {
    "error.too_long",  # at most {max} characters
    "error.name_too_long",
    "error.page_too_far",  # only the first {shown} cases can be paged through
    "report.age.over",  # over {days} days
    "audit.latest",  # the latest {count} (the page size) shown
    "agenda.more",  # "… og 1 mere", "… og 3 mere": the same word for every count
    "home.partial",  # the {count} first open cases: the scan's limit
}
# Fields that hold a whole counted noun ("1 sag", "3 åbne sager"), not a bare number: the
# code fills them with plural() (checked below, where the texts are filled in).
COUNTED_NOUN_FIELDS = {
    "retention.stale": {"cases", "days"},  # "1 open case has", "30 days"
    "agenda.minimal": {"cases", "decisions"},  # "1 åben sag, 1 beslutning at følge op"
    "agenda.running": {"cases"},  # "0 af 1 sag taget op"
    "meeting.started": {"cases"},  # "1 sag på dagsordenen"
}
COUNTING = {"plural", "counted_plural"}


def test_a_number_followed_by_a_word_is_a_counted_noun() -> None:
    """A number written straight before a word ("{count} handlinger") reads "1 handlinger"
    for one: such texts take the counted noun from a `count.*` key (bot.i18n.plural)."""
    bare = []
    for key, texts in CATALOGUE.items():
        if key.startswith("count.") or key in NEVER_ONE:
            continue
        for text in texts:
            parts = list(string.Formatter().parse(text))
            for (_text, name, _spec, _conv), (after, *_next) in pairwise(parts):
                if name in COUNTED_NOUN_FIELDS.get(key, ()):
                    continue
                if name in NUMBER_FIELDS and after[:1] == " " and after[1:2].isalpha():
                    bare.append((key, text))
    assert bare == []


def _counted_values(function: ast.AST) -> set[str]:
    """Names a function assigns from plural() (`cases = plural(...)`)."""
    return {
        target.id
        for node in ast.walk(function)
        if isinstance(node, ast.Assign) and _is_counting(node.value, set())
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _is_counting(value: ast.expr, counted: set[str]) -> bool:
    if isinstance(value, ast.Name):
        return value.id in counted
    return (
        isinstance(value, ast.Call)
        and getattr(value.func, "id", getattr(value.func, "attr", None)) in COUNTING
    )


def test_fields_that_hold_a_counted_noun_are_filled_by_plural() -> None:
    """Where the code fills a text of COUNTED_NOUN_FIELDS, each such field is a plural()
    (or a name assigned from one): a bare number there would read "1 sager"."""
    filled: dict[str, int] = {}
    wrong = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            counted = _counted_values(function)
            for call in ast.walk(function):
                if not isinstance(call, ast.Call):
                    continue
                keys = [
                    a.value
                    for a in call.args
                    if isinstance(a, ast.Constant) and a.value in COUNTED_NOUN_FIELDS
                ]
                for key in keys:  # t("agenda.running", …) or translate(locale, "…", …)
                    filled[key] = filled.get(key, 0) + 1
                    given = {k.arg: k.value for k in call.keywords if k.arg is not None}
                    for name in COUNTED_NOUN_FIELDS[key]:
                        if name not in given or not _is_counting(given[name], counted):
                            wrong.append(f"{path.name}:{call.lineno} {key} {{{name}}}")
    assert wrong == []
    assert set(filled) == set(COUNTED_NOUN_FIELDS)  # every such text is filled somewhere


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert plural("da", "count.meetings", 1) == "1 møde"
    assert plural("da", "count.meetings", 2) == "2 møder"
    assert plural("da", "count.meetings", 0) == "0 møder"
    assert plural("en", "count.minutes", 1) == "1 minute"
    assert plural("en", "count.minutes", 15) == "15 minutes"
    assert plural("en", "count.stale_cases", 1) == "1 open case has"
