"""One contract for the repository ports, run on the in-memory fakes, SQLite and PostgreSQL
(the `backend` fixture): what the core relies on from storage, so the fakes the unit tier
runs on cannot drift from the real thing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import (
    Acknowledgement,
    Agency,
    Case,
    CaseDetails,
    CaseStatus,
    DetailLevel,
    Group,
    GroupKind,
    Member,
    MemberId,
    Platform,
    ResponsibilityChange,
    Role,
    RoomBinding,
    RoomPurpose,
    Tag,
    Urgency,
)
from bot.ports import ConcurrentUpdateError, UnitOfWork, UnitOfWorkFactory

Backend = tuple[UnitOfWorkFactory, AsyncEngine | None]
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def a_group(uow: UnitOfWork, name: str = "Nord") -> Group:
    return await uow.groups.add(name=name, kind=GroupKind.PSP, prefix="PSP", timezone="UTC")


async def a_room(uow: UnitOfWork, group: Group, room_id: str) -> RoomBinding:
    """An operative Matrix room of the group, with every detail shown."""
    return await uow.groups.bind(
        group_id=group.id,
        platform=Platform.MATRIX,
        room_id=room_id,
        detail=DetailLevel.FULL,
        purpose=RoomPurpose.OPERATIVE,
    )


async def join(
    uow: UnitOfWork,
    group: Group,
    user: str,
    agency: Agency,
    *,
    platform: Platform = Platform.CONSOLE,
    role: Role = Role.REP,
) -> Member:
    return await uow.members.add(
        group_id=group.id,
        platform=platform,
        user_id=user,
        display_name=user.lstrip("@").capitalize(),
        agency=agency,
        role=role,
    )


async def a_member(uow: UnitOfWork, group: Group, user: str, agency: Agency) -> MemberId:
    return (await join(uow, group, user, agency)).id


async def a_case(
    uow: UnitOfWork,
    group: Group,
    number: int,
    *,
    by: MemberId,
    urgency: Urgency = Urgency.ACUTE,
    summary: str = "s",
    at: datetime = T0,
) -> Case:
    return await uow.cases.add(
        group_id=group.id,
        ref=f"PSP-2026-{number:04d}",
        urgency=urgency,
        summary=summary,
        tags=(),
        flagged_by=by,
        flagging_agency=Agency.POLICE,
        at=at,
    )


async def test_what_is_committed_stays_and_what_is_not_is_gone(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        await a_group(uow, "kept")
        await uow.commit()
    async with factory() as uow:
        await a_group(uow, "dropped")
    async with factory() as uow:
        await a_group(uow, "rolled back")
        await uow.rollback()
        await uow.commit()
    async with factory() as uow:
        assert await uow.groups.get_by_name("kept") is not None
        assert await uow.groups.get_by_name("dropped") is None
        assert await uow.groups.get_by_name("rolled back") is None


async def test_a_unique_clash_is_a_concurrent_update(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        await a_room(uow, group, "!r")
        await uow.commit()
    with pytest.raises(ConcurrentUpdateError):
        async with factory() as uow:
            await a_group(uow)
    with pytest.raises(ConcurrentUpdateError):
        async with factory() as uow:
            await uow.groups.bind(
                group_id=group.id,
                platform=Platform.MATRIX,
                room_id="!r",
                detail=DetailLevel.MINIMAL,
                purpose=RoomPurpose.STEERING,
            )


async def test_rooms_members_and_the_room_context(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        other = await a_group(uow, "Syd")
        operative = await a_room(uow, group, "!a")
        steering = await uow.groups.bind(
            group_id=group.id,
            platform=Platform.SLACK,
            room_id="C1",
            detail=DetailLevel.MINIMAL,
            purpose=RoomPurpose.STEERING,
        )
        anna = await join(uow, group, "@anna", Agency.POLICE, platform=Platform.MATRIX)
        bo = await join(uow, group, "@bo", Agency.SOCIAL, platform=Platform.MATRIX, role=Role.LEAD)
        await join(uow, other, "@anna", Agency.POLICE, platform=Platform.MATRIX)
        await uow.commit()
    async with factory() as uow:
        assert await uow.groups.bindings(group.id) == [operative, steering]
        assert await uow.groups.binding_for_room(Platform.SLACK, "C1") == steering
        assert await uow.groups.binding_for_room(Platform.MATRIX, "C1") is None
        found = await uow.groups.room_context(Platform.MATRIX, "!a", "@anna")
        assert found == (operative, group, anna)
        found = await uow.groups.room_context(Platform.MATRIX, "!a", "@stranger")
        assert found == (operative, group, None)
        assert await uow.groups.room_context(Platform.MATRIX, "!nowhere", "@anna") is None
        assert await uow.members.list(group.id) == [anna, bo]
        assert await uow.members.find(group.id, Platform.MATRIX, "@bo") == bo
        assert await uow.groups.get(group.id) == group


async def test_the_running_meeting_after_the_room_context_is_what_this_unit_did(
    backend: Backend,
) -> None:
    """The room's context also says whether the group is in a meeting; a meeting started or
    ended later in the same unit of work is seen at once."""
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        await a_room(uow, group, "!a")
        lead = await a_member(uow, group, "@erik", Agency.SOCIAL)
        await uow.commit()
    async with factory() as uow:
        assert await uow.groups.room_context(Platform.MATRIX, "!a", "@erik") is not None
        assert await uow.minutes.running(group.id) is None
        held = await uow.minutes.start(
            group_id=group.id,
            meeting_number=None,
            occurrence=None,
            theme=None,
            started_by=lead,
            at=T0,
            items=(),
        )
        assert await uow.minutes.running(group.id) == held
        await uow.commit()
    async with factory() as uow:
        assert await uow.groups.room_context(Platform.MATRIX, "!a", "@erik") is not None
        assert await uow.minutes.running(group.id) == held
        await uow.minutes.end(held.id, by=lead, at=T0 + timedelta(hours=1))
        assert await uow.minutes.running(group.id) is None
        await uow.commit()
    async with factory() as uow:
        assert await uow.groups.room_context(Platform.MATRIX, "!a", "@erik") is not None
        assert await uow.minutes.running(group.id) is None


async def test_a_removed_member_is_gone_from_lists_and_comes_back_with_the_same_id(
    backend: Backend,
) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        anna = await a_member(uow, group, "anna", Agency.POLICE)
        bo = await a_member(uow, group, "bo", Agency.SOCIAL)
        await uow.members.remove(anna)
        await uow.commit()
    async with factory() as uow:
        assert [m.id for m in await uow.members.list(group.id)] == [bo]
        assert await uow.members.find(group.id, Platform.CONSOLE, "anna") is None
        kept = await uow.members.get(anna)
        assert kept is not None and kept.user_id == "anna"
        again = await uow.members.add(
            group_id=group.id,
            platform=Platform.CONSOLE,
            user_id="anna",
            display_name="anna",
            agency=Agency.PSYCHIATRY,
            role=Role.LEAD,
        )
        assert again.id == anna
        changed = await uow.members.update(bo, agency=Agency.POLICE, role=Role.LEAD)
        assert (changed.agency, changed.role) == (Agency.POLICE, Role.LEAD)
        await uow.commit()
    async with factory() as uow:
        listed = await uow.members.list(group.id)
        assert [(m.id, m.agency, m.role) for m in listed] == [
            (anna, Agency.PSYCHIATRY, Role.LEAD),
            (bo, Agency.POLICE, Role.LEAD),
        ]


async def test_case_numbers_count_per_group_and_year(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        nord, syd = await a_group(uow), await a_group(uow, "Syd")
        numbers = [
            await uow.groups.next_case_number(nord.id, 2026),
            await uow.groups.next_case_number(nord.id, 2026),
            await uow.groups.next_case_number(syd.id, 2026),
            await uow.groups.next_case_number(nord.id, 2027),
        ]
        await uow.commit()
    assert numbers == [1, 2, 1, 1]


async def test_a_case_flagged_with_its_first_acknowledgement_has_it_now_and_later(
    backend: Backend,
) -> None:
    factory, _ = backend
    later = T0 + timedelta(minutes=3)
    async with factory() as uow:
        group = await a_group(uow)
        anna = await a_member(uow, group, "anna", Agency.POLICE)
        bo = await a_member(uow, group, "bo", Agency.SOCIAL)
        case = await uow.cases.add(
            group_id=group.id,
            ref="PSP-2026-0001",
            urgency=Urgency.ACUTE,
            summary="s",
            tags=(),
            flagged_by=anna,
            flagging_agency=Agency.POLICE,
            at=T0,
            acknowledged=Acknowledgement(Agency.POLICE, anna, T0),
        )
        bare = await a_case(uow, group, 2, by=anna)
        assert await uow.cases.acknowledgements(case.id) == [
            Acknowledgement(Agency.POLICE, anna, T0)
        ]
        await uow.cases.add_acknowledgement(case.id, agency=Agency.SOCIAL, member_id=bo, at=later)
        assert await uow.cases.acknowledgements(bare.id) == []
        await uow.commit()
    async with factory() as uow:
        assert await uow.cases.acknowledgements(case.id) == [
            Acknowledgement(Agency.POLICE, anna, T0),
            Acknowledgement(Agency.SOCIAL, bo, later),
        ]
        assert await uow.cases.acknowledgements(bare.id) == []
    with pytest.raises(ConcurrentUpdateError):
        async with factory() as uow:
            await uow.cases.add_acknowledgement(
                case.id, agency=Agency.POLICE, member_id=anna, at=later
            )
            await uow.commit()


async def test_a_case_read_by_ref_knows_its_acknowledgements_and_guests_as_they_are(
    backend: Backend,
) -> None:
    """The case read by its ref also reads its acknowledgements and whether it has grants;
    what the unit of work then records on it is seen at once."""
    factory, _ = backend
    later = T0 + timedelta(minutes=5)
    async with factory() as uow:
        group = await a_group(uow)
        anna = await a_member(uow, group, "anna", Agency.POLICE)
        bo = await join(uow, group, "bo", Agency.SOCIAL)
        guest = await join(uow, group, "gitte", Agency.SOCIAL, role=Role.GUEST)
        alone = await a_case(uow, group, 1, by=anna)
        shared = await a_case(uow, group, 2, by=anna)
        await uow.cases.add_acknowledgement(shared.id, agency=Agency.POLICE, member_id=anna, at=T0)
        await uow.cases.add_acknowledgement(
            shared.id, agency=Agency.SOCIAL, member_id=bo.id, at=later
        )
        await uow.access.grant(
            case_id=shared.id,
            member=guest,
            by_member=anna,
            at=T0,
            expires_at=T0 + timedelta(days=7),
        )
        await uow.commit()
    async with factory() as uow:
        assert await uow.cases.get_by_ref(group.id, alone.ref) is not None
        assert await uow.cases.get_by_ref(group.id, shared.ref) is not None
        assert await uow.cases.acknowledgements(alone.id) == []
        assert await uow.cases.acknowledgements(shared.id) == [
            Acknowledgement(Agency.POLICE, anna, T0),
            Acknowledgement(Agency.SOCIAL, bo.id, later),
        ]
        assert await uow.access.case_guests(alone.id, at=later) == []
        assert [g.member for g in await uow.access.case_guests(shared.id, at=later)] == [guest]
        await uow.access.grant(
            case_id=alone.id,
            member=guest,
            by_member=anna,
            at=later,
            expires_at=later + timedelta(days=1),
        )
        assert [g.member for g in await uow.access.case_guests(alone.id, at=later)] == [guest]
        await uow.cases.add_acknowledgement(
            alone.id, agency=Agency.SOCIAL, member_id=bo.id, at=later
        )
        assert await uow.cases.acknowledgements(alone.id) == [
            Acknowledgement(Agency.SOCIAL, bo.id, later)
        ]


async def test_notes_are_numbered_on_from_the_case_as_read(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        anna = await a_member(uow, group, "anna", Agency.POLICE)
        case = await a_case(uow, group, 1, by=anna)
        for text in ("one", "two"):
            await uow.cases.add_note(case.id, text=text, by_member=anna, at=T0)
        await uow.commit()
    async with factory() as uow:
        assert await uow.cases.get_by_ref(group.id, case.ref) is not None
        third = await uow.cases.add_note(case.id, text="three", by_member=anna, at=T0)
        fourth = await uow.cases.add_note(case.id, text="four", by_member=anna, at=T0)
        assert (third.number, fourth.number) == (3, 4)
        await uow.commit()
    async with factory() as uow:
        assert [n.number for n in await uow.cases.notes(case.id)] == [1, 2, 3, 4]


async def test_a_case_saved_from_a_stale_version_is_a_concurrent_update(
    backend: Backend,
) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        anna = await a_member(uow, group, "anna", Agency.POLICE)
        case = await uow.cases.add(
            group_id=group.id,
            ref="PSP-2026-0001",
            urgency=Urgency.ACUTE,
            summary="Borger truer naboer",
            tags=(Tag.THREAT,),
            flagged_by=anna,
            flagging_agency=Agency.POLICE,
            at=T0,
        )
        await uow.commit()
    assert case.version == 1 and case.status is CaseStatus.OPEN
    async with factory() as uow:
        taken = replace(case, responsible=Agency.POLICE, updated_at=T0 + timedelta(minutes=1))
        saved = await uow.cases.save(taken, expected_version=1)
        assert saved.version == 2
        await uow.commit()
    with pytest.raises(ConcurrentUpdateError):
        async with factory() as uow:
            await uow.cases.save(replace(case, responsible=Agency.SOCIAL), expected_version=1)
            await uow.commit()
    async with factory() as uow:
        stored = await uow.cases.get_by_ref(group.id, "PSP-2026-0001")
        assert stored == replace(taken, version=2)
        assert await uow.cases.get(case.id) == stored
        assert await uow.cases.get_by_ref(group.id, "PSP-2026-0002") is None
    # A clash surfaces by the commit at the latest: on PostgreSQL a write may go out with
    # the unit of work's next statement (storage/direct.py).
    with pytest.raises(ConcurrentUpdateError):
        async with factory() as uow:
            await a_case(uow, group, 1, by=anna, urgency=Urgency.NORMAL, summary="twice")
            await uow.commit()


async def test_what_is_recorded_on_a_case_comes_back_in_order_and_numbered(
    backend: Backend,
) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        anna = await a_member(uow, group, "anna", Agency.POLICE)
        case = await a_case(uow, group, 1, by=anna, urgency=Urgency.URGENT)
        await uow.cases.add_acknowledgement(case.id, agency=Agency.SOCIAL, member_id=None, at=T0)
        await uow.cases.add_acknowledgement(case.id, agency=Agency.POLICE, member_id=anna, at=T0)
        change = ResponsibilityChange(Agency.POLICE, None, anna, "take", T0)
        await uow.cases.add_history(case.id, change)
        first = await uow.cases.add_decision(
            case.id,
            text="Besøg",
            owner=Agency.POLICE,
            due=date(2026, 12, 1),
            fallback="Ledsag",
            fallback_owner=Agency.SOCIAL,
            by_member=anna,
            at=T0,
        )
        second = await uow.cases.add_decision(
            case.id,
            text="Opfølgning",
            owner=Agency.SOCIAL,
            due=None,
            fallback=None,
            fallback_owner=None,
            by_member=anna,
            at=T0,
        )
        await uow.cases.mark_decision_done(case.id, 1, at=T0 + timedelta(hours=1))
        notes = [
            await uow.cases.add_note(case.id, text=text, by_member=anna, at=T0)
            for text in ("første", "anden")
        ]
        await uow.commit()
    assert (first.number, second.number) == (1, 2)
    assert [n.number for n in notes] == [1, 2]
    async with factory() as uow:
        acks = await uow.cases.acknowledgements(case.id)
        assert [(a.agency, a.member_id) for a in acks] == [
            (Agency.SOCIAL, None),
            (Agency.POLICE, anna),
        ]
        assert await uow.cases.history(case.id) == [change]
        decisions = await uow.cases.decisions(case.id)
        assert decisions == [replace(first, done_at=T0 + timedelta(hours=1)), second]
        assert await uow.cases.notes(case.id) == notes
    with pytest.raises(ConcurrentUpdateError):  # by the commit at the latest
        async with factory() as uow:
            await uow.cases.add_acknowledgement(
                case.id, agency=Agency.SOCIAL, member_id=anna, at=T0
            )
            await uow.commit()


async def test_a_cases_details_in_one_read_are_what_the_separate_reads_give(
    backend: Backend,
) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        anna = await a_member(uow, group, "anna", Agency.POLICE)
        case = await a_case(uow, group, 1, by=anna)
        empty = await uow.cases.details(case)
        await uow.cases.add_acknowledgement(case.id, agency=Agency.SOCIAL, member_id=None, at=T0)
        await uow.cases.add_history(
            case.id, ResponsibilityChange(None, Agency.POLICE, anna, "x", T0)
        )
        for n, due in enumerate((date(2026, 12, 1), None), start=1):
            await uow.cases.add_decision(
                case.id,
                text=f"Beslutning {n}",
                owner=Agency.POLICE,
                due=due,
                fallback="Ledsag" if due else None,
                fallback_owner=Agency.SOCIAL if due else None,
                by_member=anna,
                at=T0 + timedelta(minutes=n),
            )
        await uow.cases.mark_decision_done(case.id, 2, at=T0 + timedelta(hours=1))
        for text in ("første", "anden"):
            await uow.cases.add_note(case.id, text=text, by_member=None, at=T0)
        bo = await a_member(uow, group, "bo", Agency.SOCIAL)
        carl = await a_member(uow, group, "carl", Agency.PSYCHIATRY)
        await uow.members.set_absence(bo, until=date(2026, 12, 24), deputy=carl)
        await uow.members.remove(carl)
        await uow.commit()
    assert empty == CaseDetails(case)
    async with factory() as uow:
        recorded = await uow.access.known_members(group.id)  # read on its own
    assert [(k.member.user_id, k.active) for k in recorded] == [
        ("anna", True),
        ("bo", True),
        ("carl", False),
    ]
    assert recorded[1].member.away_deputy == carl
    async with factory() as uow:
        details = await uow.cases.details(case)
        assert await uow.access.known_members(group.id) == recorded  # read with the details
        assert details == CaseDetails(
            case,
            tuple(await uow.cases.acknowledgements(case.id)),
            tuple(await uow.cases.history(case.id)),
            tuple(await uow.cases.decisions(case.id)),
            tuple(await uow.cases.notes(case.id)),
        )
    assert [len(d) for d in (details.acknowledgements, details.history)] == [1, 1]
    assert [d.number for d in details.decisions] == [1, 2]
    assert [n.text for n in details.notes] == ["første", "anden"]


async def test_the_case_list_is_by_urgency_then_age_with_a_total(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        group, other = await a_group(uow), await a_group(uow, "Syd")
        anna = await a_member(uow, group, "anna", Agency.POLICE)
        made = []
        for number, (urgency, minutes) in enumerate(
            [(Urgency.NORMAL, 0), (Urgency.ACUTE, 5), (Urgency.URGENT, 1), (Urgency.ACUTE, 2)],
            start=1,
        ):
            at = T0 + timedelta(minutes=minutes)
            summary = f"case {number}"
            made.append(
                await a_case(uow, group, number, by=anna, urgency=urgency, summary=summary, at=at)
            )
        await a_case(uow, other, 1, by=anna, summary="elsewhere")
        closed = replace(made[0], status=CaseStatus.CLOSED, responsible=Agency.POLICE)
        await uow.cases.save(closed, expected_version=1)
        await uow.commit()
    async with factory() as uow:
        rows, total = await uow.cases.list(group.id, status=None, responsible=None, limit=10)
        assert [r.ref for r in rows] == [
            "PSP-2026-0004",
            "PSP-2026-0002",
            "PSP-2026-0003",
            "PSP-2026-0001",
        ]
        assert total == 4 and rows[0].summary == "case 4"
        rows, total = await uow.cases.list(
            group.id, status=CaseStatus.OPEN, responsible=None, limit=2
        )
        assert ([r.ref for r in rows], total) == (["PSP-2026-0004", "PSP-2026-0002"], 3)
        rows, total = await uow.cases.list(
            group.id, status=None, responsible=Agency.POLICE, limit=10
        )
        assert ([r.ref for r in rows], total) == (["PSP-2026-0001"], 1)
