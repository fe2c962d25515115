"""DOCX extractor (merged cells, body order, headings); DOC/WPS by the built-in reader, RTF through LibreOffice."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from parsers_format_fixtures import TABLE3_DOCX_GRID, rendered_grids, rendered_spans, table3_docx

from nianbao.parsers.extract import doc as doc_extractor
from nianbao.parsers.extract import docx as docx_extractor
from nianbao.parsers.extract import wps as wps_extractor
from nianbao.parsers.extract.word97 import Unsupported
from nianbao.parsers.sniff import sniff_format
from tools.mirror.render.doc import render_doc
from tools.mirror.render.docx import render_docx
from tools.mirror.samples import load_reports

W_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"')
needs_soffice = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")


def with_document_xml(body: str, base: bytes | None = None) -> bytes:
    """A real DOCX whose word/document.xml body is replaced by ``body``."""
    source = zipfile.ZipFile(io.BytesIO(base or table3_docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W_NS}><w:body>{body}</w:body></w:document>'.encode()
            target.writestr(item, data)
    return buffer.getvalue()


def p(text: str, style: str | None = None) -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}<w:r><w:t>{text}</w:t></w:r></w:p>"


def tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{p(text)}</w:tc>"


def test_python_docx_merged_cells_expand_into_the_grid():
    document = docx_extractor.extract(table3_docx())
    assert document.errors == []
    assert document.tables[0].rows == TABLE3_DOCX_GRID
    assert document.tables[0].title == "三、收到和处理政府信息公开申请情况"


def test_python_docx_merged_cells_are_kept_as_spans():
    """Each merge table3_docx makes, as [row, col, rowspan, colspan]: gridSpan across, vMerge down."""
    assert docx_extractor.extract(table3_docx()).tables[0].spans == [
        [0, 0, 3, 3], [0, 3, 1, 7], [1, 3, 2, 1], [1, 4, 1, 5], [1, 9, 2, 1], [3, 0, 1, 3], [4, 0, 1, 3],
        [5, 0, 2, 1], [5, 1, 1, 2],
    ]


def test_body_order_and_headings():
    document = docx_extractor.extract(table3_docx())
    assert [(b.kind, b.text) for b in document.blocks] == [
        ("heading", "某某局2020年政府信息公开工作年度报告"),
        ("heading", "一、总体情况"),
        ("paragraph", "2020年，某某局共收到政府信息公开申请10件。"),
        ("heading", "三、收到和处理政府信息公开申请情况"),
        ("table", ""),
        ("paragraph", "四、政府信息公开行政复议、行政诉讼情况"),
    ]


def test_vmerge_gridspan_gridbefore_and_old_hmerge():
    restart, merged, span2 = '<w:vMerge w:val="restart"/>', "<w:vMerge/>", '<w:gridSpan w:val="2"/>'
    body = (
        "<w:tbl>"
        f'<w:tr>{tc("三、本年度办理结果", restart)}{tc("（一）予以公开", span2)}{tc("5")}</w:tr>'
        f'<w:tr>{tc("", merged)}{tc("（三）不予公开")}{tc("1.属于国家秘密")}{tc("0")}</w:tr>'
        '<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>'
        f'{tc("旧式", restart.replace("vMerge", "hMerge"))}{tc("", merged.replace("vMerge", "hMerge"))}{tc("7")}</w:tr>'
        "</w:tbl>"
    )
    table = docx_extractor.extract(with_document_xml(body)).tables[0]
    assert table.rows == [
        ["三、本年度办理结果", "（一）予以公开", "（一）予以公开", "5"],
        ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "0"],
        ["", "旧式", "旧式", "7"],
    ]
    assert table.spans == [[0, 0, 2, 1], [0, 1, 1, 2], [2, 1, 1, 2]]  # the gridBefore blank is no merge


def test_sliver_grid_column_from_misaligned_edges_is_not_a_second_value():
    grid = "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in (576, 576, 1, 576)) + "</w:tblGrid>"
    span2 = '<w:gridSpan w:val="2"/>'
    rows = (f"<w:tr>{tc('结果维持')}{tc('总计', span2)}{tc('行政诉讼')}</w:tr>"
            f"<w:tr>{tc('0')}{tc('2', span2)}{tc('3')}</w:tr>")
    sliver_owned = f"<w:tr>{tc('a')}{tc('b')}{tc('c')}{tc('d')}</w:tr>"
    body = f"<w:tbl>{grid}{rows}</w:tbl><w:tbl>{grid}{rows}{sliver_owned}</w:tbl>"
    dropped, kept = docx_extractor.extract(with_document_xml(body)).tables
    assert dropped.rows == [["结果维持", "总计", "行政诉讼"], ["0", "2", "3"]]
    assert kept.rows == [["结果维持", "总计", "总计", "行政诉讼"], ["0", "2", "2", "3"], ["a", "b", "c", "d"]]
    assert dropped.spans == []  # without the sliver, "总计" and "2" fill one column each
    assert kept.spans == [[0, 1, 1, 2], [1, 1, 1, 2]]


def test_content_controls_fallbacks_deletions_and_line_breaks():
    body = (
        f'<w:sdt><w:sdtContent>{p("在内容控件里")}</w:sdtContent></w:sdt>'
        '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>文本框</w:t></mc:Choice>'
        '<mc:Fallback><w:t>文本框</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>'
        '<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删除</w:delText></w:r></w:del></w:p>'
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>本年新</w:t><w:br/><w:t>制作数量</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>Total</w:t></w:r></w:p><w:p><w:r><w:t>count</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    document = docx_extractor.extract(with_document_xml(body))
    assert document.text.splitlines() == ["在内容控件里", "文本框", "保留"]
    assert document.tables[0].rows == [["本年新制作数量", "Total count"]]


def test_layout_table_holding_the_real_table_is_descended():
    inner = f"<w:tbl><w:tr>{tc('总计')}{tc('3')}</w:tr></w:tbl>"
    body = f"<w:tbl><w:tr><w:tc>{p('三、收到和处理政府信息公开申请情况')}{inner}</w:tc></w:tr></w:tbl>"
    document = docx_extractor.extract(with_document_xml(body))
    assert [b.kind for b in document.blocks] == ["paragraph", "table"]
    assert document.tables[0].rows == [["总计", "3"]]


def test_chinese_heading_style_names(tmp_path):
    import docx

    word = docx.Document()
    word.styles["Heading 1"].name = "标题 1"
    word.add_paragraph("一、总体情况", style="标题 1")
    word.add_paragraph("正文")
    buffer = io.BytesIO()
    word.save(buffer)
    blocks = docx_extractor.extract(buffer.getvalue()).blocks
    assert [(b.kind, b.text) for b in blocks] == [("heading", "一、总体情况"), ("paragraph", "正文")]


def test_rendered_sample_reports_come_back_cell_for_cell():
    for report in load_reports():
        if report.file:
            continue
        document = docx_extractor.extract(render_docx(report))
        assert document.errors == []
        assert [t.rows for t in document.tables] == rendered_grids(report), report.id
        assert [t.spans for t in document.tables] == rendered_spans(report), report.id
        assert (document.blocks[0].kind, document.blocks[0].text) == ("heading", report.title), report.id


def _convert(tmp_path: Path, target: str) -> bytes:
    source = tmp_path / "report.docx"
    source.write_bytes(table3_docx())
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", target,
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    return (tmp_path / f"report.{target}").read_bytes()


@pytest.fixture(scope="module")
def legacy_doc(tmp_path_factory) -> bytes:
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice not installed")
    return _convert(tmp_path_factory.mktemp("doc"), "doc")


@needs_soffice
def test_doc_keeps_merged_cells(legacy_doc):
    document = doc_extractor.extract(legacy_doc)
    assert (document.format, document.errors, document.meta) == ("doc", [], {"converter": "built-in Word 97-2003 reader"})
    assert document.tables[0].rows == TABLE3_DOCX_GRID
    assert "2020年，某某局共收到政府信息公开申请10件。" in document.text


@needs_soffice
def test_rtf_is_sniffed_as_doc_and_read(tmp_path):
    data = _convert(tmp_path, "rtf")
    assert sniff_format(data) == "doc"
    assert doc_extractor.extract(data).tables[0].rows == TABLE3_DOCX_GRID


@needs_soffice
def test_wps_module_reads_through_the_same_reader(legacy_doc):
    document = wps_extractor.extract(legacy_doc)
    assert document.format == "wps"
    assert document.tables[0].rows == TABLE3_DOCX_GRID


@needs_soffice
def test_rendered_doc_sample_report():
    report = next(r for r in load_reports() if r.template == "2019" and not r.file)
    document = doc_extractor.extract(render_doc(report))
    assert document.errors == []
    assert [t.rows for t in document.tables] == rendered_grids(report)


@pytest.mark.skipif(not shutil.which("antiword"), reason="antiword not installed")
def test_antiword_fallback_without_libreoffice(legacy_doc, monkeypatch):
    which = shutil.which
    monkeypatch.setattr(doc_extractor.shutil, "which", lambda name: which(name) if name == "antiword" else None)
    monkeypatch.setattr(doc_extractor, "read_word97", _unsupported)
    document = doc_extractor.extract(legacy_doc)
    assert document.errors == []
    assert document.meta["converter"].startswith("antiword")
    assert "2020年，某某局共收到政府信息公开申请10件。" in document.text
    assert document.tables and all(t.spans is None for t in document.tables)  # antiword's |-rows: no cells known


def _unsupported(data: bytes, fmt: str):
    raise Unsupported("a Word 6/95 file")


def test_garbage_ole_is_a_damaged_file_error_whatever_is_installed():
    """Neither the built-in reader nor LibreOffice gets bytes that are no Word document (no converter needed)."""
    document = doc_extractor.extract(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert document.blocks == []
    [error] = document.errors
    assert error.startswith("doc: could not read the document: ValueError: a damaged OLE file, or not a Word document")
