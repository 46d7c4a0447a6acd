"""The cooperation's rules as users meet them: who may do what, where, and what a refusal
leaves behind (nothing). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import NamedTuple

import pytest
from sqlalchemy import text

from bot.app import BotSettings, PspBot, command_handlers
from bot.domain import Platform
from bot.messages import ReplyKind
from bot.runtime import Router
from tests.conftest import Harness, RecordingSender
from tests.overlap import at_once
from tests.snapshot import snapshot

REF = "PSP-2026-0001"


class Seen(NamedTuple):
    """A reply as another process saw it."""

    kind: ReplyKind
    text: str


async def flagged(h: Harness) -> None:
    assert REF in await h.text("anna", "flag acute Borger truer naboer #threat")


async def refused(h: Harness, user: str, command: str, expected: str, **kwargs: object) -> None:
    """The command gets one error line containing `expected` and changes nothing."""
    before = await snapshot(h)
    replies = await h.say(user, command, **kwargs)  # type: ignore[arg-type]
    assert [r.kind for r in replies] == [ReplyKind.ERROR], replies
    assert expected in replies[0].text
    assert "\n" not in replies[0].text
    assert await snapshot(h) == before


async def test_cpr_number_is_refused_without_echo_and_not_stored(core: Harness) -> None:
    before = await snapshot(core)
    replies = await core.say("anna", "flag acute Borger 010190-1234 truer")
    assert len(replies) == 1 and replies[0].kind is ReplyKind.ERROR
    assert "CPR" in replies[0].text and "010190" not in replies[0].text
    assert replies[0].redact_source
    assert await snapshot(core) == before


async def test_cpr_hidden_by_zero_width_spaces_is_refused(core: Harness) -> None:
    await refused(core, "anna", "flag acute borger 0\u200b10190\u200b-1234", "CPR")


async def test_non_member_in_bound_room(core: Harness) -> None:
    await flagged(core)
    await refused(core, "mallory", f"show {REF}", "not a member")
    await refused(core, "mallory", "flag acute x", "not a member")


async def test_command_in_unbound_room(core: Harness) -> None:
    await refused(core, "anna", "list", "belongs to no group", room="elsewhere")


async def test_foreign_ref_answers_like_unknown_ref(core: Harness) -> None:
    h = core
    await flagged(h)
    await h.text("admin", "group setup Other --prefix PSP", room="other-room")
    await h.text("admin", "member add @olga police lead", room="other-room")
    foreign = await h.text("olga", f"show {REF}", room="other-room")
    unknown = await h.text("olga", "show PSP-2026-0999", room="other-room")
    assert foreign == unknown.replace("0999", "0001")
    assert "Borger" not in foreign


async def test_unknown_ref_agency_and_impossible_date(core: Harness) -> None:
    await flagged(core)
    await refused(core, "anna", "ack PSP-2026-0042", "no case PSP-2026-0042")
    await refused(core, "anna", f"assign {REF} firemen", "Unknown agency")
    await refused(core, "anna", f"decide {REF} x --due 2026-02-30", "not a valid date")
    await refused(core, "anna", f"decide {REF} x --due 2020-01-01", "already passed")
    await refused(core, "anna", f"assign {REF} probation", "no members from probation")


async def test_close_rules(core: Harness) -> None:
    await flagged(core)
    await refused(core, "anna", f"close {REF} done --outcome other", "cannot be closed")
    await core.text("anna", f"take {REF}")
    await refused(core, "carl", f"close {REF} done --outcome other", "Only police")
    await refused(core, "anna", f"close {REF}", "Missing resolution")


async def test_lead_only_and_admin_only(core: Harness) -> None:
    await flagged(core)
    await refused(core, "bo", "member add @zed police", "Only the group's lead")
    await refused(core, "bo", f"reopen {REF} why", "Only the group's lead")
    await refused(core, "erik", "group setup Another", "Only a bot admin", room="r2")
    assert "added as representative for police" in await core.text("erik", "member add @zed police")


async def test_proposal_answered_only_by_receiving_agency(core: Harness) -> None:
    await flagged(core)
    await core.text("anna", f"assign {REF} psychiatry")
    await refused(core, "bo", f"accept {REF}", "no proposal to social services")
    await refused(core, "bo", f"assign {REF} police", "already a proposal")


async def test_group_keeps_a_lead(core: Harness) -> None:
    await refused(core, "erik", "member remove @erik", "at least one lead")


async def test_sql_and_html_stored_and_shown_verbatim(harness: Harness) -> None:
    await flagged(harness)
    payload = "'); DROP TABLE cases; -- <b>fed</b> &amp;"
    await harness.text("bo", f'note {REF} "{payload}"')
    assert payload in await harness.text("bo", f"show {REF}")
    async with harness.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM cases"))).scalar_one() == 1


async def test_emoji_and_unicode_survive(core: Harness) -> None:
    out = await core.text("anna", "flag normal Borger 😀 ærø Åse 👨\u200d👩\u200d👧")
    assert "Borger 😀 ærø Åse 👨\u200d👩\u200d👧" in out


async def test_same_event_twice_changes_nothing_the_second_time(core: Harness) -> None:
    first = await core.say("anna", "flag acute x", event_id="$evt1")
    before = await snapshot(core)
    again = await core.say("anna", "flag acute x", event_id="$evt1")
    assert first and again == []
    assert await snapshot(core) == before


async def test_two_members_assigning_at_once_exactly_one_wins(
    harness: Harness, database_url: str
) -> None:
    """Two processes, two connections, the same instant (tests/overlap.py): the first to
    read the case holds its transaction open until the other has started."""
    await flagged(harness)
    outcomes = at_once(
        database_url,
        ("anna", f"assign {REF} psychiatry"),
        ("bo", f"assign {REF} psychiatry"),
    )
    assert any(held for _, _, held in outcomes)
    results = [
        [Seen(ReplyKind(kind), text) for kind, text in replies] for _, replies, _ in outcomes
    ]
    kinds = sorted(r[0].kind.value for r in results)
    assert kinds == ["error", "update"], results
    loser = next(r[0] for r in results if r[0].kind is ReplyKind.ERROR)
    assert "already a proposal" in loser.text
    async with harness.engine.connect() as conn:
        row = (await conn.execute(text("SELECT proposed, version FROM cases"))).one()
    assert row.proposed == "psychiatry" and row.version == 2


async def test_many_concurrent_flags_get_distinct_refs(core: Harness) -> None:
    outs = await asyncio.gather(*(core.text("anna", f"flag normal sag {i}") for i in range(8)))
    refs = {line.split()[4] for out in outs for line in out.splitlines()[:1]}
    assert len(refs) == 8


async def test_steering_room_gets_escalations(core: Harness) -> None:
    h = core
    assert "no steering room" in await h.text("erik", "escalate Ingen akutpladser i weekenden")
    await h.text("admin", "group setup Demo --room steering", room="styregruppe")
    h.sent.clear()
    await h.text("bo", "escalate Ventetid på psykiatrisk vurdering")
    steering = [r for r in h.sent if r.room.room_id == "styregruppe"]
    assert len(steering) == 1 and "Ventetid" in steering[0].text
    await refused(h, "admin", "list", "not a member", room="styregruppe")


async def test_minimal_room_sees_no_free_text(core: Harness) -> None:
    h = core
    await h.text("admin", "group setup Demo --detail minimal", room="vagt")
    h.sent.clear()
    await h.text("anna", "flag acute Hemmelig tekst #threat")
    await h.text("anna", f"decide {REF} 'Hemmelig beslutning'")
    minimal = [r for r in h.sent if r.room.room_id == "vagt"]
    assert len(minimal) == 2
    assert all("Hemmelig" not in r.text for r in minimal)
    shown = await h.text("anna", f"show {REF}", room="vagt")
    assert "Hemmelig" not in shown and REF in shown


async def test_insecure_room_refused_for_platforms_that_require_it(core: Harness) -> None:
    await refused(
        core,
        "@admin:test",
        "group setup Matrixgruppe",
        "not secured",
        room="!plain:test",
        platform=Platform.MATRIX,
        room_secure=False,
    )


async def test_danish_replies(core: Harness) -> None:
    core.locale = "da"
    out = await core.text("anna", "flag akut Borger truer")
    assert "AKUT: ny sag PSP-2026-0001 meldt af politi" in out
    assert "Ukendt kommando" in await core.text("anna", "hej")


async def test_a_defect_in_a_use_case_answers_and_keeps_nothing(
    core: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    from bot import commands as c
    from bot.context import Context

    async def broken(ctx: Context, cmd: c.AddNote) -> None:
        await ctx.uow.cases.add_note(1, text="halvt", by_member=1, at=ctx.now)  # type: ignore[arg-type]
        raise RuntimeError("defect")

    await flagged(core)
    bot = PspBot(
        uow_factory=core.uow_factory,
        clock=core.clock,
        settings=BotSettings(default_locale="en"),
        handlers={**command_handlers(), c.AddNote: broken},
    )
    core.router = Router(bot=bot, uow_factory=core.uow_factory, clock=core.clock)
    core.router.attach(Platform.CONSOLE, RecordingSender(core.sent))
    await refused(core, "bo", f"note {REF} hemmelig tekst", "internal error")
    assert "hemmelig" not in caplog.text
    assert "Commands:" in await core.text("bo", "help")


async def test_lead_marks_an_escalation_handled(harness: Harness) -> None:
    h = harness
    assert "no. 1 is recorded" in await h.text("bo", "escalate Mangler akutpladser")
    await refused(h, "bo", "escalate handled 1", "Only the group's lead")
    await refused(h, "erik", "escalate handled 7", "no escalation no. 7")
    assert "marked handled" in await h.text("erik", "escalate handled 1")
    assert "already marked handled" in await h.text("erik", "eskaler håndteret 1")
    async with h.engine.connect() as conn:
        handled = (await conn.execute(text("SELECT handled_at FROM escalations"))).scalar_one()
    assert handled is not None


async def test_replies_are_in_the_outbox_exactly_when_the_command_is(core: Harness) -> None:
    """The replies are written in the command's own transaction: handled but not yet sent,
    they wait in the outbox; a re-delivered event adds nothing."""
    from bot.messages import Incoming
    from bot.ports.outbox import OutboxStatus

    def message(text: str, event_id: str) -> Incoming:
        return Incoming(Platform.CONSOLE, "console", "anna", text, event_id=event_id, locale="en")

    async def waiting() -> list[str]:
        async with core.uow_factory() as uow:
            rows = await uow.outbox.listing(statuses=[OutboxStatus.PENDING], limit=10)
        return [r.kind for r in rows]

    replies = await core.core.handle(message("flag acute x", "$e1"))
    assert await waiting() == [r.kind.value for r in replies] == ["alert"]
    refused = await core.core.handle(message("flag soon x", "$e2"))
    assert await waiting() == ["alert", "error"] and refused[0].kind.value == "error"
    assert await core.core.handle(message("flag soon x", "$e2")) == []
    assert await waiting() == ["alert", "error"]
