"""People named the way Matrix clients name them, against a real Synapse: a pill picked from
Element Web's @-autocomplete (`formatted_body` with a matrix.to link, `body` with only the
display name, `m.mentions.user_ids` with the id), an `m.mentions` entry alone, a full user id,
and a display name that is unique in the room — in every argument that names a person."""

from __future__ import annotations

import asyncio
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from nio import MatrixRoom
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.matrix.mentions import command_text, message_command
from bot.domain import Platform
from bot.usecases.members import normalise_user, people_named
from tests.matrix_support import MatrixUser, bot_engine, group_room, start_bot, users
from tests.synapse import Synapse, synapse

__all__ = ["bot_engine", "synapse", "users"]


DAVE = "@dave:example.org"


def element_pills(template: str, people: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """What Element Web sends for a composer holding pills: `template` has `{name}` where
    a person was picked from the autocomplete; people: name -> (user id, display name)."""
    body = template.format(**{k: display for k, (_uid, display) in people.items()})
    html = escape(template).format(
        **{
            k: f'<a href="https://matrix.to/#/{quote(uid, safe="@:")}">{escape(display)}</a>'
            for k, (uid, display) in people.items()
        }
    )
    return {
        "msgtype": "m.text",
        "body": body,
        "format": "org.matrix.custom.html",
        "formatted_body": html,
        "m.mentions": {"user_ids": sorted(uid for uid, _d in people.values())},
    }


@pytest.mark.unit
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("!psp member add {d} school rep", f"!psp member add {DAVE} school rep"),
        ("!psp assign PSP-2026-0001 social {d}", f"!psp assign PSP-2026-0001 social {DAVE}"),
        # The name also occurs as a plain word before the pill: only the pill becomes the id.
        ("!psp note PSP-2026-0001 Dave Hansen called {d} & co", None),
        ("!psp guest add PSP-2026-0001 {d} gp --until 2026-12-01", None),
    ],
)
def test_a_pill_reads_as_the_user_id_wherever_it_stands(
    template: str, expected: str | None
) -> None:
    content = element_pills(template, {"d": (DAVE, "Dave Hansen")})
    text = command_text(content, content["body"], {})
    assert text == (expected or template.format(d=DAVE))


@pytest.mark.unit
def test_an_m_mentions_entry_without_a_pill_replaces_the_persons_name() -> None:
    content = {"msgtype": "m.text", "body": "!psp member add dave school rep"}
    content["m.mentions"] = {"user_ids": [DAVE]}  # type: ignore[assignment]
    assert command_text(content, content["body"], {}) == f"!psp member add {DAVE} school rep"
    named = {DAVE: "Dave Hansen"}
    content["body"] = "!psp member add @Dave Hansen school rep"
    assert command_text(content, content["body"], named) == f"!psp member add {DAVE} school rep"
    # Nobody mentioned, or a broken formatted_body: the body as it is.
    plain = {"body": "!psp member add dave school rep", "format": "org.matrix.custom.html"}
    plain["formatted_body"] = "<a href='https://matrix.to/#/@dave'>dave<"
    assert command_text(plain, plain["body"], {}) == plain["body"]


@pytest.mark.unit
def test_a_display_name_counts_only_when_one_person_in_the_room_has_it() -> None:
    people = (
        (DAVE, "Dave Hansen"),
        ("@dave2:example.org", "Dave Hansen"),
        ("@eva:example.org", "Eva"),
        ("@anna:other.example", "Anna Holm"),
    )
    assert normalise_user(Platform.MATRIX, "Eva", people) == ("@eva:example.org", "Eva")
    assert normalise_user(Platform.MATRIX, "@anna holm", people) == (
        "@anna:other.example",
        "Anna Holm",
    )
    assert normalise_user(Platform.MATRIX, "anna", people) == ("@anna:other.example", "Anna Holm")
    assert normalise_user(Platform.MATRIX, "Dave Hansen", people) is None
    assert len(people_named("dave hansen", people)) == 2
    assert normalise_user(Platform.MATRIX, "Zoe", people) is None
    assert normalise_user(Platform.MATRIX, DAVE, people) == (DAVE, "Dave Hansen")


BOT = "@pspbot:example.org"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (element_pills("{b}: help member", {"b": (BOT, "psp-bot")}), "help member"),
        (element_pills("{b} ack PSP-2026-0001", {"b": (BOT, "psp-bot")}), "ack PSP-2026-0001"),
        (element_pills("{b}", {"b": (BOT, "psp-bot")}), "help"),
        (element_pills("{b}: !psp list", {"b": (BOT, "psp-bot")}), "!psp list"),
        ({"msgtype": "m.text", "body": "!psp show PSP-2026-0001"}, "!psp show PSP-2026-0001"),
        # A reply to the bot mentions it (Element adds the replied-to sender): no command.
        ({"msgtype": "m.text", "body": "tak!", "m.mentions": {"user_ids": [BOT]}}, None),
        (element_pills("spørg {b} bagefter", {"b": (BOT, "psp-bot")}), None),
        ({"msgtype": "m.text", "body": "godmorgen"}, None),
    ],
)
def test_a_message_that_begins_with_the_bots_pill_is_a_command(
    content: dict[str, Any], expected: str | None
) -> None:
    room = MatrixRoom("!room:example.org", BOT)
    assert message_command(content, content["body"], room, BOT) == expected


