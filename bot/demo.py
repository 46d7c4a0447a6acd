"""The demo group of `psp-bot console --demo`: created once, left alone afterwards."""

from __future__ import annotations

from bot.domain import Agency, DetailLevel, GroupKind, Platform, Role, RoomPurpose
from bot.ports import Clock, UnitOfWorkFactory

DEMO_GROUP = "Demo"
CONSOLE_ROOM = "console"
DEMO_MEMBERS = (
    ("anna", Agency.POLICE, Role.REP),
    ("dina", Agency.POLICE, Role.DEPUTY),
    ("bo", Agency.SOCIAL, Role.REP),
    ("carl", Agency.PSYCHIATRY, Role.REP),
    ("erik", Agency.SOCIAL, Role.LEAD),
)


async def ensure_demo_group(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    name: str = DEMO_GROUP,
    room: str = CONSOLE_ROOM,
) -> bool:
    """Create the demo group bound to the console room; False if it was there already.
    (The benchmarks make more such groups, each in its own console room.)"""
    async with uow_factory() as uow:
        if await uow.groups.get_by_name(name) is not None:
            return False
        group = await uow.groups.add(
            name=name, kind=GroupKind.PSP, prefix="PSP", timezone="Europe/Copenhagen"
        )
        binding = await uow.groups.binding_for_room(Platform.CONSOLE, room)
        if binding is None:
            await uow.groups.bind(
                group_id=group.id,
                platform=Platform.CONSOLE,
                room_id=room,
                detail=DetailLevel.FULL,
                purpose=RoomPurpose.OPERATIVE,
            )
        for name, agency, role in DEMO_MEMBERS:
            await uow.members.add(
                group_id=group.id,
                platform=Platform.CONSOLE,
                user_id=name,
                display_name=name,
                agency=agency,
                role=role,
            )
        await uow.audit.record(
            at=clock.now(),
            action="group.create",
            actor_member_id=None,
            group_id=group.id,
            case_id=None,
            binding_id=None,
            detail="demo",
        )
        await uow.commit()
        return True
