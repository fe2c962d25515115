"""The PDF extractor on table drawings other producers make: polylines, hairline boxes, open sides,
headers repeated on every page, rows printed without rules."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from nianbao.parsers.extract.pdf import extract

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
HEADING = ParagraphStyle("h", fontName=FONT, fontSize=12, leading=18)


def running_header_and_footer(c: canvas.Canvas, doc: SimpleDocTemplate) -> None:
    c.setFont(FONT, 9)
    c.drawString(72, A4[1] - 40, "某某市人民政府政府信息公开工作年度报告")
    c.drawString(A4[0] / 2, 30, f"第 {doc.page} 页")


def platypus_pdf(story: list[object]) -> bytes:
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(story, onFirstPage=running_header_and_footer,
                                              onLaterPages=running_header_and_footer)
    return out.getvalue()


def test_polyline_border_and_filled_hairlines() -> None:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    border = c.beginPath()
    for i, (x, y) in enumerate([(100, 700), (400, 700), (400, 600), (100, 600), (100, 700)]):
        border.moveTo(x, y) if i == 0 else border.lineTo(x, y)
    c.drawPath(border, stroke=1, fill=0)
    c.rect(100, 649.7, 300, 0.6, stroke=0, fill=1)
    c.rect(249.7, 600, 0.6, 100, stroke=0, fill=1)
    c.setFont(FONT, 12)
    for x, y, text in ((110, 670, "自 然 人"), (260, 670, "21"), (110, 620, "总计"), (260, 620, "22")):
        c.drawString(x, y, text)
    c.showPage()
    c.save()
    [table] = extract(out.getvalue()).tables
    assert table.rows == [["自然人", "21"], ["总计", "22"]]


def test_white_boxes_behind_text_are_not_rules() -> None:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.setFillColor(colors.white)
    for y in (700, 680, 660):
        c.rect(72, y - 4, 450, 20, stroke=0, fill=1)
    c.setFillColor(colors.black)
    c.setFont(FONT, 12)
    for y in (700, 680, 660):
        c.drawString(72, y, "（一）主动公开情况。主要通过政府门户网站主动公开政府信息。")
    c.showPage()
    c.save()
    doc = extract(out.getvalue())
    assert doc.tables == [] and "主动公开情况" in doc.text


def test_open_sides_running_header_and_a_header_repeated_on_the_next_page() -> None:
    header = [["项目", "自然人", "总计"]]
    body = [[f"{n}.属于第{n}类", str(n), str(n)] for n in range(1, 80)]
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
                        ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("LINEABOVE", (0, 0), (-1, 0), 0.5, colors.black),
                        ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.black)])  # no left or right border
    doc = extract(platypus_pdf([Paragraph("三、收到和处理政府信息公开申请情况", HEADING),
                                Table(header + body, style=style, repeatRows=1)]))
    [table] = doc.tables
    assert table.title == "三、收到和处理政府信息公开申请情况"
    assert len(set(table.row_pages or [])) >= 2
    assert table.rows == header + body  # the repeated header is dropped, nothing else is
    assert "某某市" not in doc.text and "页" not in doc.text  # running header and page numbers dropped


def test_rows_printed_without_rules_stay_lines() -> None:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.setFont(FONT, 11)
    c.drawString(72, 720, "一、本年新收政府信息公开申请数量")
    for i, value in enumerate(["21", "0", "0", "21"]):
        c.drawString(300 + 50 * i, 720, value)
    c.drawString(72, 700, "二、上年结转政府信息公开申请数量")
    for i, value in enumerate(["1", "0", "0", "1"]):
        c.drawString(300 + 50 * i, 700, value)
    c.showPage()
    c.save()
    doc = extract(out.getvalue())
    assert [b.kind for b in doc.blocks] == ["paragraph", "paragraph"]
    assert doc.text.splitlines() == ["一、本年新收政府信息公开申请数量 21 0 0 21", "二、上年结转政府信息公开申请数量 1 0 0 1"]
