"""The CPR guard on what would be stored: every way of writing a CPR number in the corpus, in
every field a command stores, is refused with the one localized line, stores nothing and is
never repeated; numbers that only look like one pass. SQLite and PostgreSQL, Danish and
English."""

from __future__ import annotations

import asyncio
import shlex
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import cli
from bot.clock import FakeClock
from bot.demo import ensure_demo_group
from bot.domain import Platform, contains_cpr
from bot.i18n import translate
from bot.messages import Incoming, Reply, ReplyKind
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.conftest import Harness, build_harness, create_test_database, pg_url
from tests.cpr_corpus import ENCODINGS, LOOK_ALIKES
from tests.snapshot import snapshot

Prepare = Callable[[Harness], Awaitable[str]]


async def _new_case(h: Harness) -> str:
    replies = await h.say("anna", "flag normal Borger har brug for hjælp")
    ref = replies[0].case_ref
    assert ref is not None, replies
    return ref


async def _taken_case(h: Harness) -> str:
    ref = await _new_case(h)
    assert "ERROR" not in str([r.kind for r in await h.say("anna", f"take {ref}")])
    return ref


async def _closed_case(h: Harness) -> str:
    ref = await _taken_case(h)
    await h.say("anna", f"close {ref} Afsluttet --outcome other")
    return ref


async def _proposed_case(h: Harness) -> str:
    ref = await _new_case(h)
    await h.say("anna", f"assign {ref} social")
    return ref


def _quoted(text: str) -> str:
    return shlex.quote(text)


@dataclass(frozen=True)
class Field:
    """One place a text reaches: `template` gets {ref} (a case prepared for it) and {x}
    (the text as typed) or {q} (the text quoted as one shell word)."""

    name: str
    user: str
    template: str
    prepare: Prepare = _new_case
    accepts_look_alikes: bool = True  # False: the field refuses them for another reason
    room: str = "console"
    in_display_name: bool = False

    def command(self, ref: str, text: str) -> str:
        return self.template.format(ref=ref, x=text, q=_quoted(text))


FIELDS = (
    Field("summary", "anna", "flag acute Borger {x} truer"),
    Field("summary quoted", "anna", "flag urgent {q}"),
    Field("tag", "anna", "flag acute Borger #{x}", accepts_look_alikes=False),
    Field("note", "anna", "note {ref} {x}"),
    Field("decision", "anna", "decide {ref} {x}"),
    Field("fallback", "anna", "decide {ref} Hjemmebesøg --fallback {q}"),
    Field("due date", "anna", "decide {ref} Hjemmebesøg --due {q}", accepts_look_alikes=False),
    Field("resolution", "anna", "close {ref} {x} --outcome other", prepare=_taken_case),
    Field("reopen reason", "erik", "reopen {ref} {x}", prepare=_closed_case),
    Field("decline reason", "bo", "decline {ref} {x}", prepare=_proposed_case),
    Field("escalation", "erik", "escalate {x}"),
    Field("meeting theme", "erik", "meeting schedule 2026-12-01 10:00 --theme {q}"),
    Field("group name", "admin", "group setup {x}", room="unbound"),
    Field("member", "erik", "member add @{x} police", accepts_look_alikes=False),
    Field("assignee", "anna", "assign {ref} social @{x}", accepts_look_alikes=False),
    Field("case ref", "anna", "show {x}", accepts_look_alikes=False),
    Field("help topic", "anna", "help {x}", accepts_look_alikes=False),
    Field("verb", "anna", "{x}", accepts_look_alikes=False),
    Field("display name", "anna", "note {ref} Ringede til borgeren", in_display_name=True),
)


async def _say(h: Harness, field: Field, ref: str, text: str, room: str) -> list[Reply]:
    command = field.command(ref, text)
    return await h.router.process(
        Incoming(
            platform=Platform.CONSOLE,
            room=room,
            sender=field.user,
            text=command,
            locale=h.locale,
            display_name=text if field.in_display_name else field.user,
        )
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One database per backend for the whole module: a refusal leaves it as it was, and a
    database per test would cost more than the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('cpr') / 'psp.sqlite3'}"
        return
    template: str = request.getfixturevalue("pg_template")
    dropped: list[str] = request.getfixturevalue("pg_dropped_at_end")
    name = f"psp_cpr_{uuid.uuid4().hex[:12]}"
    asyncio.run(create_test_database(name, template))
    yield pg_url(name)
    dropped.append(name)


