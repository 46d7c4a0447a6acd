"""What each command emits (bot.domain.events) and how the one announcer (bot.announcing)
tells the group of it: the use cases change the record and say what happened; rooms, detail
levels, texts, mentions, buttons, threads and edits are chosen in one place. On the in-memory
fakes of the ports: the unit tier."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import announcing, app
from bot.clock import FakeClock
from bot.context import Context
from bot.demo import ensure_demo_group
from bot.domain import Agency, CaseId, Decision, Group, Platform
from bot.domain import events as ev
from bot.messages import Incoming, Reply, ReplyKind
from tests.conftest import Harness, build_harness
from tests.fakes import FakeUnitOfWorkFactory

pytestmark = pytest.mark.unit

REF = "PSP-2026-0001"


@dataclasses.dataclass
class Recorded:
    """The events each command published, in order (one list per command that ran)."""

    commands: list[list[ev.Event]] = dataclasses.field(default_factory=list)

    @property
    def last(self) -> list[ev.Event]:
        return self.commands[-1] if self.commands else []


@pytest.fixture
async def h() -> Harness:
    h = build_harness(None, FakeClock(), uow_factory=FakeUnitOfWorkFactory())
    await ensure_demo_group(h.uow_factory, h.clock)
    return h


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Recorded:
    seen = Recorded()
    publish = announcing.publish

    async def recording(ctx: Context) -> None:
        seen.commands.append(list(ctx.events))
        await publish(ctx)

    monkeypatch.setattr(app, "publish", recording)
    return seen


async def emitted(h: Harness, recorded: Recorded, user: str, command: str) -> list[ev.Event]:
    """The events one command emitted; none when it was refused (nothing was published)."""
    before = len(recorded.commands)
    await h.say(user, command)
    return recorded.last if len(recorded.commands) > before else []


async def member_id(h: Harness, user: str) -> int:
    async with h.uow_factory() as uow:
        found = await uow.groups.room_context(Platform.CONSOLE, "console", user)
        assert found is not None and found[2] is not None
        return found[2].id


async def case_id(h: Harness, ref: str = REF, *, group: str = "Demo") -> CaseId:
    async with h.uow_factory() as uow:
        found = await uow.groups.get_by_name(group)
        assert found is not None
        case = await uow.cases.get_by_ref(found.id, ref)
        assert case is not None
        return case.id


async def flagged(h: Harness) -> None:
    assert REF in await h.text("anna", "flag acute Borger truer naboer #threat")


# --- every event has its handler --------------------------------------------------------


def event_types() -> list[type[ev.Event]]:
    return [
        value
        for value in vars(ev).values()
        if inspect.isclass(value) and issubclass(value, ev.Event) and value is not ev.Event
    ]


def test_every_event_has_a_handler() -> None:
    missing = [t.__name__ for t in event_types() if t not in announcing.HANDLERS]
    assert missing == []


def test_the_handler_table_names_only_events() -> None:
    assert set(announcing.HANDLERS) <= set(event_types())


def test_events_carry_no_text_for_a_chat() -> None:
    """Ids and values: an event is frozen and none of its fields is rendered text."""
    for event_type in event_types():
        assert dataclasses.is_dataclass(event_type)
        assert event_type.__dataclass_params__.frozen  # type: ignore[attr-defined]
        names = {f.name for f in dataclasses.fields(event_type)}
        assert not names & {"full", "minimal", "line", "message", "reply", "key"}


async def test_an_event_without_a_handler_is_a_defect(h: Harness) -> None:
    @dataclasses.dataclass(frozen=True)
    class Unheard(ev.Event):
        pass

    async with h.uow_factory() as uow:
        ctx = await context_in(h, uow, "anna")
        ctx.emit(Unheard())
        with pytest.raises(LookupError, match="Unheard"):
            await announcing.publish(ctx)


# --- what the use cases emit ------------------------------------------------------------


async def test_flag_emits_case_flagged(h: Harness, recorded: Recorded) -> None:
    events = await emitted(h, recorded, "anna", "flag acute Borger truer naboer")
    assert events == [ev.CaseFlagged(await case_id(h))]


async def test_ack_emits_the_acknowledgement_once(h: Harness, recorded: Recorded) -> None:
    await flagged(h)
    events = await emitted(h, recorded, "bo", f"ack {REF}")
    assert events == [
        ev.AcknowledgementRecorded(await case_id(h), Agency.SOCIAL, await member_id(h, "bo"))
    ]
    # Already acknowledged: an answer, and nothing happened.
    assert await emitted(h, recorded, "bo", f"ack {REF}") == []


async def test_close_and_reopen_emit_what_happened(h: Harness, recorded: Recorded) -> None:
    await flagged(h)
    await h.say("anna", f"take {REF}")
    closing = f"close {REF} Borger indlagt --outcome treatment-started"
    assert await emitted(h, recorded, "anna", closing) == [
        ev.CaseClosed(await case_id(h), await member_id(h, "anna"))
    ]
    assert await emitted(h, recorded, "erik", f'reopen {REF} "Ny henvendelse"') == [
        ev.CaseReopened(await case_id(h), await member_id(h, "erik"))
    ]


@pytest.mark.parametrize(
    ("user", "command"),
    [
        ("anna", f"close {REF} Løst --outcome treatment-started"),  # nobody responsible
        ("anna", f'reopen {REF} "igen"'),  # not the lead, and open
        ("bo", f"accept {REF}"),  # no proposal
        ("carl", f"decline {REF} nej"),  # no proposal
        ("anna", "assign PSP-2026-0099 social"),  # no such case
    ],
)
async def test_a_refused_command_emits_nothing(
    h: Harness, recorded: Recorded, user: str, command: str
) -> None:
    await flagged(h)
    replies = await h.say(user, command)
    assert [r.kind for r in replies] == [ReplyKind.ERROR]
    assert await emitted(h, recorded, user, command) == []


async def test_take_emits_responsibility_placed(h: Harness, recorded: Recorded) -> None:
    await flagged(h)
    assert await emitted(h, recorded, "carl", f"take {REF}") == [
        ev.ResponsibilityPlaced(
            await case_id(h), Agency.PSYCHIATRY, await member_id(h, "carl"), "take"
        )
    ]


async def test_a_proposal_and_its_answers(h: Harness, recorded: Recorded) -> None:
    await flagged(h)
    case, anna, carl = await case_id(h), await member_id(h, "anna"), await member_id(h, "carl")
    assert await emitted(h, recorded, "anna", f"assign {REF} psychiatry @carl") == [
        ev.ResponsibilityProposed(case, Agency.PSYCHIATRY, anna, carl)
    ]
    assert await emitted(h, recorded, "carl", f"decline {REF} Ikke vores") == [
        ev.ProposalDeclined(case, Agency.PSYCHIATRY, carl)
    ]
    assert await emitted(h, recorded, "anna", f"assign {REF} psychiatry") == [
        ev.ResponsibilityProposed(case, Agency.PSYCHIATRY, anna, None)
    ]
    assert await emitted(h, recorded, "carl", f"accept {REF}") == [
        ev.ResponsibilityPlaced(case, Agency.PSYCHIATRY, carl, "accept")
    ]


async def test_the_leads_assignment_places_at_once(h: Harness, recorded: Recorded) -> None:
    await flagged(h)
    assert await emitted(h, recorded, "erik", f"assign {REF} police") == [
        ev.ResponsibilityPlaced(
            await case_id(h), Agency.POLICE, await member_id(h, "erik"), "assign"
        )
    ]


async def test_assigning_to_ones_own_agency_is_told_as_an_assignment(
    h: Harness, recorded: Recorded
) -> None:
    await flagged(h)
    events = await emitted(h, recorded, "bo", f"assign {REF} social")
    assert [(type(e), getattr(e, "how", None)) for e in events] == [
        (ev.ResponsibilityPlaced, "assign")
    ]
    replies = await h.say("carl", f"show {REF}")
    assert "responsible: social services" in replies[0].text


# --- how the announcer tells it ----------------------------------------------------------


async def context_in(
    h: Harness, uow: object, user: str, room: str = "console", locale: str = "en"
) -> Context:
    """The context of a command `user` typed in `room`, as the core builds it."""
    found = await uow.groups.room_context(Platform.CONSOLE, room, user)  # type: ignore[attr-defined]
    assert found is not None
    binding, group, member = found
    return Context(
        uow=uow,  # type: ignore[arg-type]
        incoming=Incoming(
            platform=Platform.CONSOLE, room=room, sender=user, text="", event_id="$cmd"
        ),
        locale=locale,
        now=h.clock.now(),
        binding=binding,
        group=group,
        member=member,
        is_admin=False,
        insecure_allowed=True,
    )


@pytest.fixture
async def rooms(h: Harness) -> Harness:
    """The demo group with a second, minimal-detail operative room and a steering room."""
    await h.say("admin", "group setup Demo --detail minimal", room="vagt")
    await h.say("admin", "group setup Demo --room steering", room="styre")
    return h


async def told(h: Harness, user: str, *events: ev.Event, locale: str = "en") -> list[Reply]:
    async with h.uow_factory() as uow:
        ctx = await context_in(h, uow, user, locale=locale)
        for event in events:
            ctx.emit(event)
        await announcing.publish(ctx)
        return ctx.replies


def by_room(replies: list[Reply]) -> dict[str, list[Reply]]:
    rooms: dict[str, list[Reply]] = {}
    for reply in replies:
        rooms.setdefault(reply.room.room_id, []).append(reply)
    return rooms


async def test_a_flagged_case_is_alerted_in_every_operative_room(rooms: Harness) -> None:
    await flagged(rooms)
    replies = await told(rooms, "anna", ev.CaseFlagged(await case_id(rooms)))
    seen = by_room(replies)
    assert set(seen) == {"console", "vagt"}  # not the steering room
    full, minimal = seen["console"][0], seen["vagt"][0]
    assert all(r.kind is ReplyKind.ALERT and r.message_key == f"alert:{REF}" for r in replies)
    assert "Borger truer naboer" in full.text and "Borger truer naboer" not in minimal.text
    assert REF in minimal.text
    assert full.in_reply_to == "$cmd" and minimal.in_reply_to is None
    assert [a.command for a in full.actions] == [f"ack {REF}", f"take {REF}", f"show {REF}"]
    assert {m.display_name for m in full.mentions} == {"bo", "carl", "erik"}


async def test_a_change_is_told_in_the_thread_and_rewrites_the_alert(rooms: Harness) -> None:
    await flagged(rooms)
    await rooms.say("bo", f"ack {REF}")
    event = ev.AcknowledgementRecorded(
        await case_id(rooms), Agency.SOCIAL, await member_id(rooms, "bo")
    )
    replies = await told(rooms, "bo", event)
    assert [(r.room.room_id, r.kind) for r in replies] == [
        ("console", ReplyKind.UPDATE),
        ("vagt", ReplyKind.UPDATE),
        ("console", ReplyKind.ALERT),
        ("vagt", ReplyKind.ALERT),
    ]
    update, rewrite = replies[0], replies[2]
    assert update.thread_of == f"alert:{REF}" and "bo" in update.text
    assert update.in_reply_to == "$cmd" and replies[1].in_reply_to is None
    assert rewrite.edit_of == f"alert:{REF}" and rewrite.in_reply_to is None
    assert rewrite.message_key is not None and rewrite.message_key.startswith(f"alert:{REF}:v")


async def test_the_reader_reads_it_in_their_language(h: Harness) -> None:
    await flagged(h)
    event = ev.CaseClosed(await case_id(h), await member_id(h, "anna"))
    english = await told(h, "anna", event)
    danish = await told(h, "anna", event, locale="da")
    assert english[0].text != danish[0].text
    assert english[0].message_key == danish[0].message_key


async def test_an_assignment_mentions_the_agency_asked(h: Harness) -> None:
    await flagged(h)
    case, anna = await case_id(h), await member_id(h, "anna")
    on_duty = await told(h, "anna", ev.ResponsibilityProposed(case, Agency.POLICE, anna))
    assert [m.display_name for m in on_duty[0].mentions] == ["anna"]
    named = await told(
        h, "anna", ev.ResponsibilityProposed(case, Agency.POLICE, anna, await member_id(h, "dina"))
    )
    assert [m.display_name for m in named[0].mentions] == ["dina"]
    taken = await told(h, "anna", ev.ResponsibilityPlaced(case, Agency.POLICE, anna, "take"))
    assert taken[0].mentions == ()


async def test_nothing_emitted_tells_nothing(h: Harness) -> None:
    assert await told(h, "anna") == []


# --- the case's record -------------------------------------------------------------------


async def test_decisions_and_notes_emit_their_numbers(h: Harness, recorded: Recorded) -> None:
    await flagged(h)
    case, anna = await case_id(h), await member_id(h, "anna")
    decide = f'decide {REF} "Opsøgende besøg" --due 2026-12-01'
    assert await emitted(h, recorded, "anna", decide) == [
        ev.DecisionRecorded(case, await decision(h, case, 1), anna)
    ]
    assert await emitted(h, recorded, "anna", f"done {REF} 1") == [ev.DecisionDone(case, 1, anna)]
    assert await emitted(h, recorded, "anna", f"done {REF} 1") == []  # already done
    assert await emitted(h, recorded, "bo", f"note {REF} Ringet til borger") == [
        ev.NoteAdded(case, 1)
    ]
    assert await emitted(h, recorded, "bo", f"done {REF} 7") == []  # refused


async def test_an_escalation_emits_its_number_and_words(h: Harness, recorded: Recorded) -> None:
    group = (await context_group(h)).id
    assert await emitted(h, recorded, "erik", "escalate Regler er uklare") == [
        ev.ProblemEscalated(group, 1, await member_id(h, "erik"), "Regler er uklare")
    ]


async def decision(h: Harness, case: CaseId, number: int) -> Decision:
    async with h.uow_factory() as uow:
        return {d.number: d for d in await uow.cases.decisions(case)}[number]


async def context_group(h: Harness) -> Group:
    async with h.uow_factory() as uow:
        group = await uow.groups.get_by_name("Demo")
        assert group is not None
        return group


async def test_a_decision_is_told_in_full_and_as_a_headline(rooms: Harness) -> None:
    await flagged(rooms)
    await rooms.say("anna", f'decide {REF} "Opsøgende besøg" --due 2026-12-01')
    case, anna = await case_id(rooms), await member_id(rooms, "anna")
    event = ev.DecisionRecorded(case, await decision(rooms, case, 1), anna)
    seen = by_room(await told(rooms, "anna", event))
    assert set(seen) == {"console", "vagt"}
    full, minimal = seen["console"][0], seen["vagt"][0]
    assert "Opsøgende besøg" in full.text and "Opsøgende besøg" not in minimal.text
    assert full.thread_of == minimal.thread_of == f"alert:{REF}"
    assert full.message_key == f"decision:{REF}:1"


async def test_a_note_is_the_answer_only(rooms: Harness) -> None:
    await flagged(rooms)
    await rooms.say("bo", f"note {REF} Ringet til borger")
    replies = await told(rooms, "bo", ev.NoteAdded(await case_id(rooms), 1))
    assert [(r.room.room_id, r.kind, r.in_reply_to) for r in replies] == [
        ("console", ReplyKind.ANSWER, "$cmd")
    ]


async def test_an_escalation_goes_to_the_steering_rooms(rooms: Harness) -> None:
    await rooms.say("erik", "escalate Regler er uklare")
    group = await context_group(rooms)
    erik = await member_id(rooms, "erik")
    event = ev.ProblemEscalated(group.id, 1, erik, "Regler er uklare")
    replies = await told(rooms, "erik", event)
    assert [(r.room.room_id, r.kind) for r in replies] == [
        ("styre", ReplyKind.ESCALATION),
        ("console", ReplyKind.ANSWER),
    ]
    assert "Regler er uklare" in replies[0].text and "Regler" not in replies[1].text


# --- meetings -----------------------------------------------------------------------------

MEETING_DAY = datetime(2026, 12, 1, 8, 5, tzinfo=UTC)  # 09:05 in Copenhagen


async def test_scheduling_and_cancelling_emit_the_meeting(h: Harness, recorded: Recorded) -> None:
    group = (await context_group(h)).id
    schedule = "meeting schedule 2026-12-01 09:00 --every month --theme 'Unge i bolig'"
    assert await emitted(h, recorded, "erik", schedule) == [ev.MeetingScheduled(group, 1)]
    assert await emitted(h, recorded, "anna", schedule) == []  # the lead's
    assert await emitted(h, recorded, "erik", "meeting cancel 1 2026-12-01") == [
        ev.MeetingCancelled(group, 1, 1, datetime(2026, 12, 1, 9, 0))
    ]
    assert await emitted(h, recorded, "erik", "meeting cancel 1 2026-12-01") == []  # already
    assert await emitted(h, recorded, "erik", "meeting cancel 1 all") == [
        ev.MeetingCancelled(group, 1, 2)
    ]


async def test_running_a_meeting_emits_its_start_and_each_case(
    h: Harness, recorded: Recorded
) -> None:
    group, erik = (await context_group(h)).id, await member_id(h, "erik")
    await h.say("erik", "meeting schedule 2026-12-01 09:00 --theme 'Unge i bolig'")
    await flagged(h)
    h.clock.set(MEETING_DAY)
    assert await emitted(h, recorded, "erik", "meeting start") == [
        ev.MeetingStarted(group, 1, erik, 1)
    ]
    assert await emitted(h, recorded, "anna", "next") == [
        ev.CasePresented(group, 1, await case_id(h), 1, 1)
    ]
    assert await emitted(h, recorded, "anna", "next") == []  # no more: an answer only


async def test_a_meeting_is_told_in_the_operative_rooms(rooms: Harness) -> None:
    h = rooms
    await h.say("erik", "meeting schedule 2026-12-01 09:00 --theme 'Unge i bolig'")
    await flagged(h)
    h.clock.set(MEETING_DAY)
    await h.say("erik", "meeting start")
    group, erik = (await context_group(h)).id, await member_id(h, "erik")
    seen = by_room(await told(h, "erik", ev.MeetingScheduled(group, 1)))
    assert set(seen) == {"console", "vagt"}
    assert seen["console"][0].text == seen["vagt"][0].text  # nothing in it is the case's
    assert seen["console"][0].message_key == f"meeting:{group}:1:0"
    seen = by_room(await told(h, "erik", ev.MeetingStarted(group, 1, erik, 1)))
    assert "Unge i bolig" in seen["console"][0].text
    assert "Unge i bolig" not in seen["vagt"][0].text
    await h.say("erik", "next")
    seen = by_room(await told(h, "erik", ev.CasePresented(group, 1, await case_id(h), 1, 1)))
    assert "Borger truer naboer" in seen["console"][0].text
    assert "Borger truer naboer" not in seen["vagt"][0].text
    assert REF in seen["vagt"][0].text
    cancelled = await told(h, "erik", ev.MeetingCancelled(group, 1, 1))
    assert [r.room.room_id for r in cancelled] == ["console", "vagt"]
    assert cancelled[0].message_key == f"meeting:{group}:1:1"


# --- the end of a meeting, and what passes between groups --------------------------------


async def test_ending_a_meeting_emits_it_and_posts_the_minutes(rooms: Harness) -> None:
    h = rooms
    await h.say("erik", "meeting schedule 2026-12-01 09:00")
    await flagged(h)
    h.clock.set(MEETING_DAY)
    await h.say("erik", "meeting start")
    group = (await context_group(h)).id
    replies = await told(h, "erik", ev.MeetingEnded(group, 1))
    seen = by_room(replies)
    assert set(seen) == {"console", "vagt"}
    assert seen["console"][0].attachments and not seen["vagt"][0].attachments
    assert seen["console"][0].message_key == f"minutes:{group}:1"


async def test_meeting_end_emits_meeting_ended(h: Harness, recorded: Recorded) -> None:
    await h.say("erik", "meeting schedule 2026-12-01 09:00")
    h.clock.set(MEETING_DAY)
    await h.say("erik", "meeting start")
    group = (await context_group(h)).id
    assert await emitted(h, recorded, "erik", "meeting end") == [ev.MeetingEnded(group, 1)]
    assert await emitted(h, recorded, "erik", "meeting end") == []  # none running
    assert await emitted(h, recorded, "erik", "meeting minutes 1") == []  # a query


async def other_group(h: Harness) -> Group:
    await h.say("admin", "group setup Vest --prefix VST", room="vest")
    await h.say("admin", "member add vera social lead", room="vest")
    async with h.uow_factory() as uow:
        group = await uow.groups.get_by_name("Vest")
        assert group is not None
        return group


async def test_a_transfer_emits_its_request_and_its_acceptance(
    h: Harness, recorded: Recorded
) -> None:
    vest = await other_group(h)
    await flagged(h)
    source = await case_id(h)
    assert await emitted(h, recorded, "erik", f"transfer {REF} Vest") == [
        ev.TransferRequested(source, vest.id)
    ]
    assert await emitted(h, recorded, "anna", f"transfer {REF} Vest") == []  # the lead's
    before = len(recorded.commands)
    await h.say("vera", f"transfer accept {REF}", room="vest")
    assert len(recorded.commands) == before + 1
    demo = (await context_group(h)).id
    assert recorded.last == [
        ev.TransferAccepted(source, demo, await case_id(h, "VST-2026-0001", group="Vest"))
    ]


async def test_a_transfer_is_told_to_the_other_group(h: Harness) -> None:
    vest = await other_group(h)
    await flagged(h)
    await h.say("erik", f"transfer {REF} Vest")
    replies = await told(h, "erik", ev.TransferRequested(await case_id(h), vest.id))
    assert [(r.room.room_id, r.kind) for r in replies] == [
        ("vest", ReplyKind.UPDATE),
        ("console", ReplyKind.ANSWER),
    ]
    assert "Borger truer naboer" not in replies[0].text  # never the summary to another group


async def test_a_steering_answer_emits_and_tells_the_group(h: Harness, recorded: Recorded) -> None:
    await h.say("admin", "steering setup Styregruppe Nord", room="styregruppe")
    await h.say("admin", "steering add Demo", room="styregruppe")
    await h.say("erik", "escalate Reglerne er uklare")
    group = (await context_group(h)).id
    before = len(recorded.commands)
    replies = await h.say(
        "kirsten", "escalate answer 1 Vi tager det op --group Demo", room="styregruppe"
    )
    assert recorded.commands[before:] == [[ev.EscalationAnswered(group, 1, "Vi tager det op")]]
    assert [(r.room.room_id, r.kind) for r in replies] == [
        ("console", ReplyKind.ESCALATION),
        ("styregruppe", ReplyKind.ANSWER),
    ]


# --- what only the caller hears ------------------------------------------------------------


async def test_guests_are_invited_and_removed(h: Harness, recorded: Recorded) -> None:
    await flagged(h)
    case = await case_id(h)
    invited = await emitted(h, recorded, "erik", f"guest add {REF} @gitte gp --until 2026-12-01")
    assert [(type(e), getattr(e, "agency", None)) for e in invited] == [
        (ev.GuestInvited, Agency.GP)
    ]
    assert isinstance(invited[0], ev.GuestInvited) and invited[0].case_id == case
    assert await emitted(h, recorded, "anna", f"guest add {REF} @hans housing") == []  # refused
    removed = await emitted(h, recorded, "erik", f"guest remove {REF} @gitte")
    assert removed == [ev.GuestRemoved(case, invited[0].guest)]
    replies = await told(h, "erik", invited[0])
    assert [(r.room.room_id, r.kind) for r in replies] == [("console", ReplyKind.ANSWER)]
    assert "gitte (GP) may now" in replies[0].text and "2026-12-01" in replies[0].text


async def test_an_escalation_marked_handled(h: Harness, recorded: Recorded) -> None:
    await h.say("erik", "escalate Regler er uklare")
    group = (await context_group(h)).id
    assert await emitted(h, recorded, "erik", "escalate handled 1") == [
        ev.EscalationHandled(group, 1)
    ]
    assert await emitted(h, recorded, "erik", "escalate handled 1") == []  # already


async def test_the_agenda_and_the_meeting_marks(h: Harness, recorded: Recorded) -> None:
    await h.say("erik", "meeting schedule 2026-12-01 09:00")
    await flagged(h)
    case = await case_id(h)
    assert await emitted(h, recorded, "erik", f"meeting agenda remove {REF}") == [
        ev.AgendaChanged(case, added=False)
    ]
    assert await emitted(h, recorded, "erik", f"meeting agenda add {REF}") == [
        ev.AgendaChanged(case, added=True)
    ]
    h.clock.set(MEETING_DAY)
    await h.say("erik", "meeting start")
    assert await emitted(h, recorded, "bo", f"discussed {REF}") == [
        ev.CaseMarked(case, discussed=True, done=1, total=1)
    ]
    replies = await told(h, "erik", ev.AgendaChanged(case, added=True, running_cases=2))
    assert [(r.room.room_id, r.kind) for r in replies] == [("console", ReplyKind.ANSWER)]


# --- one place builds what the group reads ---------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]

# Where a reply may still be built outside bot/announcing, and why: the core's refusals and
# the caller's answer (`Context.answer`), answers that carry a file (a report, the calendar),
# the outbox rebuilding its rows, and what the scheduler and the delivery worker send on
# their own, when no command runs.
REPLIES_ELSEWHERE = {
    "bot/app.py",
    "bot/context.py",
    "bot/evaluation/reporting.py",
    "bot/scheduling/meetings.py",
    "bot/ports/outbox.py",
    "bot/delivery/leads.py",
    "bot/evaluation/yearly.py",
    "bot/paging.py",
    "bot/retention.py",
    "bot/scheduling/notice_base.py",
}


def builds_replies(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "Reply":
            return True
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "append"
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "replies"
        ):
            return True
    return False


def test_no_use_case_builds_a_reply_for_the_group() -> None:
    """Use cases emit; rooms, texts and mentions are chosen in bot/announcing only."""
    builders = {
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if "announcing" not in path.parts and builds_replies(path)
    }
    assert builders == REPLIES_ELSEWHERE
