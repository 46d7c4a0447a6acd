"""`help` in the reader's language: Danish readers see the Danish verbs first and may still
write the English ones; `help <verb>` answers for either spelling."""

from __future__ import annotations

import pytest

from tests.conftest import Harness


async def test_danish_help_lists_the_danish_verbs(harness: Harness) -> None:
    h = harness
    h.locale = "da"
    lines = (await h.text("anna", "hjælp")).splitlines()
    assert lines[0] == "Kommandoer:"
    usage = [line.strip() for line in lines[1:]]
    for expected in (
        "kvitter <sag>",
        "tildel <sag> <myndighed> [@medlem]",
        "overtag <sag>",
        "vis <sag>",
        "liste [åbne|mine|lukkede|alle] [--myndighed M] [--side N]",
        "revision <sag> | revision medlem <@bruger> [--siden ÅÅÅÅ-MM-DD]",
    ):
        assert expected in usage
    assert not any(line.startswith(("ack ", "assign ", "show ", "audit ")) for line in usage)
    assert "de engelske kommandoord" in lines[-1]


async def test_english_help_is_unchanged(harness: Harness) -> None:
    usage = [line.strip() for line in (await harness.text("anna", "help")).splitlines()]
    assert "ack <case>" in usage and "assign <case> <agency> [@member]" in usage
    assert not any(line.startswith(("kvitter", "tildel")) for line in usage)


@pytest.mark.parametrize(
    ("locale", "asked", "usage", "words"),
    [
        ("da", "hjælp kvitter", "kvitter <sag>", "Kan også skrives: kvitter, ack"),
        ("da", "hjælp ack", "kvitter <sag>", "Kan også skrives: kvitter, ack"),
        ("da", "help tildel", "tildel <sag>", "Kan også skrives: tildel, assign"),
        ("en", "help kvitter", "ack <case>", "Also written: ack, kvitter"),
        ("en", "help assign", "assign <case>", "Also written: assign, tildel"),
    ],
)
async def test_help_on_one_verb_in_either_spelling(
    harness: Harness, locale: str, asked: str, usage: str, words: str
) -> None:
    h = harness
    h.locale = locale
    lines = (await h.text("anna", asked)).splitlines()
    assert lines[0].startswith(usage)
    assert lines[-1] == words


async def test_danish_and_english_verbs_both_work_in_danish(harness: Harness) -> None:
    h = harness
    h.locale = "da"
    assert "PSP-2026-0001" in await h.text("anna", "akut truer med at sætte ild til lejligheden")
    assert "PSP-2026-0001" in await h.text("bo", "kvitter PSP-2026-0001")
    assert "PSP-2026-0001" in await h.text("carl", "ack PSP-2026-0001")