async def set_display_name(user: MatrixUser, name: str) -> None:
    status, _answer = await user.api(
        "PUT",
        f"/_matrix/client/v3/profile/{quote(user.user_id)}/displayname",
        {"displayname": name},
    )
    assert status == 200


async def seen_as(observer: MatrixUser, room_id: str, person: MatrixUser, name: str) -> None:
    """Synapse renames a person in their rooms shortly after the profile changes."""
    for _ in range(200):
        user = observer.client.rooms[room_id].users.get(person.user_id)
        if user is not None and user.display_name == name:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{person.localpart} was never renamed in the room")


@pytest.mark.synapse
async def test_every_way_a_client_names_a_person_is_understood(
    synapse: Synapse, tmp_path: Path, bot_engine: AsyncEngine, users: dict[str, MatrixUser]
) -> None:
    admin, anna, bo, carl = (users[n] for n in ("admin", "anna", "bo", "carl"))
    await set_display_name(carl, "Carl Hansen")
    await set_display_name(anna, "Anna Holm")
    bot = await start_bot(synapse, tmp_path, bot_engine, "pspbot")
    try:
        room = await group_room(users, bot)
        assert "Pillby" in (await admin.ask(bot.user_id, room, "!psp group setup Pillby")).body

        # A pill from the autocomplete: the body says only "Anna Holm".
        content = element_pills(
            "!psp member add {anna} police rep", {"anna": (anna.user_id, "Anna Holm")}
        )
        answer = await admin.ask_content(bot.user_id, room, content)
        assert "not a user" not in answer.body and "Anna Holm" in answer.body

        # An m.mentions entry without a pill (a client without HTML).
        content = {
            "msgtype": "m.text",
            "body": "!psp member add bo social lead",
            "m.mentions": {"user_ids": [bo.user_id]},
        }
        answer = await admin.ask_content(bot.user_id, room, content)
        assert "not a user" not in answer.body

        # A display name typed by hand, unique in the room (quoted: it has a space).
        answer = await admin.ask(bot.user_id, room, '!psp member add "Carl Hansen" psychiatry rep')
        assert "not a user" not in answer.body and "Carl Hansen" in answer.body

        listing = (await bo.ask(bot.user_id, room, "!psp member list")).body
        for person in (anna, bo, carl):
            assert person.user_id in listing or person.localpart in listing.lower()

        # In another argument: `assign <case> <agency> <pill>`.
        flagged = await anna.ask(bot.user_id, room, "!psp flag acute Borger truer naboer")
        ref = next(w for w in flagged.body.replace(":", " ").split() if w.startswith("PSP-"))
        content = element_pills(
            f"!psp assign {ref} psychiatry {{carl}}", {"carl": (carl.user_id, "Carl Hansen")}
        )
        answer = await bo.ask_content(bot.user_id, room, content)
        assert ref in answer.body and "is not" not in answer.body

        # A full id still works; a name nobody has is refused in one line, nothing changed.
        answer = await admin.ask(bot.user_id, room, "!psp member remove @nobody:nowhere.example")
        assert "\n" not in answer.body
        answer = await admin.ask(bot.user_id, room, '!psp member add "Bo Nobody" police rep')
        assert "Bo Nobody" in answer.body and "\n" not in answer.body.strip()

        # Two people now answer to "Carl Hansen": adding by that name is refused, in one line.
        await set_display_name(bo, "Carl Hansen")
        await seen_as(admin, room, bo, "Carl Hansen")  # the room's member event is in
        answer = await admin.ask(bot.user_id, room, '!psp member add "Carl Hansen" police rep')
        assert "several people" in answer.body

        helptext = (await admin.ask(bot.user_id, room, "!psp help member")).body
        assert "autocomplete" in helptext and "display name" in helptext
        # Addressing the bot by its pill, as people address bots in Element, is a command too.
        content = element_pills("{b}: member list", {"b": (bot.user_id, "pspbot")})
        listing = (await bo.ask_content(bot.user_id, room, content)).body
        assert anna.user_id in listing or "Anna Holm" in listing
    finally:
        await bot.stop()
        # The homeserver outlives this test: give the people their plain names back.
        for person in (anna, bo, carl):
            await set_display_name(person, person.localpart)