@pytest.fixture
async def shared(shared_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    engine = make_engine(shared_url)
    await upgrade(engine)
    h = build_harness(engine, clock)
    await ensure_demo_group(h.uow_factory, clock)
    yield h
    await engine.dispose()


@pytest.fixture(params=["da", "en"])
def locale(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
async def test_every_encoding_is_refused_in_every_field(
    shared: Harness, locale: str, field: Field
) -> None:
    h = shared
    h.locale = locale
    ref = await field.prepare(h)
    key = "error.display_name" if field.in_display_name else "error.cpr"
    line = translate(locale, key)
    before = await snapshot(h.engine)
    sent_before = len(h.sent)
    wrong: list[str] = []
    for number, text in enumerate(ENCODINGS):
        room = f"{field.room}-{locale}-{number}" if field.room != "console" else "console"
        replies = await _say(h, field, ref, text, room)
        if [(r.kind, r.text) for r in replies] != [(ReplyKind.ERROR, line)]:
            wrong.append(f"{text!r}: {[r.text for r in replies]}")
        elif not field.in_display_name and not replies[0].redact_source:
            wrong.append(f"{text!r}: the message is not redacted")
    assert wrong == [], f"{len(wrong)} of {len(ENCODINGS)} got through in {field.name}"
    assert await snapshot(h.engine) == before
    # Nothing that was delivered anywhere repeats a number.
    assert all(not contains_cpr(r.text) for r in h.sent[sent_before:])
    assert all("1234" not in r.text and "5678" not in r.text for r in h.sent[sent_before:])


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
async def test_look_alikes_are_never_taken_for_a_cpr_number(shared: Harness, field: Field) -> None:
    """Whether a text is a CPR number does not depend on the language: one run, and neither
    language's refusal may come back."""
    h = shared
    key = "error.display_name" if field.in_display_name else "error.cpr"
    refusals = {translate(locale, key) for locale in ("da", "en")}
    wrong: list[str] = []
    ref = await field.prepare(h)
    for number, text in enumerate(LOOK_ALIKES):
        if field.accepts_look_alikes and number and field.prepare is not _new_case:
            ref = await field.prepare(h)  # the previous one used the case up (closed it)
        # The case numbers depend on the order the module's tests ran in, and a ref such as
        # PSP-2026-0101 followed by "320190-1234" really holds a spaced CPR number
        # ("0101 320190"): the guard is right to refuse that, so such a look-alike gets a case
        # whose ref does not combine with it (at most 31 numbers in a row do).
        for _ in range(40):
            if "{ref}" not in field.template or not contains_cpr(field.command(ref, text)):
                break
            ref = await field.prepare(h)
        room = f"{field.room}-alike-{number}" if field.room != "console" else "console"
        replies = await _say(h, field, ref, text, room)
        texts = [r.text for r in replies]
        if refusals & set(texts) or (
            field.accepts_look_alikes and any(r.kind is ReplyKind.ERROR for r in replies)
        ):
            wrong.append(f"{text!r}: {texts}")
    assert wrong == [], f"{len(wrong)} look-alikes refused in {field.name}"


def test_the_corpus_is_big_enough() -> None:
    assert len(ENCODINGS) >= 60 and len(LOOK_ALIKES) >= 30
    assert len(set(ENCODINGS)) == len(ENCODINGS) and len(set(LOOK_ALIKES)) == len(LOOK_ALIKES)


@pytest.mark.parametrize("text", ENCODINGS)
def test_the_guard_finds_every_encoding(text: str) -> None:
    assert contains_cpr(text)


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_the_guard_passes_every_look_alike(text: str) -> None:
    assert not contains_cpr(text)


@pytest.mark.parametrize(
    "argv",
    [
        ["case", "export", "PSP-2026-0001", "--group", "010190-1234", "--purpose", "handover"],
        ["case", "export", "PSP-2026-0001", "--group", "010190", "1234", "--purpose", "handover"],
        ["console", "--user", "01.01.90\u20131234"],
        ["console", "--user", "010190", "1234"],
        ["console", "--user", "anna\udcff"],
    ],
)
def test_command_line_arguments_are_guarded_too(
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "psp.toml"
    config.write_text(f'[bot]\nlocale = "en"\ndata_dir = "{tmp_path / "data"}"\n')
    monkeypatch.setattr(sys, "argv", ["psp-bot"])
    assert cli.main(["--config", str(config), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "1234" not in err and "010190" not in err
    assert "CPR" in err or "cannot read" in err
    assert not (tmp_path / "data").exists()  # refused before the database was opened
