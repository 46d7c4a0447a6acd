"""The command language: every verb, its Danish alias, and every kind of bad input."""

from __future__ import annotations

from datetime import date

import pytest

from bot import commands as c
from bot.domain import Agency, Role, Tag, Urgency
from bot.domain.outcome import Outcome
from bot.i18n import translate
from bot.parsing import ParseError, parse

# No database, no network: part of the unit tier.
pytestmark = pytest.mark.unit


def ok(text: str) -> c.Command:
    result = parse(text)
    assert not isinstance(result, ParseError), result
    return result


def error(text: str) -> ParseError:
    result = parse(text)
    assert isinstance(result, ParseError), result
    return result


def test_flag_with_tags_and_danish_urgency() -> None:
    assert ok("flag akut Borger truer naboer #threat #truende #housing") == c.FlagCase(
        Urgency.ACUTE, "Borger truer naboer", (Tag.THREAT, Tag.HOUSING)
    )
    assert ok("akut Borger råber") == c.FlagCase(Urgency.ACUTE, "Borger råber")
    assert ok("!psp haster 'to ord' tre") == c.FlagCase(Urgency.URGENT, "to ord tre")


def test_verbs_and_aliases() -> None:
    ref = "PSP-2026-0001"
    assert ok(f"kvitter {ref}") == c.AcknowledgeCase(ref)
    assert ok("tildel psp-2026-0001 psykiatri @carl") == c.AssignCase(
        ref, Agency.PSYCHIATRY, "@carl"
    )
    assert ok(f"accepter {ref}") == c.AcceptAssignment(ref)
    assert ok(f"afvis {ref} ikke vores") == c.DeclineAssignment(ref, "ikke vores")
    assert ok(f"overtag {ref}") == c.TakeCase(ref)
    assert ok(f"udført {ref} 2") == c.CompleteDecision(ref, 2)
    assert ok(f"notat {ref} ringede") == c.AddNote(ref, "ringede")
    assert ok(f"vis {ref}") == c.ShowCase(ref)
    assert ok("liste mine") == c.ListCases(c.ListScope.MINE)
    assert ok(f"luk {ref} bolig fundet --udfald bolig-sikret") == c.CloseCase(
        ref, "bolig fundet", Outcome.HOUSING_SECURED
    )
    assert ok(f"genåbn {ref} ny hændelse") == c.ReopenCase(ref, "ny hændelse")
    assert ok("medlem tilføj @bo kommune stedfortræder") == c.AddMember(
        "@bo", Agency.SOCIAL, Role.DEPUTY
    )
    assert ok("member remove @bo") == c.RemoveMember("@bo")
    assert ok("eskaler mangler akutpladser") == c.EscalateProblem("mangler akutpladser")
    assert ok(f"revision {ref}") == c.ShowAudit(ref)
    assert ok("hjælp flag") == c.ShowHelp("flag")


def test_decide_with_all_options() -> None:
    cmd = ok(
        'beslut PSP-2026-0001 "Opsøgende besøg" --owner psykiatri --due 2026-12-01 '
        '--fallback "Politiet ledsager" --fallback-owner politi'
    )
    assert cmd == c.RecordDecision(
        "PSP-2026-0001",
        "Opsøgende besøg",
        Agency.PSYCHIATRY,
        date(2026, 12, 1),
        "Politiet ledsager",
        Agency.POLICE,
    )


def test_every_option_has_its_danish_name_beside_the_english_one() -> None:
    english = ok(
        'decide PSP-2026-0001 "Besøg" --owner social --due 2026-12-01 '
        '--fallback "Politiet ledsager" --fallback-owner police'
    )
    danish = ok(
        'beslut PSP-2026-0001 "Besøg" --ejer social --frist 2026-12-01 '
        '--plan "Politiet ledsager" --plan-ejer politi'
    )
    mixed = ok(
        'beslut PSP-2026-0001 "Besøg" --EJER social --due 2026-12-01 --plan "Politiet '
        'ledsager" --fallback-owner politi'
    )
    assert english == danish == mixed
    assert error("beslut PSP-2026-0001 Besøg --ejer social --owner police").key == (
        "error.option_twice"
    )
    assert ok(
        "gruppe opret Nord --type ssp --præfiks NRD --detaljer minimal --rum styregruppe"
    ) == (ok("group setup Nord --kind ssp --prefix NRD --detail minimal --room steering"))
    assert ok("gruppe opret Nord --praefiks NRD") == ok("group setup Nord --prefix NRD")


