"""iCalendar (RFC 5545) export of a group's meetings, with the `icalendar` package: stable
UIDs, DTSTAMP, the RRULE of a series, a VTIMEZONE for the group's zone, SEQUENCE raised on
every change and cancelled occurrences as EXDATE. Outlook and Google Calendar import it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import icalendar

from bot.ports import MeetingRecord

PRODID = "-//psp-bot//meetings//EN"
MEDIA_TYPE = "text/calendar"


def meeting_uid(meeting: MeetingRecord) -> str:
    """Stable across exports, so a calendar updates the event instead of adding a copy."""
    return f"psp-bot-meeting-{meeting.group_id}-{meeting.number}@psp-bot"


def build_calendar(meetings: Sequence[MeetingRecord], *, summary: str, calendar_name: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", calendar_name)
    first = date.today()
    for meeting in meetings:
        zone = ZoneInfo(meeting.timezone)
        start = meeting.start_local.replace(tzinfo=zone)
        first = min(first, meeting.start_local.date())
        event = icalendar.Event()
        event.add("uid", meeting_uid(meeting))
        event.add("dtstamp", meeting.updated_at)
        event.add("last-modified", meeting.updated_at)
        event.add("created", meeting.created_at)
        event.add("sequence", meeting.sequence)
        event.add("summary", summary if not meeting.theme else f"{summary}: {meeting.theme}")
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
        event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
        if meeting.rule:
            event.add("rrule", icalendar.vRecur.from_ical(meeting.rule))
            if meeting.exdates:
                event.add("exdate", [d.replace(tzinfo=zone) for d in sorted(meeting.exdates)])
        cal.add_component(event)
    # The zone's rules from a year before the first meeting, for ten years ahead: enough for
    # any calendar client, and far smaller than icalendar's 1970-2038 default.
    cal.add_missing_timezones(
        first_date=date(first.year - 1, 1, 1), last_date=date(first.year + 10, 1, 1)
    )
    data: bytes = cal.to_ical()
    return data
