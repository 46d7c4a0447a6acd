"""The contract of the need-to-know access port (responsibility sets, the members' log,
case-scoped guests), on the in-memory fakes, SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import Agency, Platform, Role
from tests.test_contract_core import T0, Backend, a_case, a_group, join


async def test_authorities_are_stored_per_group_and_none_means_the_kinds(
    backend: Backend,
) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        other = await a_group(uow, "Syd")
        assert await uow.access.authorities(group.id) is None
        await uow.access.set_authorities(group.id, [Agency.PROBATION, Agency.POLICE])
        await uow.commit()
    async with factory() as uow:
        assert await uow.access.authorities(group.id) == (Agency.POLICE, Agency.PROBATION)
        assert await uow.access.authorities(other.id) is None
        await uow.access.set_authorities(group.id, None)
        assert await uow.access.authorities(group.id) is None


async def test_guests_are_never_active_members_and_their_grants_run_until_expiry_or_end(
    backend: Backend,
) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        anna = await join(uow, group, "anna", Agency.POLICE)
        case = await a_case(uow, group, 1, by=anna.id)
        other = await a_case(uow, group, 2, by=anna.id)
        gitte = await uow.access.add_guest_member(
            group_id=group.id,
            platform=Platform.CONSOLE,
            user_id="gitte",
            display_name="gitte",
            agency=Agency.GP,
        )
        assert gitte.role is Role.GUEST
        until = T0 + timedelta(days=2)
        await uow.access.grant(
            case_id=case.id, member=gitte, by_member=anna.id, at=T0, expires_at=until
        )
        await uow.commit()
    async with factory() as uow:
        assert [m.id for m in await uow.members.list(group.id)] == [anna.id]
        known = await uow.access.known_member(group.id, Platform.CONSOLE, "gitte")
        assert known is not None and not known.active and known.member.role is Role.GUEST
        assert [k.member.id for k in await uow.access.known_members(group.id)] == [
            anna.id,
            gitte.id,
        ]
        assert await uow.access.guest_cases(group.id, Platform.CONSOLE, "gitte", at=T0) == (
            gitte,
            frozenset({case.id}),
        )
        assert [g.member.id for g in await uow.access.case_guests(case.id, at=T0)] == [gitte.id]
        assert await uow.access.case_guests(other.id, at=T0) == []
        assert await uow.access.guest_cases(group.id, Platform.CONSOLE, "gitte", at=until) is None
        assert await uow.access.guest_cases(group.id, Platform.CONSOLE, "anna", at=T0) is None
        assert await uow.access.end_grant(case.id, gitte.id, by_member=anna.id, at=T0)
        assert not await uow.access.end_grant(case.id, gitte.id, by_member=anna.id, at=T0)
        assert await uow.access.case_guests(case.id, at=T0) == []


async def test_a_members_actions_name_case_and_room(backend: Backend) -> None:
    factory, _ = backend
    async with factory() as uow:
        group = await a_group(uow)
        anna = await join(uow, group, "anna", Agency.POLICE)
        bo = await join(uow, group, "bo", Agency.SOCIAL)
        case = await a_case(uow, group, 1, by=anna.id)
        for minutes, action in ((1, "case.read"), (2, "note.add"), (3, "case.list")):
            await uow.audit.record(
                at=T0 + timedelta(minutes=minutes),
                action=action,
                actor_member_id=bo.id,
                group_id=group.id,
                case_id=case.id if action != "case.list" else None,
                binding_id=None,
            )
        await uow.audit.record(
            at=T0,
            action="case.read",
            actor_member_id=anna.id,
            group_id=group.id,
            case_id=case.id,
            binding_id=None,
        )
        actions, total = await uow.access.actions_of(group.id, bo, since=None, limit=2)
        assert total == 3
        assert [(a.action, a.case_ref) for a in actions] == [
            ("note.add", "PSP-2026-0001"),
            ("case.list", None),
        ]
        later, count = await uow.access.actions_of(
            group.id, bo, since=T0 + timedelta(minutes=2), limit=10
        )
        assert count == 2 and [a.action for a in later] == ["note.add", "case.list"]
