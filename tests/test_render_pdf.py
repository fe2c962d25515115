"""render_pdf: a text-layer PDF whose Chinese text and ruled tables pdfplumber can read."""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest

from tools.mirror.render import render_pdf
from tools.mirror.samples import load_reports

RENDERED = [r for r in load_reports() if not r.file]
BY_ID = {r.id: r for r in RENDERED}


def pdf_text(data: bytes) -> tuple[str, int, list]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        tables = [t for page in pdf.pages for t in page.extract_tables()]
        return text, len(pdf.pages), tables


@pytest.mark.parametrize("report", RENDERED, ids=lambda r: r.id)
def test_pdf_text_has_title_and_table_labels(report):
    data = render_pdf(report)
    assert data.startswith(b"%PDF-")
    text, pages, tables = pdf_text(data)
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", report.title) in flat
    assert pages >= 2 and tables
    labels = ["统计指标", "收到申请数"] if report.template == "legacy" else [
        "第二十条第（一）项", "本年新收政府信息公开申请数量", "予以公开", "行政复议", "复议后起诉"]
    for label in labels:
        assert label in flat


def test_pdf_is_deterministic():
    report = BY_ID["seed-002"]
    assert render_pdf(report) == render_pdf(report)


def test_pdf_tables_are_ruled_grids_with_the_printed_values():
    _, _, tables = pdf_text(render_pdf(BY_ID["seed-001"]))
    rows = [[(c or "").replace("\n", "") for c in row] for t in tables for row in t]
    total_row = next(r for r in rows if "（七）总计" in r)
    assert [c for c in total_row if c.isdigit()] == ["0", "0", "0", "0", "0", "0", "1"]
    assert any("3168.0656(万元)" in c for r in rows for c in r)
