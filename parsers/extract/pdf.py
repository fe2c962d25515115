"""PDF with a text layer into a Document: paragraphs, headings and table grids.

pdfplumber (pdfminer.six) reads characters and drawn lines; tables are found
from their ruling lines (``pdf_rules``), characters go to cells by position
(``pdf_page``), tables split over pages are joined (``pdf_grid``) and running
text becomes paragraphs (``pdf_layout``).  A PDF without a text layer (a
scan) is flagged ``needs_ocr`` with an error rather than returned empty.
Encrypted, truncated and malformed files give an error, never an
exception; at most :data:`MAX_PAGES` pages are read, within the per-document
time budget of :mod:`parsers.limits`.
"""

from __future__ import annotations

import codecs
import io

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from parsers.extract.pdf_layout import build_blocks
from parsers.extract.pdf_page import PageContent, read_page
from parsers.limits import Deadline, LimitExceeded, guarded
from parsers.model import Document

MAX_PAGES = 200
SCAN_SHARE = 0.5  # a page without text whose picture covers this share of it is a scan
UNMAPPED_SHARE = 0.2  # beyond this share of unmappable characters the text layer is unusable
META_KEYS = ("Title", "Author", "Subject", "Creator", "Producer", "CreationDate", "ModDate")


def _decode(value: object) -> str | None:
    """A PDF text string: UTF-16 with either byte-order mark (WPS writes little-endian), else UTF-8 or
    PDFDocEncoding."""
    if isinstance(value, str):
        return value
    if not isinstance(value, bytes):
        return None
    if value[:2] in (codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE):
        return value.decode("utf-16", "replace")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return decode_text(value)


def _meta(pdf: pdfplumber.PDF) -> dict[str, str]:
    meta = {}
    for info in pdf.doc.info:
        for key in META_KEYS:
            value = _decode(resolve1(info.get(key)))
            if value and value.strip():
                meta[key.lower()] = value.strip()
    return meta


def _is_password_error(exc: BaseException) -> bool:
    """pdfplumber wraps pdfminer's errors; look through the wrapping for a password refusal."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, PDFPasswordIncorrect) or any(isinstance(arg, PDFPasswordIncorrect)
                                                         for arg in seen.args):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _read_pages(pdf: pdfplumber.PDF, doc: Document) -> list[PageContent]:
    deadline = Deadline()
    pages = pdf.pages
    if len(pages) > MAX_PAGES:
        doc.errors.append(f"pdf: {len(pages)} pages; only the first {MAX_PAGES} were read")
    contents = []
    for number, page in enumerate(pages[:MAX_PAGES], start=1):
        try:
            deadline.check()
            contents.append(read_page(page, number))
        except LimitExceeded as exc:
            doc.errors.append(f"pdf: stopped before page {number}: {exc}")
            break
        except Exception as exc:  # noqa: BLE001 - one broken page must not lose the others
            doc.errors.append(f"pdf: page {number} could not be read: {type(exc).__name__}: {exc}")
        finally:
            page.close()
    return contents


def _flag_missing_text(contents: list[PageContent], doc: Document) -> None:
    """A scan has images but no characters, or characters without Unicode: say OCR is needed."""
    scanned = [c.number for c in contents if c.chars == 0 and c.image_share >= SCAN_SHARE]
    if contents and all(c.chars == 0 for c in contents):
        imaged = any(c.image_share > 0 for c in contents)
        doc.needs_ocr = imaged
        reason = "image-only or scanned PDF, OCR needed" if imaged else "PDF has no text at all"
        doc.errors.append(f"pdf: no text layer on any of {len(contents)} pages ({reason})")
    elif scanned:  # some pages are scans (often the tables): their figures need OCR
        doc.needs_ocr = True
        doc.meta["scanned_pages"] = ",".join(map(str, scanned))
    unmapped = sum(c.unmapped for c in contents)
    if unmapped > UNMAPPED_SHARE * max(1, sum(c.chars for c in contents)):
        doc.needs_ocr = True
        doc.errors.append(f"pdf: {unmapped} characters have no Unicode mapping in the fonts (OCR needed)")


@guarded("pdf")
def extract(data: bytes) -> Document:
    doc = Document(format="pdf")
    if not data.lstrip()[:1024].count(b"%PDF"):
        doc.errors.append("pdf: not a PDF (no %PDF header)")
        return doc
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            doc.meta = _meta(pdf)
            contents = _read_pages(pdf, doc)
    except Exception as exc:  # noqa: BLE001 - bad input becomes an error
        if _is_password_error(exc):
            doc.errors.append("pdf: encrypted; it needs a password to open")
        else:
            doc.errors.append(f"pdf: could not open the file: {type(exc).__name__}: {exc}")
        return doc
    _flag_missing_text(contents, doc)
    doc.blocks = build_blocks(contents)
    return doc
