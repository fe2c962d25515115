"""The two PDF readers (PDFium, the default, and pdfplumber, its fallback) give the same Documents."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from nianbao.parsers.extract.pdf import extract
from nianbao.parsers.extract.pdf_pdfium import PdfiumSource, UnsupportedGeometry
from nianbao.parsers.model import Document
from tools.mirror.render import render_pdf
from tools.mirror.samples import load_reports

SAMPLES = sorted((Path(__file__).parents[1].parent / "shared" / "samples").glob("*.pdf"))
RENDERED = [r for r in load_reports() if not r.file]
pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))


def outline(doc: Document) -> list[tuple[object, ...]]:
    """Every block with its grid; pdfminer drops the middle dot that STSong-Light prints for 中国·宁夏, PDFium
    keeps it (as the report has it), so it is left out of the comparison."""
    return [(b.kind, b.page, b.text.replace("·", ""), b.table and (b.table.title, b.table.rows, b.table.row_pages))
            for b in doc.blocks]


def assert_same(data: bytes) -> Document:
    fast, plumber = extract(data), extract(data, backend="pdfplumber")
    assert outline(fast) == outline(plumber)
    assert (fast.meta, fast.errors, fast.needs_ocr) == (plumber.meta, plumber.errors, plumber.needs_ocr)
    return fast


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_samples_read_the_same(path: Path) -> None:
    doc = assert_same(path.read_bytes())
    assert any(b.table for b in doc.blocks)


@pytest.mark.parametrize("report", RENDERED, ids=[r.id for r in RENDERED])
def test_rendered_reports_read_the_same(report) -> None:
    assert_same(render_pdf(report))


def rotated_table_pdf() -> bytes:
    """A landscape page made by /Rotate 90 holding a ruled 2×2 table."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.setPageRotation(90)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 760, "二、主动公开政府信息情况")
    for y in (700, 680, 660):
        c.line(72, y, 272, y)
    for x in (72, 172, 272):
        c.line(x, 660, x, 700)
    for x, y, text in ((80, 686, "信息内容"), (180, 686, "本年制发件数"), (80, 666, "规章"), (180, 666, "3")):
        c.drawString(x, y, text)
    c.showPage()
    c.save()
    return buffer.getvalue()


def test_rotated_page_is_read_by_pdfplumber() -> None:
    data = rotated_table_pdf()
    with pytest.raises(UnsupportedGeometry):
        PdfiumSource(data).page(0)
    doc = assert_same(data)
    (table,) = [b.table for b in doc.blocks if b.table]
    # drawn upright and turned a quarter on display: rows and columns swap
    assert table.rows == [["规章", "信息内容"], ["3", "本年制发件数"]]
