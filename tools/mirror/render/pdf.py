"""A report as a text-layer PDF: reportlab, the CID font STSong-Light, ruled tables with spans.

STSong-Light (encoding UniGB-UCS2-H) is one of the Adobe Asian fonts every
PDF reader knows, so nothing is embedded and pdfplumber extracts real
Chinese text.  Long tables split across pages, as published PDFs do.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tools.mirror.render.layout import TableLayout, tables_after
from tools.mirror.samples import SampleReport

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, firstLineIndent=22, wordWrap="CJK")
HEADING = ParagraphStyle("heading", parent=BODY, fontSize=12, spaceBefore=6, spaceAfter=4)
TITLE = ParagraphStyle("title", parent=BODY, fontSize=16, leading=24, alignment=TA_CENTER, firstLineIndent=0,
                       spaceAfter=12)
SIGNATURE = ParagraphStyle("signature", parent=BODY, alignment=TA_RIGHT, firstLineIndent=0)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9.5, alignment=TA_CENTER, wordWrap="CJK")
CELL_LEFT = ParagraphStyle("cell_left", parent=CELL, alignment=TA_LEFT)
FRAME_WIDTH = A4[0] - 40 * mm


def _text(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _table(table: TableLayout) -> Table:
    data: list[list[object]] = [["" for _ in range(table.n_cols)] for _ in range(table.n_rows)]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for cell in table.cells:
        long_label = cell.header and cell.col == 0 and len(cell.text) > 12
        data[cell.row][cell.col] = Paragraph(_text(cell.text), CELL_LEFT if long_label else CELL)
        if cell.rowspan > 1 or cell.colspan > 1:
            style.append(("SPAN", (cell.col, cell.row),
                          (cell.col + cell.colspan - 1, cell.row + cell.rowspan - 1)))
    total = sum(table.col_widths)
    widths = [FRAME_WIDTH * w / total for w in table.col_widths]
    return Table(data, colWidths=widths, style=TableStyle(style), splitByRow=1)


def render_pdf(report: SampleReport) -> bytes:
    """The report as PDF bytes (title, sections, template tables, signature)."""
    story: list[object] = []
    if report.title:
        story.append(Paragraph(_text(report.title), TITLE))
    for section in report.sections:
        story.extend(Paragraph(_text(line), HEADING) for line in section.heading_lines)
        story.extend(Paragraph(_text(p), BODY) for p in section.paragraphs)
        for table in tables_after(report, section.number):
            story.extend([_table(table), Spacer(1, 6)])
    if report.signature:
        story.extend([Spacer(1, 18), Paragraph(_text(report.signature.agency), SIGNATURE),
                      Paragraph(_text(report.signature.date), SIGNATURE)])
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=22 * mm,
                            bottomMargin=22 * mm, title=report.title, author=report.agency,
                            invariant=1)
    doc.build(story)
    return out.getvalue()
