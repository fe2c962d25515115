"""render_docx and render_doc: Word files with real merged cells; .doc through LibreOffice."""

from __future__ import annotations

import io
import shutil
import zipfile

import docx
import olefile
import pytest

from tools.mirror.render import render_doc, render_docx
from tools.mirror.render.layout import covered, tables_after
from tools.mirror.samples import load_reports

RENDERED = [r for r in load_reports() if not r.file]
BY_ID = {r.id: r for r in RENDERED}


@pytest.mark.parametrize("report", RENDERED, ids=lambda r: r.id)
def test_docx_opens_and_every_cell_reads_back(report):
    data = render_docx(report)
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert report.title in text
    for paragraph in (p for s in report.sections for p in s.paragraphs):
        assert paragraph in text
    layouts = [t for s in report.sections for t in tables_after(report, s.number)]
    assert len(document.tables) == len(layouts)
    for table, layout in zip(document.tables, layouts):
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        for (r, c), cell in covered(layout).items():
            assert rows[r][c] == cell.text, (layout.name, r, c)


def test_docx_is_deterministic():
    report = BY_ID["seed-001"]
    assert render_docx(report) == render_docx(report)


def test_docx_uses_word_merges():
    xml = zipfile.ZipFile(io.BytesIO(render_docx(BY_ID["sample-nxzw-2021"]))).read("word/document.xml").decode()
    assert xml.count("<w:vMerge") >= 22 and 'w:gridSpan w:val="3"' in xml
    document = docx.Document(io.BytesIO(render_docx(BY_ID["sample-nxzw-2021"])))
    requests = document.tables[1]
    assert requests.cell(3, 0)._tc is requests.cell(3, 2)._tc  # 一、本年新收… spans three columns
    assert requests.cell(5, 0)._tc is requests.cell(26, 0)._tc  # 三、本年度办理结果 spans 22 rows


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")
def test_doc_is_an_ole_word_file_with_the_report_text():
    data = render_doc(BY_ID["seed-003"])
    assert data[:4] == bytes.fromhex("d0cf11e0")
    ole = olefile.OleFileIO(io.BytesIO(data))
    assert ole.exists("WordDocument")
    assert "隆德县".encode("utf-16-le") in data  # Word 97 stores the text as UTF-16
