"""Bad files of issue 9: UTF-16/UTF-32 pages with a byte-order mark, a page with one text run over
libxml2's 10 MB limit, and an OLE file that is not a Word document."""

from __future__ import annotations

import pytest

from nianbao.parsers import parse_bytes
from nianbao.parsers.sniff import OLE_MAGIC, sniff_format

PAGE = ("<html><head><meta charset='utf-8'><title>2023年度报告</title></head><body>"
        "<h1>某县2023年政府信息公开工作年度报告</h1><p>一、总体情况</p>"
        "<table><tr><td>行政许可</td><td>12</td></tr></table></body></html>")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_unicode_pages_with_a_byte_order_mark_are_read(encoding):
    data = ("\ufeff" if encoding.endswith(("le", "be")) else "").encode(encoding) + PAGE.encode(encoding)
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
    assert sniff_format(data) == "html"
    result = parse_bytes(data)
    expected = parse_bytes(PAGE.encode("utf-8"))
    assert result.errors == expected.errors
    assert result.sections == expected.sections and result.tables == expected.tables and result.tables


def test_utf16_plain_text_with_a_byte_order_mark_is_text():
    assert sniff_format("第一章 总体情况\n本机关主动公开政府信息。".encode("utf-16")) == "text"


def test_a_text_run_over_10_mb_says_what_happened():
    data = ("<html><body><p>开头</p><p>" + "年" * (4 * 1024 * 1024) + "</p></body></html>").encode()
    (error,) = parse_bytes(data).errors
    assert "longer than 10 MB" in error and "JavaScript" not in error


@pytest.mark.parametrize("data", [
    OLE_MAGIC + bytes(range(256)) * 40,  # garbage after the signature
    OLE_MAGIC + b"\0" * 504 + b"\xfe\xff" * 2000,
])
def test_garbage_ole_doc_is_an_error(data):
    assert sniff_format(data) == "doc"
    result = parse_bytes(data, path="report.doc")
    assert result.errors and result.errors[0].startswith("doc: could not read the document: ValueError: ")
    assert "OLE" in result.errors[0] and not result.sections