def test_the_danish_usage_lines_name_the_danish_options() -> None:
    usage = translate("da", "usage.decide")
    assert "--ejer" in usage and "--frist" in usage and "--plan-ejer" in usage
    assert "--owner" not in usage
    assert "--præfiks" in translate("da", "usage.group")


def test_group_setup_options() -> None:
    cmd = ok("group setup 'Aarhus Nord' --kind ssp --prefix ssp --detail minimal")
    assert isinstance(cmd, c.SetUpGroup)
    assert (cmd.name, cmd.prefix, cmd.detail.value) == ("Aarhus Nord", "SSP", "minimal")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "error.empty"),
        ("   ", "error.empty"),
        ("!psp", "error.empty"),
        ("x" * 4001, "error.too_long"),
        ('flag acute "unbalanced', "error.quotes"),
        ("flgg acute x", "error.unknown_verb_suggest"),
        ("zzzzqqq", "error.unknown_verb"),
        ("flag", "error.missing"),
        ("flag acute", "error.missing"),
        ("flag soon borger", "error.bad_urgency"),
        ("flag acute borger #nope", "error.bad_tag"),
        ("ack", "error.missing"),
        ("ack PSP-2026-0001 extra", "error.extra"),
        ("ack 12345", "error.bad_ref"),
        ("assign PSP-2026-0001 firemen", "error.bad_agency"),
        ("decide PSP-2026-0001 x --due 2026-02-30", "error.bad_date"),
        ("decide PSP-2026-0001 x --due tomorrow", "error.bad_date"),
        ("decide PSP-2026-0001 x --owner", "error.option_value"),
        ("decide PSP-2026-0001 x --colour red", "error.bad_option"),
        ("decide PSP-2026-0001 x --fallback-owner police", "error.fallback_owner_alone"),
        ("decide PSP-2026-0001 --due 2026-12-01", "error.missing"),
        ("done PSP-2026-0001 two", "error.bad_number"),
        ("list someday", "error.bad_scope"),
        ("member promote @bo", "error.bad_subcommand"),
        ("member add @bo police boss", "error.bad_role"),
        ("group setup X --prefix 9x", "error.bad_prefix"),
        ("group setup X --kind club", "error.bad_choice"),
    ],
)
def test_bad_input_names_what_is_wrong(text: str, key: str) -> None:
    err = error(text)
    assert err.key == key
    for locale in ("da", "en"):
        line = translate(locale, err.key, **err.params)
        assert "\n" not in line and line.strip()


def test_look_alike_ref_is_not_a_ref() -> None:
    assert error("show \u0420SP-2026-0001").key == "error.bad_ref"


def test_sql_and_html_are_just_text() -> None:
    cmd = ok('note PSP-2026-0001 "\'); DROP TABLE cases; -- <script>alert(1)</script>"')
    assert isinstance(cmd, c.AddNote)
    assert cmd.text == "'); DROP TABLE cases; -- <script>alert(1)</script>"


def test_emoji_and_bidi_controls() -> None:
    cmd = ok("flag normal Borger 😀👨\u200d👩\u200d👧 glad \u202eevil")
    assert isinstance(cmd, c.FlagCase)
    assert cmd.summary == "Borger 😀👨\u200d👩\u200d👧 glad evil"


def test_words_of_a_text_without_quotes_are_what_shlex_would_give() -> None:
    """tokenise() skips shlex for texts without quotes or backslashes; the words must be the
    same, whatever whitespace (shlex splits on four characters, str.split on many more)."""
    import random
    import shlex

    from bot.domain import clean_text
    from bot.parsing.tokens import tokenise

    rng = random.Random(17)
    alphabet = "ab#-–æø1 \t\r\n\x0b\x0c\x1c\x85\xa0\u2003\u2028\u3000#@!?,.:;"
    for _ in range(5000):
        text = "x" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert tokenise(text) == shlex.split(clean_text(text).strip()), repr(text)


def test_words_of_a_quoted_text_are_what_shlex_would_give() -> None:
    """tokenise() reads quotes itself when the text has no backslash: the words, and where a
    quote is left open, must be shlex's, whatever mix of quotes, words and whitespace."""
    import random
    import shlex

    from bot.parsing.tokens import split_quoted

    rng = random.Random(23)
    alphabet = "ab æø'\"\t\r\n-#\x0b\xa0"
    unclosed = 0
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        try:
            expected: list[str] | None = shlex.split(text)
        except ValueError:
            expected = None
            unclosed += 1
        assert split_quoted(text) == expected, repr(text)
    assert unclosed > 1_000  # the open quotes were tried too
