"""The report's figures as localized tables of text, every count and derived figure already
suppressed: what the PDF, HTML and CSV show is exactly what is here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain import Agency, Group, Tag, Urgency
from bot.domain.outcome import Outcome
from bot.evaluation.statistics import AGE_BANDS, Durations, Statistics
from bot.evaluation.suppression import shown_count, shown_derived, shown_share
from bot.evaluation.worktime import median, percentile_90

Translate = Callable[..., str]


@dataclass(frozen=True)
class Table:
    name: str  # stable, for CSV sections and file names
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def format_duration(t: Translate, seconds: float) -> str:
    hours = seconds / 3600
    if hours < 48:
        return t("report.hours", value=_decimal(t, hours))
    return t("report.days", value=_decimal(t, hours / 24))


def _decimal(t: Translate, value: float) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if t("report.decimal") == "," else text


def duration_cells(t: Translate, durations: Durations) -> tuple[str, ...]:
    """n, median and 90th percentile on the calendar, then in working time."""
    n = durations.count

    def fmt(value: float) -> str:
        return format_duration(t, value)

    return (
        shown_count(n),
        shown_derived(n, median(durations.calendar), fmt),
        shown_derived(n, percentile_90(durations.calendar), fmt),
        shown_derived(n, median(durations.working), fmt),
        shown_derived(n, percentile_90(durations.working), fmt),
    )


def _counts(
    name: str,
    title: str,
    head: str,
    items: Sequence[tuple[str, int]],
    t: Translate,
) -> Table:
    return Table(
        name, title, (head, t("report.col.count")), tuple((k, shown_count(v)) for k, v in items)
    )


def month_name(t: Translate, key: str) -> str:
    year, month = key.split("-")
    return f"{t(f'report.month.{int(month)}')} {year}"


def build_tables(stats: Statistics, t: Translate) -> list[Table]:
    def agency(a: Agency) -> str:
        return t(f"agency.{a.value}")

    tables: list[Table] = []
    urgencies = list(Urgency)
    tables.append(
        Table(
            "flags_by_month",
            t("report.table.by_month"),
            (t("report.col.month"), *(t(f"urgency.{u.value}") for u in urgencies)),
            tuple(
                (month_name(t, m), *(shown_count(stats.by_month[m].get(u, 0)) for u in urgencies))
                for m in stats.months
            ),
        )
    )
    tables.append(
        _counts(
            "flags_by_agency",
            t("report.table.by_agency"),
            t("report.col.agency"),
            [(agency(a), stats.by_agency.get(a, 0)) for a in Agency if a in stats.by_agency],
            t,
        )
    )
    tables.append(
        _counts(
            "tags",
            t("report.table.tags"),
            t("report.col.tag"),
            [(t(f"tag.{g.value}"), stats.tags[g]) for g in Tag if g in stats.tags],
            t,
        )
    )
    tables.append(
        _counts(
            "outcomes",
            t("report.table.outcomes"),
            t("report.col.outcome"),
            outcome_items(stats.outcomes, t),
            t,
        )
    )
    tables.append(
        _counts(
            "responsible_at_close",
            t("report.table.responsible"),
            t("report.col.agency"),
            [(agency(a), n) for a, n in stats.responsible_at_close.items()],
            t,
        )
    )
    duration_head = (
        t("report.col.cases"),
        t("report.col.median"),
        t("report.col.p90"),
        t("report.col.median_work"),
        t("report.col.p90_work"),
    )
    tables.append(
        Table(
            "time_to_acknowledgement",
            t("report.table.to_ack"),
            (t("report.col.agency"), *duration_head),
            tuple(
                (agency(a), *duration_cells(t, stats.to_acknowledgement[a]))
                for a in Agency
                if a in stats.to_acknowledgement
            ),
        )
    )
    tables.append(
        Table(
            "durations",
            t("report.table.durations"),
            (t("report.col.measure"), *duration_head),
            (
                (t("report.to_responsibility"), *duration_cells(t, stats.to_responsibility)),
                (t("report.to_close"), *duration_cells(t, stats.to_close)),
            ),
        )
    )
    tables.append(activity_table(stats, t))
    tables.append(
        _counts(
            "open_at_end",
            t("report.table.open_ages"),
            t("report.col.age"),
            [(age_band_name(t, i), stats.open_ages.get(i, 0)) for i in range(len(AGE_BANDS))],
            t,
        )
    )
    if stats.meetings.themes:
        tables.append(
            _counts(
                "meeting_themes",
                t("report.table.themes"),
                t("report.col.theme"),
                sorted(stats.meetings.themes.items()),
                t,
            )
        )
    return tables


def outcome_items(outcomes: Mapping[Outcome | None, int], t: Translate) -> list[tuple[str, int]]:
    items = [(t(f"outcome.{o.value}"), outcomes[o]) for o in Outcome if o in outcomes]
    if None in outcomes:
        items.append((t("outcome.none"), outcomes[None]))
    return items


def age_band_name(t: Translate, index: int) -> str:
    low, high = AGE_BANDS[index]
    if high is None:
        return t("report.age.over", days=low)
    return t("report.age.band", low=low, high=high)


def activity_table(stats: Statistics, t: Translate) -> Table:
    rows = [
        ("flagged", stats.flagged),
        ("closed", stats.closed),
        ("reopened", stats.reopened),
        ("escalated_deputies", stats.escalated_to_deputies),
        ("escalated_lead", stats.escalated_to_lead),
        ("declined", sum(stats.declined.values())),
        ("decisions_made", stats.decisions_made),
        ("decisions_due", stats.decisions_due),
        ("done_on_time", stats.done_on_time),
        ("overdue", stats.overdue),
        ("fallbacks", stats.fallbacks_in_force),
        ("meetings_held", stats.meetings.held),
        ("meetings_cancelled", stats.meetings.cancelled),
        ("systemic_raised", stats.systemic_raised),
        ("systemic_answered", stats.systemic_answered),
        ("open_at_end", stats.open_at_end),
    ]
    body = [(t(f"report.row.{key}"), shown_count(n)) for key, n in rows]
    body.append(
        (t("report.row.on_time_share"), shown_share(stats.done_on_time, stats.decisions_due))
    )
    return Table(
        "activity",
        t("report.table.activity"),
        (t("report.col.measure"), t("report.col.count")),
        tuple(body),
    )


def groups_table(per_group: Sequence[tuple[Group, Statistics]], t: Translate) -> Table:
    """One line per operative group, for a steering group's report."""
    rows = []
    for group, stats in per_group:
        ack = Durations(
            tuple(v for d in stats.to_acknowledgement.values() for v in d.calendar),
            tuple(v for d in stats.to_acknowledgement.values() for v in d.working),
        )
        rows.append(
            (
                group.name,
                shown_count(stats.flagged),
                shown_count(stats.closed),
                shown_count(stats.open_at_end),
                duration_cells(t, ack)[1],
                shown_count(stats.escalated_to_deputies + stats.escalated_to_lead),
                shown_share(stats.done_on_time, stats.decisions_due),
                shown_count(stats.systemic_raised),
            )
        )
    return Table(
        "groups",
        t("report.table.groups"),
        (
            t("report.col.group"),
            t("report.row.flagged"),
            t("report.row.closed"),
            t("report.row.open_at_end"),
            t("report.col.median_ack"),
            t("report.col.escalations"),
            t("report.row.on_time_share"),
            t("report.row.systemic_raised"),
        ),
        tuple(rows),
    )
