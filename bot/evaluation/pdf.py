"""The report as a PDF (fpdf2): a one-page summary, then the charts two to a page, then the
tables. It uses the PDF core font Helvetica, which every reader has and which needs no font
file parsed per report (Danish letters are in its Latin-1 range)."""

from __future__ import annotations

import io

from fpdf import FPDF

from bot.evaluation.document import ReportDocument
from bot.evaluation.tables import Table

FONT = "Helvetica"
CHART_WIDTH = 170.0
ROW = 5.5
# Characters of the texts outside Latin-1, and what the core font prints instead.
_LATIN1 = str.maketrans({"–": "-", "—": "-", "…": "...", "↳": ">", "’": "'", "“": '"', "”": '"'})


def latin1(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def _pdf(document: ReportDocument) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(latin1(document.title))
    pdf.set_creator("psp-bot")
    pdf.set_lang(document.locale)
    return pdf


def _fitted(pdf: FPDF, text: str, width: float, size: float) -> None:
    """Shrink the font until the text fits its cell (headers of narrow columns)."""
    while size > 5 and pdf.get_string_width(text) > width - 2:
        size -= 0.5
        pdf.set_font_size(size)


def _row(pdf: FPDF, cells: tuple[str, ...], widths: list[float], *, bold: bool) -> None:
    if pdf.will_page_break(ROW):
        pdf.add_page()
    size = 8.0 if bold else 9.0
    for index, (text, width) in enumerate(zip(cells, widths, strict=True)):
        pdf.set_font(FONT, "B" if bold else "", size)
        shown = latin1(text)
        _fitted(pdf, shown, width, size)
        pdf.cell(width, ROW, shown, border=1, align="L" if index == 0 else "R")
    pdf.ln(ROW)


def _widths(pdf: FPDF, columns: int) -> list[float]:
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    first = 3 if columns <= 3 else 2
    unit = usable / (first + columns - 1)
    return [first * unit, *([unit] * (columns - 1))]


def _table(pdf: FPDF, table: Table) -> None:
    if pdf.will_page_break(4 * ROW):
        pdf.add_page()
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 8, latin1(table.title), new_x="LMARGIN", new_y="NEXT")
    widths = _widths(pdf, len(table.columns))
    _row(pdf, table.columns, widths, bold=True)
    for cells in table.rows:
        _row(pdf, cells, widths, bold=False)
    pdf.ln(4)


def _summary_page(pdf: FPDF, document: ReportDocument) -> None:
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.cell(0, 10, latin1(document.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 12)
    pdf.cell(0, 7, latin1(document.scope), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, latin1(document.period), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    for label, value in document.summary:
        pdf.set_font(FONT, "", 11)
        pdf.cell(usable * 0.75, 7, latin1(label), border=1)
        pdf.cell(usable * 0.25, 7, latin1(value), border=1, align="R")
        pdf.ln(7)
    pdf.ln(4)
    pdf.set_font(FONT, "", 9)
    for note in (*document.notes, document.generated):
        pdf.multi_cell(0, 4.5, latin1(note), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)


def render_pdf(document: ReportDocument) -> bytes:
    pdf = _pdf(document)
    _summary_page(pdf, document)
    for index, (caption, png) in enumerate(document.charts):
        if index % 2 == 0:
            pdf.add_page()
        pdf.image(io.BytesIO(png), w=CHART_WIDTH, alt_text=latin1(caption))
        pdf.ln(6)
    pdf.add_page()
    for table in document.tables:
        _table(pdf, table)
    return bytes(pdf.output())
