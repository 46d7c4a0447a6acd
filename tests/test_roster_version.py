"""The room's context keeps a group's members and rooms between commands and reads them
again only when the group's roster version says they changed (storage/room_context.py). What
a user would notice if that went wrong: a member removed elsewhere who can still act, a new
member who is told they are not one, or a change that was rolled back still counted."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Agency, Platform, Role
from bot.ports import UnitOfWork
from storage.engine import make_engine
from storage.uow import SqlAlchemyUnitOfWorkFactory
from tests.conftest import Harness

pytestmark = pytest.mark.asyncio


async def _demo_group_id(engine: AsyncEngine) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT id FROM groups"))).scalar_one()


async def _add(uow: UnitOfWork, group_id: Any, user: str, agency: Agency) -> None:
    await uow.members.add(
        group_id=group_id,
        platform=Platform.CONSOLE,
        user_id=user,
        display_name=user.capitalize(),
        agency=agency,
        role=Role.REP,
    )


async def _roster_version(engine: AsyncEngine) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT roster_version FROM groups"))).scalar_one()


async def test_a_roster_changed_by_another_process_is_seen_by_the_next_command(
    harness: Harness, database_url: str
) -> None:
    assert "PSP-" in await harness.text("anna", "flag urgent Borger har brug for hjælp")
    assert "PSP-" in await harness.text("bo", "list")
    # Another process (its own engine, so none of this one's memory) removes anna and adds
    # frida, as an admin's command there would.
    elsewhere = make_engine(database_url)
    try:
        group_id = await _demo_group_id(elsewhere)
        async with SqlAlchemyUnitOfWorkFactory(elsewhere)() as uow:
            anna = await uow.members.find(group_id, Platform.CONSOLE, "anna")
            assert anna is not None
            await uow.members.remove(anna.id)
            await _add(uow, group_id, "frida", Agency.POLICE)
            await uow.commit()
    finally:
        await elsewhere.dispose()
    refused = await harness.say("anna", "flag urgent Borger igen")
    assert refused[0].kind == "error"
    assert "PSP-" in await harness.text("frida", "flag urgent Borger har brug for hjælp")


async def test_a_rolled_back_roster_change_is_not_taken_for_a_later_one(
    harness: Harness, engine: AsyncEngine, database_url: str
) -> None:
    """A unit of work adds a member, reads the room's context (which then holds the roster
    with that member) and rolls back; another process adds someone else. Had the version
    been a counter, both changes would have had the same version, and the rolled-back member
    would go on acting here."""
    assert "PSP-" in await harness.text("anna", "flag urgent Borger har brug for hjælp")
    group_id = await _demo_group_id(engine)
    before = await _roster_version(engine)
    async with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
        await _add(uow, group_id, "ghost", Agency.SOCIAL)
        found = await uow.groups.room_context(Platform.CONSOLE, "console", "ghost")
        assert found is not None and found[2] is not None  # seen inside its own transaction
        await uow.rollback()
    elsewhere = make_engine(database_url)
    try:
        async with SqlAlchemyUnitOfWorkFactory(elsewhere)() as uow:
            await _add(uow, group_id, "frida", Agency.POLICE)
            await uow.commit()
    finally:
        await elsewhere.dispose()
    assert await _roster_version(engine) != before
    assert (await harness.say("ghost", "list"))[0].kind == "error"
    assert "PSP-" in await harness.text("frida", "flag urgent Borger har brug for hjælp")


async def test_every_change_of_members_or_rooms_gives_a_new_version(
    engine: AsyncEngine, harness: Harness
) -> None:
    """Members added, changed and removed, rooms bound and unbound, straight in SQL as any
    tool would: each gives a version not seen before, rolled back or not."""
    group_id = await _demo_group_id(engine)
    seen = [await _roster_version(engine)]
    changes = [
        "INSERT INTO members (group_id, platform, user_id, display_name, agency, role, active)"
        " VALUES (:g, 'console', 'sql', 'Sql', 'police', 'rep', :yes)",
        "UPDATE members SET display_name = 'Sql Two' WHERE user_id = 'sql'",
        "INSERT INTO room_bindings (group_id, platform, room_id, detail, purpose)"
        " VALUES (:g, 'slack', 'C9', 'full', 'operative')",
        "UPDATE room_bindings SET detail = 'minimal' WHERE room_id = 'C9'",
        "DELETE FROM room_bindings WHERE room_id = 'C9'",
        "DELETE FROM members WHERE user_id = 'sql'",
    ]
    for statement in changes:
        for keep in (False, True):
            async with engine.connect() as conn:
                await conn.execute(text(statement), {"g": group_id, "yes": True})
                version = (
                    await conn.execute(text("SELECT roster_version FROM groups"))
                ).scalar_one()
                await (conn.commit() if keep else conn.rollback())
            assert version not in seen, statement
            seen.append(version)
    assert await _roster_version(engine) == seen[-1]
