"""Counted nouns: key -> (Danish, English), each as "singular|plural" with `{n}` for the
number; bot.i18n.plural picks the form (both languages use the singular for exactly one)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "count.meetings": ("{n} møde|{n} møder", "{n} meeting|{n} meetings"),
    "count.open_cases": ("{n} åben sag|{n} åbne sager", "{n} open case|{n} open cases"),
    # The verb agrees with the count in English ("1 open case has", "2 open cases have").
    "count.stale_cases": (
        "{n} åben sag er|{n} åbne sager er",
        "{n} open case has|{n} open cases have",
    ),
    "count.decisions": ("{n} beslutning|{n} beslutninger", "{n} decision|{n} decisions"),
    "count.days": ("{n} dag|{n} dage", "{n} day|{n} days"),
    "count.hours": ("{n} time|{n} timer", "{n} hour|{n} hours"),
    "count.minutes": ("{n} minut|{n} minutter", "{n} minute|{n} minutes"),
    "count.cases": ("{n} sag|{n} sager", "{n} case|{n} cases"),
    "count.taken_up": (
        "{n} sag på dagsordenen er taget op|Alle {n} sager på dagsordenen er taget op",
        "{n} case on the agenda has been taken up|All {n} cases on the agenda have been taken up",
    ),
    "count.more_groups": (
        "{n} gruppe mere er ikke vist|{n} grupper mere er ikke vist",
        "{n} more group is not shown|{n} more groups are not shown",
    ),
    "count.actions": ("{n} handling|{n} handlinger", "{n} action|{n} actions"),
    # "… og 1 mere", "… og 3 flere"; English does not inflect "more".
    "count.more": ("{n} mere|{n} flere", "{n} more|{n} more"),
    # `psp-bot outbox retry`: what the operator made pending again.
    "count.requeued": (
        "{n} opgivet besked sendes igen|{n} opgivne beskeder sendes igen",
        "{n} dropped message will be sent again|{n} dropped messages will be sent again",
    ),
    "count.more_lines": (
        "{n} linje mere er udeladt|{n} linjer mere er udeladt",
        "{n} more line left out|{n} more lines left out",
    ),
}
