"""The evaluation report as one document: a summary page, charts and tables, in one language.
The PDF, HTML and CSV renderings all come from this; it holds no case text, no names of
people and no case refs, only group names and figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain import Agency
from bot.evaluation.gather import Evaluation
from bot.evaluation.statistics import Durations, Statistics
from bot.evaluation.suppression import shown_count, shown_derived, shown_share
from bot.evaluation.tables import Table, Translate, build_tables, format_duration, groups_table
from bot.evaluation.worktime import median
from bot.i18n import translate


@dataclass(frozen=True)
class ReportDocument:
    locale: str
    title: str
    scope: str
    period: str
    generated: str
    summary: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]
    charts: tuple[tuple[str, bytes], ...]
    tables: tuple[Table, ...]


def _all_acknowledgements(stats: Statistics) -> Durations:
    found = [stats.to_acknowledgement[a] for a in Agency if a in stats.to_acknowledgement]
    return Durations(
        tuple(v for d in found for v in d.calendar), tuple(v for d in found for v in d.working)
    )


def summary_figures(stats: Statistics, t: Translate) -> tuple[tuple[str, str], ...]:
    ack = _all_acknowledgements(stats)

    def hours(value: float) -> str:
        return format_duration(t, value)

    return (
        (t("report.row.flagged"), shown_count(stats.flagged)),
        (t("report.row.closed"), shown_count(stats.closed)),
        (t("report.row.open_at_end"), shown_count(stats.open_at_end)),
        (t("report.summary.ack"), shown_derived(ack.count, median(ack.calendar), hours)),
        (t("report.summary.ack_work"), shown_derived(ack.count, median(ack.working), hours)),
        (
            t("report.summary.responsibility"),
            shown_derived(
                stats.to_responsibility.count, median(stats.to_responsibility.calendar), hours
            ),
        ),
        (
            t("report.summary.escalations"),
            shown_count(stats.escalated_to_deputies + stats.escalated_to_lead),
        ),
        (t("report.row.on_time_share"), shown_share(stats.done_on_time, stats.decisions_due)),
        (t("report.row.meetings_held"), shown_count(stats.meetings.held)),
        (t("report.row.systemic_raised"), shown_count(stats.systemic_raised)),
        (t("report.row.systemic_answered"), shown_count(stats.systemic_answered)),
    )


def chat_summary(evaluation: Evaluation, *, locale: str, scope: str) -> str:
    """The three lines that come with the file in the room."""
    stats = evaluation.overall
    t = _translator(locale)
    figures = dict(summary_figures(stats, t))
    return "\n".join(
        (
            t("report.chat.line1", scope=scope, period=period_text(evaluation, t)),
            t(
                "report.chat.line2",
                flagged=shown_count(stats.flagged),
                closed=shown_count(stats.closed),
                open=shown_count(stats.open_at_end),
            ),
            t(
                "report.chat.line3",
                ack=figures[t("report.summary.ack")],
                escalations=shown_count(stats.escalated_to_deputies + stats.escalated_to_lead),
                on_time=figures[t("report.row.on_time_share")],
            ),
        )
    )


def _translator(locale: str) -> Translate:
    def t(key: str, **params: object) -> str:
        return translate(locale, key, **params)

    return t


def period_text(evaluation: Evaluation, t: Translate) -> str:
    period = evaluation.period
    return t(
        "report.period",
        first=period.first_day.isoformat(),
        last=period.last_day.isoformat(),
    )


def build_document(
    evaluation: Evaluation, *, locale: str, scope: str, generated_at: datetime
) -> ReportDocument:
    # matplotlib is imported here, when a report is made, not when the bot starts (it is
    # most of psp-bot's start-up time).
    from bot.evaluation import charts

    t = _translator(locale)
    stats = evaluation.overall
    tables = build_tables(stats, t)
    if evaluation.per_group:
        tables.insert(0, groups_table(evaluation.per_group, t))
    return ReportDocument(
        locale=locale,
        title=t("report.title"),
        scope=scope,
        period=period_text(evaluation, t),
        generated=t("report.generated", at=generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        summary=summary_figures(stats, t),
        notes=(
            t("report.note.suppression"),
            t("report.note.working"),
            t("report.note.meetings"),
            t("report.note.source"),
        ),
        charts=tuple(charts.all_charts(stats, t)),
        tables=tuple(tables),
    )
