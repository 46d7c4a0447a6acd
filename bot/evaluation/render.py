"""The report as HTML (one self-contained file, charts inline) and as CSV (the aggregated
tables only)."""

from __future__ import annotations

import base64
import csv
import io
from html import escape

from bot.evaluation.document import ReportDocument
from bot.evaluation.tables import Table

_STYLE = """
body{font-family:DejaVu Sans,Arial,sans-serif;max-width:60em;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}
td,th{border:1px solid #bbb;padding:0.2em 0.6em;text-align:right}
td:first-child,th:first-child{text-align:left}
.summary td{font-size:1.1em} .note{color:#555;font-size:0.9em} img{max-width:100%}
"""


def _table_html(table: Table, css: str = "") -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in table.rows
    )
    return (
        f"<h3>{escape(table.title)}</h3><table class='{css}'><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def render_html(document: ReportDocument) -> bytes:
    parts = [
        f"<!DOCTYPE html><html lang='{document.locale}'><head><meta charset='utf-8'>",
        f"<title>{escape(document.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(document.title)}</h1>",
        f"<h2>{escape(document.scope)} · {escape(document.period)}</h2>",
        "<table class='summary'><tbody>",
        *(
            f"<tr><td>{escape(label)}</td><td>{escape(value)}</td></tr>"
            for label, value in document.summary
        ),
        "</tbody></table>",
        *(f"<p class='note'>{escape(note)}</p>" for note in document.notes),
        f"<p class='note'>{escape(document.generated)}</p>",
    ]
    for caption, png in document.charts:
        data = base64.b64encode(png).decode("ascii")
        parts.append(f"<figure><img alt='{escape(caption)}' src='data:image/png;base64,{data}'>")
        parts.append(f"<figcaption>{escape(caption)}</figcaption></figure>")
    parts.extend(_table_html(table) for table in document.tables)
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")


def render_csv(document: ReportDocument) -> bytes:
    """Each table as a block: its name and title, a header row, the rows; a blank line
    between blocks. Suppressed cells read "<5", withheld ones "*"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["table", "summary", document.title, document.scope, document.period])
    for label, value in document.summary:
        writer.writerow([label, value])
    for table in document.tables:
        writer.writerow([])
        writer.writerow(["table", table.name, table.title])
        writer.writerow(table.columns)
        writer.writerows(table.rows)
    return buffer.getvalue().encode("utf-8")
