"""The contract of the record-keeping and scheduling ports (escalations, audit log, processed
events, posted messages, adapter state, meetings, the notification ledger, the follow-up
queries), on the in-memory fakes, SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Agency, Platform, Urgency
from bot.ports import NotificationKey, UnitOfWorkFactory
from tests.test_contract_core import T0, a_case, a_group, a_member

Backend = tuple[UnitOfWorkFactory, AsyncEngine | None]


async def test_escalations_are_numbered_per_group_and_handled_once(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        nord, syd = await a_group(uow), await a_group(uow, "Syd")
        anna = await a_member(uow, nord, "anna", Agency.POLICE)
        numbers = [
            await uow.escalations.add(group_id=nord.id, text="én", by_member=anna, at=T0),
            await uow.escalations.add(group_id=nord.id, text="to", by_member=anna, at=T0),
            await uow.escalations.add(group_id=syd.id, text="tre", by_member=anna, at=T0),
        ]
        await uow.commit()
    assert numbers == [1, 2, 1]
    async with factory() as uow:
        assert await uow.escalations.mark_handled(nord.id, 1, at=T0) is True
        assert await uow.escalations.mark_handled(nord.id, 1, at=T0) is False
        assert await uow.escalations.mark_handled(nord.id, 9, at=T0) is None
        await uow.commit()
    async with factory() as uow:
        still_open = await uow.followup.open_escalations(nord.id)
        assert [(e.number, e.text, e.at) for e in still_open] == [(2, "to", T0)]


async def test_the_audit_log_gives_a_cases_latest_entries_oldest_first(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        anna = await a_member(uow, group, "anna", Agency.POLICE)
        case = await a_case(uow, group, 1, by=anna)
        for n, action in enumerate(("flag", "ack", "show", "close")):
            await uow.audit.record(
                at=T0 + timedelta(minutes=n),
                action=action,
                actor_member_id=anna,
                group_id=group.id,
                case_id=case.id,
                binding_id=None,
                detail=f"d{n}",
            )
        await uow.audit.record(
            at=T0,
            action="group.setup",
            actor_member_id=None,
            group_id=group.id,
            case_id=None,
            binding_id=None,
        )
        await uow.commit()
    async with factory() as uow:
        entries = await uow.audit.for_case(case.id, limit=3)
    assert [(e.action, e.detail, e.at) for e in entries] == [
        ("ack", "d1", T0 + timedelta(minutes=1)),
        ("show", "d2", T0 + timedelta(minutes=2)),
        ("close", "d3", T0 + timedelta(minutes=3)),
    ]
    assert {(e.actor_member_id, e.group_id, e.case_id) for e in entries} == {
        (anna, group.id, case.id)
    }


async def test_an_event_is_claimed_once_per_platform(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        assert await uow.events.claim(Platform.MATRIX, "$e1", at=T0) is True
        assert await uow.events.claim(Platform.MATRIX, "$e1", at=T0) is False
        assert await uow.events.claim(Platform.SLACK, "$e1", at=T0) is True
        await uow.commit()
    async with factory() as uow:
        assert await uow.events.claim(Platform.MATRIX, "$e1", at=T0) is False


async def test_posted_messages_are_found_by_key_and_by_case_and_forgotten(
    backend: Backend,
) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        anna = await a_member(uow, group, "anna", Agency.POLICE)
        case = await a_case(uow, group, 1, by=anna)
        for message_id, key in (("m1", "alert"), ("m2", "alert"), ("m3", None)):
            await uow.messages.record(
                platform=Platform.MATRIX,
                room_id="!a",
                message_id=message_id,
                case_id=case.id,
                message_key=key,
                at=T0,
            )
        await uow.messages.record(
            platform=Platform.SLACK,
            room_id="C1",
            message_id="s1",
            case_id=None,
            message_key="alert",
            at=T0,
        )
        await uow.commit()
    async with factory() as uow:
        assert await uow.messages.find(Platform.MATRIX, "!a", "alert") == "m2"
        assert await uow.messages.find(Platform.MATRIX, "!b", "alert") is None
        posted = await uow.messages.for_case(case.id)
        assert [(p.platform, p.room_id, p.message_id) for p in posted] == [
            (Platform.MATRIX, "!a", "m1"),
            (Platform.MATRIX, "!a", "m2"),
            (Platform.MATRIX, "!a", "m3"),
        ]
        assert await uow.messages.pending_retraction(limit=10) == []
        await uow.messages.forget([posted[0].id, posted[2].id])
        await uow.commit()
    async with factory() as uow:
        assert [p.message_id for p in await uow.messages.for_case(case.id)] == ["m2"]


async def test_adapter_state_is_kept_and_overwritten(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        assert await uow.state.get("matrix.sync") is None
        await uow.state.put("matrix.sync", "s1", at=T0)
        await uow.state.put("matrix.sync", "s2", at=T0)
        await uow.commit()
    async with factory() as uow:
        assert await uow.state.get("matrix.sync") == "s2"


async def test_meetings_are_numbered_per_group_saved_and_found_when_due(
    backend: Backend,
) -> None:
    factory, _ = backend
    start = datetime(2026, 12, 1, 14, 0)
    async with factory() as uow:
        nord, syd = await a_group(uow), await a_group(uow, "Syd")
        first = await uow.meetings.add(
            group_id=nord.id,
            start_local=start,
            timezone="Europe/Copenhagen",
            duration_minutes=60,
            rule="FREQ=MONTHLY",
            theme="Tema",
            remind=(86400, 3600),
            created_by=None,
            at=T0,
        )
        second = await uow.meetings.add(
            group_id=nord.id,
            start_local=start + timedelta(days=7),
            timezone="Europe/Copenhagen",
            duration_minutes=60,
            rule=None,
            theme=None,
            remind=(),
            created_by=None,
            at=T0,
        )
        elsewhere = await uow.meetings.add(
            group_id=syd.id,
            start_local=start,
            timezone="UTC",
            duration_minutes=30,
            rule=None,
            theme=None,
            remind=(),
            created_by=None,
            at=T0,
        )
        await uow.commit()
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert (first.theme, first.remind, first.exdates, first.sequence) == (
        "Tema",
        (86400, 3600),
        frozenset(),
        0,
    )
    later = T0 + timedelta(hours=1)
    async with factory() as uow:
        changed = replace(
            first,
            exdates=frozenset({start}),
            sequence=1,
            next_due_at=T0 + timedelta(days=1),
            updated_at=later,
        )
        await uow.meetings.save(changed)
        await uow.meetings.save(replace(second, cancelled=True, updated_at=later))
        await uow.meetings.set_next_due(elsewhere.id, T0)
        await uow.commit()
    async with factory() as uow:
        assert await uow.meetings.get(nord.id, 1) == changed
        assert await uow.meetings.by_id(first.id) == changed
        assert [m.number for m in await uow.meetings.list(nord.id)] == [1]
        listed = await uow.meetings.list(nord.id, include_cancelled=True)
        assert [m.number for m in listed] == [1, 2]
        due = await uow.meetings.due(T0 + timedelta(days=2), limit=10)
        assert [m.id for m in due] == [elsewhere.id, first.id]
        assert [m.id for m in await uow.meetings.due(T0, limit=10)] == [elsewhere.id]
        assert await uow.followup.next_due() == T0
        assert await uow.followup.group_zones() == [(nord.id, "UTC"), (syd.id, "UTC")]


async def test_the_ledger_sends_each_notification_once(backend: Backend) -> None:
    factory, _ = backend
    key = NotificationKey("reminder", "m1", "2026-12-01T14:00", "3600")
    other = NotificationKey("reminder", "m1", "2026-12-01T14:00", "86400")
    async with factory() as uow:
        group = await a_group(uow)
        claim = {"group_id": group.id, "due_at": T0, "late": False}
        assert await uow.ledger.claim(key, **claim, at=T0, stale_before=T0) is True
        assert await uow.ledger.claim(key, **claim, at=T0, stale_before=T0) is False
        await uow.commit()
    async with factory() as uow:
        # A claim never marked sent is stale after a while and may be taken over once.
        assert await uow.ledger.stale_claims(T0 + timedelta(minutes=5), limit=10) == [key]
        later = T0 + timedelta(minutes=10)
        assert await uow.ledger.claim(key, **claim, at=later, stale_before=later) is True
        assert await uow.ledger.claim(key, **claim, at=later, stale_before=later) is False
        await uow.ledger.mark_sent(key, at=later)
        await uow.ledger.skip(other, group_id=group.id, due_at=T0, at=later)
        await uow.ledger.skip(other, group_id=group.id, due_at=T0, at=later)
        await uow.ledger.record_sent(
            [NotificationKey("fallback", "c1", "", "1")], group_id=group.id, at=later
        )
        await uow.commit()
    async with factory() as uow:
        far = T0 + timedelta(days=1)
        assert await uow.ledger.claim(key, **claim, at=far, stale_before=far) is False
        assert await uow.ledger.claim(other, **claim, at=far, stale_before=far) is False
        assert await uow.ledger.stale_claims(far, limit=10) == []
        assert await uow.ledger.known("reminder", ["m1", "m2"]) == {key, other}
        assert await uow.ledger.known("fallback", ["c1"]) == {
            NotificationKey("fallback", "c1", "", "1")
        }
        assert await uow.ledger.known("reminder", []) == set()


async def test_follow_up_watches_new_cases_and_finds_decisions_due(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        anna = await a_member(uow, group, "anna", Agency.POLICE)
        cases = {}
        for number, urgency in enumerate((Urgency.ACUTE, Urgency.URGENT, Urgency.NORMAL), 1):
            at = T0 + timedelta(minutes=number)
            cases[urgency] = await a_case(uow, group, number, by=anna, urgency=urgency, at=at)
        for due in (date(2026, 12, 3), date(2026, 12, 1), None):
            await uow.cases.add_decision(
                cases[Urgency.URGENT].id,
                text=f"due {due}",
                owner=Agency.POLICE,
                due=due,
                fallback=None,
                fallback_owner=None,
                by_member=anna,
                at=T0,
            )
        await uow.cases.mark_decision_done(cases[Urgency.URGENT].id, 1, at=T0)
        await uow.commit()
    steps = {Urgency.ACUTE: timedelta(minutes=30), Urgency.URGENT: timedelta(hours=4)}
    async with factory() as uow:
        assert await uow.followup.discover_cases(T0, first_steps=steps) == 2
        assert await uow.followup.discover_cases(T0, first_steps=steps) == 0
        await uow.commit()
    acute, urgent = cases[Urgency.ACUTE].id, cases[Urgency.URGENT].id
    async with factory() as uow:
        assert await uow.followup.next_due() == T0 + timedelta(minutes=31)
        assert await uow.followup.due_watches(T0 + timedelta(hours=5), limit=10) == [acute, urgent]
        assert await uow.followup.due_watches(T0 + timedelta(hours=1), limit=10) == [acute]
        await uow.followup.set_watch(acute, None)
        await uow.commit()
    async with factory() as uow:
        assert await uow.followup.due_watches(T0 + timedelta(days=1), limit=10) == [urgent]
        assert await uow.followup.due_watches(T0, limit=10) == []
        due = await uow.followup.open_decisions(group.id, due_by=date(2026, 12, 2))
        assert [(d.case_id, d.case_ref, d.decision.number) for d in due] == [
            (urgent, "PSP-2026-0002", 2)
        ]
        assert due[0].case_created_at == T0 + timedelta(minutes=2)
        assert due[0].decision.text == "due 2026-12-01"
        none_yet = await uow.followup.open_decisions(group.id, due_by=date(2026, 11, 30))
        assert none_yet == []
        assert await uow.followup.due_watches(T0 - timedelta(days=1), limit=10) == []


async def test_due_watches_put_acute_cases_before_urgent_ones(backend: Backend) -> None:
    """The scheduler works through a backlog in this order: acute first, however long an
    urgent case has been due."""
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        anna = await a_member(uow, group, "anna", Agency.POLICE)
        urgent = await a_case(uow, group, 1, by=anna, urgency=Urgency.URGENT, at=T0)
        day = timedelta(days=1)
        late = await a_case(uow, group, 2, by=anna, urgency=Urgency.ACUTE, at=T0 + 2 * day)
        early = await a_case(uow, group, 3, by=anna, urgency=Urgency.ACUTE, at=T0 + day)
        await uow.commit()
    steps = {Urgency.ACUTE: timedelta(minutes=15), Urgency.URGENT: timedelta(minutes=1)}
    async with factory() as uow:
        assert await uow.followup.discover_cases(T0, first_steps=steps) == 3
        await uow.commit()
    async with factory() as uow:
        now = T0 + timedelta(days=3)
        assert await uow.followup.due_watches(now, limit=10) == [early.id, late.id, urgent.id]
        assert await uow.followup.due_watches(now, limit=2) == [early.id, late.id]


async def test_a_groups_authorities_are_its_own_choice_or_none(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        nord, syd = await a_group(uow), await a_group(uow, "Syd")
        assert await uow.access.authorities(nord.id) is None
        chosen = [Agency.SOCIAL, Agency.POLICE, Agency.SOCIAL]
        await uow.access.set_authorities(nord.id, chosen)
        await uow.access.set_authorities(syd.id, [Agency.PSYCHIATRY])
        await uow.commit()
    async with factory() as uow:
        assert await uow.access.authorities(nord.id) == (Agency.POLICE, Agency.SOCIAL)
        await uow.access.set_authorities(syd.id, None)
        await uow.commit()
    async with factory() as uow:
        assert await uow.access.authorities(syd.id) is None
        assert await uow.access.authorities(nord.id) == (Agency.POLICE, Agency.SOCIAL)
