"""The previous year's evaluation, posted by itself in every steering room once a year (by
default on 15 January at 09:00, `[scheduler] yearly_report_day` and `yearly_report_time`).
The scheduler's ledger key (yearly_report, steering group, year) makes it go out once."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.evaluation.period import DEFAULT_ZONE, year_period
from bot.evaluation.reporting import evaluate, report_reply, steering_scope
from bot.i18n import translate
from bot.messages import Reply, ReplyKind, RoomRef
from bot.ports import NotificationKey, UnitOfWork
from bot.scheduling.config import SchedulerConfig
from bot.scheduling.timing import to_instant, to_local

YEARLY = "yearly_report"
# A bot that was down on the day still posts the report when it comes back within this time;
# after it, the report is left to `report` on demand.
WINDOW = timedelta(days=28)


def yearly_key(steering_id: int, year: int) -> NotificationKey:
    return NotificationKey(YEARLY, str(steering_id), str(year), "")


def _moment(year: int, config: SchedulerConfig, timezone: str) -> datetime:
    month, day = config.yearly_report_day
    local = datetime(
        year, month, day, config.yearly_report_time.hour, config.yearly_report_time.minute
    )
    return to_instant(local, timezone)


def due_yearly(
    now: datetime, *, config: SchedulerConfig, timezone: str = DEFAULT_ZONE
) -> tuple[int, datetime] | None:
    """(the year to report, when it was due) while a yearly report is due, else None."""
    year = to_local(now, timezone).year
    due = _moment(year, config, timezone)
    if due <= now < due + WINDOW:
        return year - 1, due
    return None


def next_yearly(
    now: datetime, *, config: SchedulerConfig, timezone: str = DEFAULT_ZONE
) -> datetime:
    year = to_local(now, timezone).year
    due = _moment(year, config, timezone)
    return due if due > now else _moment(year + 1, config, timezone)


async def yearly_notice(
    uow: UnitOfWork, key: NotificationKey, *, now: datetime, locale: str, config: SchedulerConfig
) -> tuple[Reply, str] | None:
    """The post for one steering room and its audit detail (bot/scheduling/notices.py makes
    the scheduler's notice of it)."""
    steering = next((s for s in await uow.steering.all() if str(s.id) == key.subject), None)
    if steering is None:
        return None
    scope = await steering_scope(uow, steering)
    if not scope.groups:
        return None
    year = int(key.occurrence)
    period = year_period(year, timezone=scope.groups[0].timezone)
    evaluation = await evaluate(uow, scope, period, hours=config.hours, now=now)
    where = Reply(
        room=RoomRef(steering.platform, steering.room_id),
        text="",
        kind=ReplyKind.REMINDER,
        message_key=f"sched:{YEARLY}:{steering.id}:{year}",
    )
    if evaluation.empty:
        reply = Reply(
            room=where.room,
            text=translate(locale, "report.yearly_empty", year=year, scope=steering.name),
            kind=where.kind,
            message_key=where.message_key,
        )
    else:
        reply = report_reply(where, evaluation, scope, locale=locale, now=now)
    return reply, f"year={year} steering={steering.id} groups={len(scope.groups)}"
