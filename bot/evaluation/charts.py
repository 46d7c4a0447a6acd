"""The report's charts, drawn with matplotlib's Agg backend into PNG bytes. Suppressed counts
are drawn as nothing and labelled "<5"; withheld figures are left out and marked."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.domain import Agency, Urgency
from bot.evaluation.statistics import Statistics
from bot.evaluation.suppression import SUPPRESSED, WITHHELD, chart_value, is_suppressed
from bot.evaluation.tables import month_name, outcome_items
from bot.evaluation.worktime import median

Translate = Callable[..., str]
URGENCY_COLOURS = {Urgency.ACUTE: "#c0392b", Urgency.URGENT: "#e67e22", Urgency.NORMAL: "#2e86c1"}
WIDTH, HEIGHT, DPI = 7.0, 3.4, 100


def _count_axis(axes: Axes, values: Sequence[float], *, horizontal: bool = False) -> None:
    """Whole numbers from zero, and room up to at least 5 (an empty chart stays readable)."""
    top = max([5.0, *values]) * 1.1
    axis = axes.xaxis if horizontal else axes.yaxis
    axis.set_major_locator(MaxNLocator(integer=True))
    if horizontal:
        axes.set_xlim(0, top)
    else:
        axes.set_ylim(0, top)


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _new(title: str) -> tuple[Figure, Axes]:
    # Fixed margins rather than a layout engine: the layout engine costs more than drawing.
    figure = Figure(figsize=(WIDTH, HEIGHT))
    figure.subplots_adjust(left=0.2, right=0.98, bottom=0.16, top=0.9)
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _label_suppressed(axes: Axes, xs: Sequence[float], counts: Sequence[int]) -> None:
    for x, n in zip(xs, counts, strict=True):
        if is_suppressed(n):
            axes.annotate(SUPPRESSED, (x, 0), ha="center", va="bottom", fontsize=7, color="#555555")


def flags_per_month(stats: Statistics, t: Translate) -> bytes:
    figure, axes = _new(t("report.chart.by_month"))
    months = list(stats.months)
    xs = list(range(len(months)))
    bottom = [0] * len(months)
    for urgency in Urgency:
        counts = [stats.by_month[m].get(urgency, 0) for m in months]
        heights = [chart_value(n) for n in counts]
        axes.bar(
            xs,
            heights,
            bottom=bottom,
            color=URGENCY_COLOURS[urgency],
            label=t(f"urgency.{urgency.value}"),
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    totals = [sum(stats.by_month[m].values()) for m in months]
    _label_suppressed(axes, xs, totals)
    _count_axis(axes, bottom)
    axes.set_xticks(xs, [month_name(t, m)[:3] for m in months], fontsize=8)
    axes.legend(fontsize=8, frameon=False)
    return _png(figure)


def outcomes(stats: Statistics, t: Translate) -> bytes:
    figure, axes = _new(t("report.chart.outcomes"))
    items = outcome_items(stats.outcomes, t) or [(t("word.none"), 0)]
    ys = list(range(len(items)))
    widths = [chart_value(n) for _l, n in items]
    axes.barh(ys, widths, color="#5d6d7e")
    _count_axis(axes, widths, horizontal=True)
    for y, (_label, n) in zip(ys, items, strict=True):
        if is_suppressed(n):
            axes.annotate(SUPPRESSED, (0.1, y), va="center", ha="left", fontsize=7)
    axes.set_yticks(ys, [label for label, _n in items], fontsize=8)
    axes.invert_yaxis()
    return _png(figure)


def acknowledgement_times(stats: Statistics, t: Translate) -> bytes:
    figure, axes = _new(t("report.chart.to_ack"))
    agencies = [a for a in Agency if a in stats.to_acknowledgement]
    xs = list(range(len(agencies)))
    tallest = 1.0
    for offset, kind, colour in ((-0.2, "calendar", "#2e86c1"), (0.2, "working", "#48c9b0")):
        heights: list[float] = []
        for agency in agencies:
            durations = stats.to_acknowledgement[agency]
            values = durations.calendar if kind == "calendar" else durations.working
            value = median(values)
            shown = value is not None and not is_suppressed(durations.count)
            heights.append(value / 3600 if shown and value is not None else 0.0)
        axes.bar(
            [x + offset for x in xs],
            heights,
            width=0.4,
            color=colour,
            label=t(f"report.chart.{kind}"),
        )
        tallest = max([tallest, *heights])
    axes.set_ylim(0, tallest * 1.1)
    for x, agency in zip(xs, agencies, strict=True):
        if is_suppressed(stats.to_acknowledgement[agency].count):
            axes.annotate(WITHHELD, (x, 0), ha="center", va="bottom", fontsize=8)
    axes.set_xticks(xs, [t(f"agency.{a.value}") for a in agencies], fontsize=8)
    axes.set_ylabel(t("report.chart.hours_median"), fontsize=8)
    axes.legend(fontsize=8, frameon=False)
    return _png(figure)


def escalations(stats: Statistics, t: Translate) -> bytes:
    figure, axes = _new(t("report.chart.escalations"))
    items = [
        (t("report.row.escalated_deputies"), stats.escalated_to_deputies),
        (t("report.row.escalated_lead"), stats.escalated_to_lead),
        (t("report.row.systemic_raised"), stats.systemic_raised),
        (t("report.row.systemic_answered"), stats.systemic_answered),
    ]
    xs = list(range(len(items)))
    heights = [chart_value(n) for _l, n in items]
    axes.bar(xs, heights, color="#8e44ad")
    _count_axis(axes, heights)
    _label_suppressed(axes, xs, [n for _l, n in items])
    axes.set_xticks(xs, [label for label, _n in items], fontsize=7)
    return _png(figure)


def all_charts(stats: Statistics, t: Translate) -> list[tuple[str, bytes]]:
    """(caption, PNG) for each chart, in the report's order."""
    return [
        (t("report.chart.by_month"), flags_per_month(stats, t)),
        (t("report.chart.outcomes"), outcomes(stats, t)),
        (t("report.chart.to_ack"), acknowledgement_times(stats, t)),
        (t("report.chart.escalations"), escalations(stats, t)),
    ]
