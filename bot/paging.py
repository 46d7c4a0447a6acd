"""What a page says: the acute escalation's last step and `page test` build the same outbox
rows, one per target, for the `pager` platform (the configured gateway, adapters/pager).

A page carries no personal data and no case text: the group, the case ref, the urgency, the
agency whose acknowledgement is awaited, and links to the group's rooms. The gateway's sender
builds its request (a signed JSON webhook or an SMS) from the row's fields."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import Agency, Case, Group, Platform, RoomBinding, RoomPurpose
from bot.i18n import translate
from bot.messages import Reply, ReplyKind, RoomRef

LEAD_TARGET = "lead"
# The fields of a page row, in the order the webhook's JSON carries them.
PAGE_FIELDS = ("kind", "group", "case", "urgency", "agency", "recipient", "step", "rooms")


def target_for(agency: Agency | None) -> str:
    """A page's "room": the agency whose duty contact is paged, or the lead."""
    return agency.value if agency is not None else LEAD_TARGET


def pager_target_name(locale: str, target: str) -> str:
    """ "the lead" or "the duty contact of psychiatry": who a page row is for."""
    if target == LEAD_TARGET:
        return translate(locale, "page.target_lead")
    agency = (
        translate(locale, f"agency.{target}") if target in Agency._value2member_map_ else target
    )
    return translate(locale, "page.target_duty", agency=agency)


def room_link(binding: RoomBinding) -> str | None:
    """A link that opens the room in its app (Matrix: matrix.to; Slack: app_redirect)."""
    if binding.platform is Platform.MATRIX:
        return f"https://matrix.to/#/{binding.room_id}"
    if binding.platform is Platform.SLACK:
        return f"https://slack.com/app_redirect?channel={binding.room_id}"
    return None


def room_links(bindings: Sequence[RoomBinding]) -> list[str]:
    return [
        link
        for b in bindings
        if b.purpose is RoomPurpose.OPERATIVE and (link := room_link(b)) is not None
    ]


def page_replies(
    group: Group,
    bindings: Sequence[RoomBinding],
    *,
    case: Case | None,
    agency: Agency | None,
    targets: Sequence[Agency | None],
    step: str,
    locale: str,
    message_key: str,
) -> list[Reply]:
    """One row per target (an agency's duty contact, or None for the lead). `case` None: a
    test page."""
    links = room_links(bindings)
    link = links[0] if links else translate(locale, "page.no_link")
    if case is None:
        text = translate(locale, "page.test_text", group=group.name)
    else:
        text = translate(
            locale,
            "page.text",
            group=group.name,
            ref=case.ref,
            urgency=translate(locale, f"urgency.{case.urgency.value}"),
            agency=translate(locale, f"agency.{agency.value}") if agency else "",
            link=link,
        )
    replies = []
    for target in targets:
        fields = {
            "kind": "page" if case is not None else "test",
            "group": group.name,
            "case": case.ref if case is not None else "",
            "urgency": case.urgency.value if case is not None else "",
            "agency": agency.value if agency is not None else "",
            "recipient": "duty" if target is not None else "lead",
            "step": step,
            "rooms": "\n".join(links),
        }
        replies.append(
            Reply(
                room=RoomRef(Platform.PAGER, target_for(target)),
                text=text,
                kind=ReplyKind.ESCALATION,
                case_ref=case.ref if case is not None else None,
                case_id=case.id if case is not None else None,
                message_key=f"{message_key}:{target_for(target)}",
                fields=tuple((name, fields[name]) for name in PAGE_FIELDS),
            )
        )
    return replies
