"""Hostile and broken input: a clear error in bounded time and memory, never a crash or a hang."""

from __future__ import annotations

import io
import os
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parsers_format_fixtures import WORD_TABLE3_2019, table3_docx
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from nianbao.parsers import parse_bytes
from nianbao.parsers.extract import docx as docx_extractor
from nianbao.parsers.extract import html as html_extractor
from nianbao.parsers.limits import MAX_INPUT_BYTES, MAX_ZIP_MEMBER_BYTES, Deadline, LimitExceeded, guarded
from nianbao.parsers.model import Document
from nianbao.parsers.sniff import sniff_format

pytestmark = pytest.mark.timeout(120)
DOCUMENT_XML_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>'
                     b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">')


def _replace_member(base: bytes, name: str, write) -> bytes:
    """A copy of the zip ``base`` whose member ``name`` is written by ``write(stream)``."""
    source = zipfile.ZipFile(io.BytesIO(base))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename == name:
                with target.open(name, "w", force_zip64=True) as stream:
                    write(stream)
            else:
                target.writestr(item, source.read(item))
    return buffer.getvalue()


def _pdf(encrypt: StandardEncryption | None = None) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, encrypt=encrypt)
    page.drawString(72, 720, "Annual report 2020")
    page.save()
    return buffer.getvalue()


def test_empty_file():
    result = parse_bytes(b"")
    assert result.format == "empty"
    assert result.errors and "empty" in result.errors[0]


def test_fifty_megabytes_of_random_bytes():
    data = os.urandom(MAX_INPUT_BYTES)
    assert sniff_format(data) == "unknown"
    result = parse_bytes(data)
    assert result.errors and result.figures == {}
    # Even forced through the HTML extractor it ends with a Document, not an exception.
    assert isinstance(html_extractor.extract(data), Document)


def test_input_over_the_size_limit_is_refused_before_parsing():
    document = html_extractor.extract(b"<p>x</p>" + b" " * MAX_INPUT_BYTES)
    assert document.errors == [f"html: limit exceeded: input is {MAX_INPUT_BYTES + 8:,} bytes, "
                               f"over the {MAX_INPUT_BYTES:,}-byte limit"]


def test_truncated_pdf():
    data = _pdf()[:300]
    assert sniff_format(data) == "pdf"
    result = parse_bytes(data)
    assert result.format == "pdf" and result.errors


def test_encrypted_pdf():
    data = _pdf(StandardEncryption("secret", ownerPassword="owner", canPrint=0))
    assert sniff_format(data) == "pdf"
    result = parse_bytes(data)
    assert result.format == "pdf" and result.errors


def test_docx_zip_bomb_stops_at_the_member_cap():
    def bomb(stream):
        stream.write(DOCUMENT_XML_HEAD + b"<w:body><w:p><w:r><w:t>")
        chunk = b" " * (1024 * 1024)
        for _ in range(MAX_ZIP_MEMBER_BYTES // len(chunk) + 16):
            stream.write(chunk)
        stream.write(b"</w:t></w:r></w:p></w:body></w:document>")

    data = _replace_member(table3_docx(), "word/document.xml", bomb)
    assert len(data) < 1024 * 1024  # a small file…
    assert sniff_format(data) == "docx"
    document = docx_extractor.extract(data)  # …that would inflate past the cap
    assert document.blocks == []
    assert document.errors == [f"docx: limit exceeded: zip member word/document.xml decompresses to more than "
                               f"{MAX_ZIP_MEMBER_BYTES:,} bytes (zip bomb?)"]


def test_billion_laughs_inside_a_docx():
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY lol0 "lol">{entities}]>'
           f'{DOCUMENT_XML_HEAD.decode().split("?>", 1)[1]}<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
           "</w:body></w:document>").encode()
    data = _replace_member(table3_docx(), "word/document.xml", lambda stream: stream.write(xml))
    document = docx_extractor.extract(data)
    assert document.blocks == []
    assert document.errors == ["docx: limit exceeded: word/document.xml declares a DTD/entities; "
                               "refused (entity expansion attack?)"]


def test_hundred_thousand_nested_divs():
    data = b"<html><body><p>before</p>" + b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000 + b"</body></html>"
    document = html_extractor.extract(data)
    assert document.text == "before"
    assert document.errors == ["html: elements nested deeper than 256 levels; "
                               "parsing stopped there and the rest of the page was not read"]


def test_colspan_bomb_is_capped():
    row = "<tr>" + "<td colspan=500>x</td>" * 50 + "</tr>"
    document = html_extractor.extract(f"<table>{row * 20}</table>".encode())
    assert document.errors == ["html: limit exceeded: a table spans more than 200,000 cells"]


REPORT_PAGE = "<html><head>{meta}<title>年报</title></head><body><p>本年新收政府信息公开申请数量10件。</p></body></html>"


@pytest.mark.parametrize(
    ("meta", "encoding", "header"),
    [
        ("", "gbk", None),  # GBK without any declaration
        ('<meta charset="utf-8">', "gbk", "utf-8"),  # declared UTF-8, bytes GBK
        ('<meta charset="gbk">', "utf-8", "gbk"),  # declared GBK, bytes UTF-8
        ('<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', "gb18030", None),
    ],
)
def test_missing_or_lying_charset(meta, encoding, header):
    document = html_extractor.extract(REPORT_PAGE.format(meta=meta).encode(encoding), header)
    assert document.errors == []
    assert document.text == "本年新收政府信息公开申请数量10件。"
    assert document.meta["title"] == "年报"


def test_deadline_and_guard_turn_a_slow_extractor_into_an_error():
    @guarded("html")
    def slow(data: bytes) -> Document:
        deadline = Deadline(0.01)
        time.sleep(0.02)
        deadline.check()
        return Document(format="html")

    assert slow(b"x").errors == ["html: limit exceeded: took longer than the 0.01 s budget per document"]
    spent = Deadline(0)
    time.sleep(0.001)
    with pytest.raises(LimitExceeded):
        spent.check()


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (position, delete-length, insert) edits, positions taken modulo the length."""
    for position, delete, insert in edits:
        position %= max(len(data), 1)
        data = data[:position] + insert + data[position + delete :]
    return data


EDITS = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 64), st.binary(max_size=32)), min_size=1, max_size=8)


@FUZZ
@given(st.binary(max_size=4096))
def test_fuzz_random_bytes(data):
    for extract in (html_extractor.extract, docx_extractor.extract):
        assert isinstance(extract(data), Document)
    assert sniff_format(data) in {"html", "pdf", "docx", "doc", "wps", "text", "zip", "image", "empty", "unknown"}


@FUZZ
@given(EDITS)
def test_fuzz_mutated_html(edits):
    document = html_extractor.extract(_mutate(WORD_TABLE3_2019.encode("gbk"), edits))
    assert isinstance(document, Document)
    assert all(isinstance(cell, str) for table in document.tables for row in table.rows for cell in row)


VALID_DOCX = table3_docx()
VALID_DOCUMENT_XML = zipfile.ZipFile(io.BytesIO(VALID_DOCX)).read("word/document.xml")


@FUZZ
@given(EDITS)
def test_fuzz_mutated_docx_container(edits):
    assert isinstance(docx_extractor.extract(_mutate(VALID_DOCX, edits)), Document)


@FUZZ
@given(EDITS)
def test_fuzz_mutated_document_xml(edits):
    xml = _mutate(VALID_DOCUMENT_XML, edits)
    data = _replace_member(VALID_DOCX, "word/document.xml", lambda stream: stream.write(xml))
    document = docx_extractor.extract(data)
    assert isinstance(document, Document)
    assert document.blocks or document.errors
