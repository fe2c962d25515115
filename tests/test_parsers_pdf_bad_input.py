"""The PDF extractor on files it cannot fully read: a clear error, never an exception or silent emptiness."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from reportlab.lib import pdfencrypt
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from nianbao.parsers.extract import pdf
from nianbao.parsers.extract.pdf import extract
from nianbao.parsers.ocr import MISSING as OCR_MISSING
from nianbao.parsers.ocr import available as ocr_available

SAMPLE = Path(__file__).parents[1].parent / "shared" / "samples" / "hongze-2023.pdf"
pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))


def text_page(c: canvas.Canvas, number: int) -> None:
    c.setFont("STSong-Light", 12)
    c.drawString(72, 720, f"第{number}页 政府信息公开工作年度报告")
    c.setFont("Helvetica", 12)
    c.drawString(72, 700, f"Annual report page {number}")
    c.showPage()


def text_pdf(pages: int = 1, **canvas_options: object) -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, **canvas_options)
    for n in range(pages):
        text_page(c, n + 1)
    c.save()
    return buffer.getvalue()


def scanned_pdf(text_pages: int = 0, picture_height: float = 842) -> bytes:
    """Text pages, then a page that is only a picture (a scan when it covers the page)."""
    picture = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(picture).rectangle((50, 50, 550, 300), outline="black", width=3)
    png = io.BytesIO()
    picture.save(png, format="PNG")
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    for n in range(text_pages):
        text_page(c, n + 1)
    c.drawImage(ImageReader(io.BytesIO(png.getvalue())), 0, 842 - picture_height, width=595,
                height=picture_height)
    c.showPage()
    c.save()
    return buffer.getvalue()


def test_encrypted_pdf_says_it_needs_a_password() -> None:
    data = text_pdf(encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    doc = extract(data)
    assert doc.errors == ["pdf: encrypted; it needs a password to open"]
    assert doc.blocks == []


def test_owner_password_only_pdf_is_read() -> None:
    """Restrictions without a user password do not stop reading (every viewer opens such files)."""
    doc = extract(text_pdf(encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner", canCopy=0)))
    assert "Annual report page 1" in doc.text
    # pdfminer cannot map this file's (non-embedded, encrypted) CID font to Unicode: said, not hidden.
    assert "政府信息公开工作年度报告" in doc.text or any("Unicode" in e for e in doc.errors)


def test_scanned_pdf_needs_ocr_with_an_error(monkeypatch) -> None:
    monkeypatch.setattr(pdf, "available", lambda: False)  # without the nianbao[ocr] extra
    doc = extract(scanned_pdf())
    assert doc.needs_ocr
    assert doc.errors and "OCR" in doc.errors[0] and "nianbao[ocr]" in doc.errors[-1]


def test_scanned_table_pages_need_ocr_without_losing_the_text(monkeypatch) -> None:
    monkeypatch.setattr(pdf, "available", lambda: False)
    doc = extract(scanned_pdf(text_pages=2))
    assert doc.needs_ocr and doc.meta["scanned_pages"] == "3" and doc.errors == [f"pdf: {OCR_MISSING}"]
    assert "第2页" in doc.text


@pytest.mark.skipif(not ocr_available(), reason="the nianbao[ocr] extra is not installed")
def test_with_ocr_a_scanned_page_without_text_is_read_and_said_to_be_empty() -> None:
    doc = extract(scanned_pdf(text_pages=2))
    assert not doc.needs_ocr and doc.ocr and doc.meta["ocr_pages"] == "3" and not doc.errors
    assert "第2页" in doc.text
    assert extract(scanned_pdf()).errors == ["pdf: OCR found no text on any of 1 pages"]


def test_a_small_picture_on_a_page_of_its_own_is_no_scan() -> None:
    doc = extract(scanned_pdf(text_pages=2, picture_height=120))
    assert not doc.needs_ocr and not doc.errors


@pytest.mark.parametrize("data", [b"", b"hello world", b"%PDF-1.7\n" + bytes(range(256)) * 40,
                                  b"<html>%PDF</html>"])
def test_garbage_gives_an_error(data: bytes) -> None:
    doc = extract(data)
    assert doc.format == "pdf" and doc.errors and doc.blocks == []


@pytest.mark.parametrize("share", [0.3, 0.6, 0.95])
def test_truncated_sample_never_raises(share: float) -> None:
    data = SAMPLE.read_bytes()
    doc = extract(data[: int(len(data) * share)])
    # Either it is refused with a reason, or what could be read comes back; never silence.
    assert doc.errors or doc.blocks


def test_page_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    doc = extract(text_pdf(pages=4))
    assert doc.errors == ["pdf: 4 pages; only the first 2 were read"]
    assert "page 2" in doc.text and "page 3" not in doc.text


def test_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "Deadline", lambda: pdf.Deadline(0.0))
    doc = extract(text_pdf(pages=2))
    assert doc.errors and "budget" in doc.errors[0]
