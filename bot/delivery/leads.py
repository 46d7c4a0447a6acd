"""A room that receives nothing for minutes while messages wait for it (the bot was removed,
the channel archived, the homeserver away) is made known to the group's lead, in the group's
other rooms on any platform: once per room and outage. The outage ends when the room
receives a message again; the next one is told anew."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import Platform, Role
from bot.i18n import plural, translate
from bot.messages import Mention, Reply, ReplyKind, RoomRef
from bot.paging import pager_target_name
from bot.ports import UnitOfWorkFactory

TOLD_KEY = "outbox:stuck-told:"  # + platform:room -> the outage's start, once told


async def tell_leads_of_stuck_rooms(
    uow_factory: UnitOfWorkFactory, *, now: datetime, after: timedelta, locale: str
) -> int:
    told = 0
    async with uow_factory() as uow:
        for stuck in await uow.outbox.stuck_rooms(older_than=now - after):
            key = f"{TOLD_KEY}{stuck.platform.value}:{stuck.room_id}"
            outage = stuck.since.isoformat()
            if await uow.state.get(key) == outage:
                continue
            leads = [m for m in await uow.members.list(stuck.group_id) if m.role is Role.LEAD]
            waited = int((now - stuck.since).total_seconds() // 60)
            minutes = plural(locale, "count.minutes", waited)
            if stuck.platform is Platform.PAGER:
                text = translate(
                    locale,
                    "delivery.stuck_pager",
                    target=pager_target_name(locale, stuck.room_id),
                    minutes=minutes,
                )
            else:
                text = translate(
                    locale,
                    "delivery.stuck",
                    platform=stuck.platform.value,
                    room=stuck.room_id,
                    minutes=minutes,
                )
            replies = [
                Reply(
                    room=RoomRef(binding.platform, binding.room_id),
                    text=text,
                    kind=ReplyKind.UPDATE,
                    mentions=tuple(
                        Mention(m.user_id, m.display_name)
                        for m in leads
                        if m.platform is binding.platform
                    ),
                )
                for binding in await uow.groups.bindings(stuck.group_id)
                if (binding.platform, binding.room_id) != (stuck.platform, stuck.room_id)
            ]
            # Without a group: a notice that cannot get through is no new outage to report.
            await uow.outbox.add(replies, at=now)
            await uow.state.put(key, outage, at=now)
            told += 1
        await uow.commit()
    return told
