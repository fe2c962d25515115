"""Format sniffing from bytes, and decoding of pages whose charset is missing or wrong."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from parsers_format_fixtures import WORD_TABLE3_2019, table3_docx

from nianbao.parsers.encoding import decode_html, normalize_charset
from nianbao.parsers.sniff import sniff_format

SHARED = Path(__file__).parents[1].parent / "shared"
REPORT_TEXT = "中卫市人民政府办公室2020年政府信息公开工作年度报告。本年新收政府信息公开申请数量10件，予以公开1件。"
PAGE = f"<html><head><title>年报</title></head><body><p>{REPORT_TEXT}</p></body></html>"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b" \r\n\t ", "empty"),
        (WORD_TABLE3_2019.encode("gbk"), "html"),
        (b"\xef\xbb\xbf<!DOCTYPE html><html><body>x</body></html>", "html"),
        (b"<!-- saved from url=(0042) -->\n<div class=TRS_Editor><p>x</p></div>", "html"),
        (b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "html"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf"),
        (b"\r\n%PDF-1.4 truncated", "pdf"),
        (_zip({"[Content_Types].xml": b"<Types/>", "data.csv": b"a,b"}), "zip"),
        (b"{\\rtf1\\ansi\\ansicpg936 report}", "doc"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image"),
        (REPORT_TEXT.encode("utf-8"), "text"),
        (REPORT_TEXT.encode("gbk"), "text"),
        ("# 年报\n\n见 <http://www.nxzw.gov.cn>\n".encode(), "text"),
        (bytes(range(256)) * 64, "unknown"),
    ],
)
def test_sniff_from_bytes(data, expected):
    assert sniff_format(data) == expected


def test_sniff_docx_whole_and_truncated():
    data = table3_docx()
    assert sniff_format(data) == "docx"
    assert sniff_format(data[: len(data) // 2]) == "docx"


def test_sniff_seeds_and_real_pdfs():
    assert {sniff_format(p.read_bytes()) for p in (SHARED / "seeds").glob("*.txt")} == {"text"}
    assert {sniff_format(p.read_bytes()) for p in (SHARED / "samples").glob("*.pdf")} == {"pdf"}


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (scripts/setup-system) not installed")
def test_sniff_ole_word_document(tmp_path):
    source = tmp_path / "report.docx"
    source.write_bytes(table3_docx())
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "doc",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    data = (tmp_path / "report.doc").read_bytes()
    assert sniff_format(data) == "doc"
    assert sniff_format(data[:4096]) == "doc"  # a damaged OLE container is still most likely a DOC


@pytest.mark.parametrize(
    ("name", "codec"), [("GB2312", "gb18030"), ("gbk", "gb18030"), ("x-gbk", "gb18030"), ("UTF8", "utf-8"),
                        ("nonsense", None), (None, None)]
)
def test_charset_names_normalised(name, codec):
    assert normalize_charset(name) == codec


def test_gbk_page_without_any_declaration():
    assert decode_html(PAGE.encode("gbk")) == (PAGE, "gb18030")


def test_header_says_utf8_but_bytes_are_gbk():
    page = PAGE.replace("<head>", '<head><meta charset="utf-8">')
    assert decode_html(page.encode("gbk"), declared="utf-8") == (page, "gb18030")


def test_header_says_gbk_but_bytes_are_utf8():
    page = PAGE.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    assert decode_html(page.encode("utf-8"), declared="GBK") == (page, "utf-8")


def test_meta_charset_is_used_when_it_fits():
    page = '<html><head><meta charset="big5"></head><body><p>政府資訊公開年度報告：本年受理申請十件。</p></body></html>'
    assert decode_html(page.encode("big5")) == (page, "big5")


def test_characters_outside_gb2312_survive_a_gb2312_declaration():
    page = PAGE.replace("<head>", '<head><meta charset="gb2312">').replace("年报", "年报（镕、堃）")
    assert decode_html(page.encode("gb18030")) == (page, "gb18030")


def test_a_stray_bad_byte_does_not_discard_the_declared_charset():
    data = PAGE.replace("<head>", '<head><meta charset="gbk">').encode("gbk") * 10
    damaged = data[:500] + b"\xff" + data[500:]
    text, encoding = decode_html(damaged)
    assert encoding == "gb18030"
    assert text.count(REPORT_TEXT) >= 9
