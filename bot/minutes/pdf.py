"""The minutes as a PDF, from their Markdown (headings, bullets, plain lines), with the same
fpdf2 core font as the evaluation report (bot/evaluation/pdf.py)."""

from __future__ import annotations

from fpdf import FPDF

from bot.evaluation.pdf import FONT, latin1

_HEADINGS = {"# ": 16.0, "## ": 13.0, "### ": 11.0}


def render_minutes_pdf(markdown: str, *, title: str, locale: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(latin1(title))
    pdf.set_creator("psp-bot")
    pdf.set_lang(locale)
    pdf.add_page()
    for line in markdown.splitlines():
        if not line.strip():
            pdf.ln(2)
            continue
        heading = next((p for p in _HEADINGS if line.startswith(p)), None)
        if heading is not None:
            pdf.ln(1)
            pdf.set_font(FONT, "B", _HEADINGS[heading])
            text = line[len(heading) :]
        elif line.startswith("- "):
            pdf.set_font(FONT, "", 10)
            pdf.set_x(pdf.l_margin + 4)
            text = "- " + line[2:]
        elif line.startswith("> "):
            pdf.set_font(FONT, "I", 10)
            text = line[2:]
        else:
            pdf.set_font(FONT, "", 10)
            text = line
        pdf.multi_cell(0, 5, latin1(text.replace("**", "")), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
