"""PDF with a text layer into a Document: paragraphs, headings and table grids.

PDFium (``pdf_pdfium``) reads characters and drawn lines; pdfplumber
(pdfminer.six, ``pdf_source.PlumberSource``) reads the files PDFium will not
open and pages whose geometry it does not convert, giving the same data.
Tables are found from their ruling lines (``pdf_rules``), characters go to
cells by position (``pdf_page``), tables split over pages are joined
(``pdf_grid``) and running text becomes paragraphs (``pdf_layout``).  A PDF
without a text layer (a scan) is flagged ``needs_ocr`` with an error rather
than returned empty; with the ``nianbao[ocr]`` extra installed its pages are
read by OCR (:mod:`parsers.ocr`) instead.  Encrypted, truncated and malformed files give an
error, never an exception; at most :data:`MAX_PAGES` pages are read, within
the per-document and per-page time budgets of :mod:`parsers.limits`, and a
file whose streams inflate beyond its limits (a decompression bomb) is refused
before any reader opens it (:mod:`parsers.extract.pdf_streams`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from nianbao.parsers.extract.pdf_layout import build_blocks
from nianbao.parsers.extract.pdf_page import PageContent, read_page
from nianbao.parsers.extract.pdf_pdfium import PdfiumSource, UnsupportedGeometry
from nianbao.parsers.extract.pdf_source import PasswordRequired, PdfSource, PlumberSource
from nianbao.parsers.extract.pdf_streams import check_streams
from nianbao.parsers.limits import PAGE_TIME_SECONDS, Deadline, LimitExceeded, guarded
from nianbao.parsers.model import Document
from nianbao.parsers.ocr import MISSING, available

MAX_PAGES = 200
SCAN_SHARE = 0.5  # a page without text whose picture covers this share of it is a scan
UNMAPPED_SHARE = 0.2  # beyond this share of unmappable characters the text layer is unusable
Backend = Literal["pdfium", "pdfplumber"]
READERS: dict[Backend, Callable[[bytes], PdfSource]] = {"pdfium": PdfiumSource, "pdfplumber": PlumberSource}


def _read_pages(source: PdfSource, doc: Document, deadline: Deadline) -> list[PageContent]:
    if source.page_count > MAX_PAGES:
        doc.errors.append(f"pdf: {source.page_count} pages; only the first {MAX_PAGES} were read")
    contents = []
    for number in range(1, min(source.page_count, MAX_PAGES) + 1):
        try:
            deadline.check()
            page_deadline = Deadline(PAGE_TIME_SECONDS, "page")
            contents.append(read_page(source.page(number - 1), number))
            page_deadline.check()  # a page cannot be stopped midway; one that took too long ends the reading
        except LimitExceeded as exc:
            doc.errors.append(f"pdf: stopped before page {number}: {exc}")
            break
        except UnsupportedGeometry:
            raise
        except Exception as exc:
            doc.errors.append(f"pdf: page {number} could not be read: {type(exc).__name__}: {exc}")
    return contents


def _read(data: bytes, backend: Backend, doc: Document, deadline: Deadline) -> list[PageContent]:
    """Meta and pages into ``doc``; raises when the file cannot be opened or the reader cannot convert it."""
    source = READERS[backend](data)
    try:
        doc.meta = source.meta
        return _read_pages(source, doc, deadline)
    finally:
        source.close()


def _read_with_fallback(data: bytes, backend: Backend, doc: Document, deadline: Deadline) -> list[PageContent]:
    """PDFium first; what it cannot open or convert is read again, whole, by pdfplumber."""
    try:
        return _read(data, backend, doc, deadline)
    except PasswordRequired:
        raise
    except Exception:
        if backend == "pdfplumber":
            raise
        doc.errors.clear()
        return _read(data, "pdfplumber", doc, deadline)


def _scanned(contents: list[PageContent]) -> list[int]:
    """Numbers of the pages that are pictures without a text layer (and not read by OCR)."""
    return [c.number for c in contents if c.chars == 0 and c.image_share >= SCAN_SHARE and not c.ocr]


def _read_scans(data: bytes, contents: list[PageContent], doc: Document) -> list[PageContent]:
    """The pages with the scanned ones read by OCR, when it is installed; pages with text are never OCR'd."""
    scanned = _scanned(contents)
    if not scanned or not available():
        return contents
    from nianbao.parsers.ocr.scans import read_pdf_pages

    read = {page.number: page for page in read_pdf_pages(data, scanned, doc.errors)}
    if read:
        doc.ocr = True
        doc.meta["ocr_pages"] = ",".join(map(str, sorted(read)))
    return [read.get(c.number, c) for c in contents]


def _flag_missing_text(contents: list[PageContent], doc: Document) -> None:
    """A scan has images but no characters, or characters without Unicode: say OCR is needed."""
    scanned = _scanned(contents)
    if contents and all(c.chars == 0 for c in contents) and any(c.ocr for c in contents):
        doc.errors.append(f"pdf: OCR found no text on any of {len(contents)} pages")
    elif contents and all(c.chars == 0 for c in contents):
        imaged = any(c.image_share > 0 for c in contents)
        doc.needs_ocr = imaged
        reason = "image-only or scanned PDF, OCR needed" if imaged else "PDF has no text at all"
        doc.errors.append(f"pdf: no text layer on any of {len(contents)} pages ({reason})")
    elif scanned:  # some pages are scans (often the tables): their figures need OCR
        doc.needs_ocr = True
        doc.meta["scanned_pages"] = ",".join(map(str, scanned))
    if scanned and not available():
        doc.errors.append(f"pdf: {MISSING}")
    unmapped = sum(c.unmapped for c in contents)
    if unmapped > UNMAPPED_SHARE * max(1, sum(c.chars for c in contents)):
        doc.needs_ocr = True
        doc.errors.append(f"pdf: {unmapped} characters have no Unicode mapping in the fonts (OCR needed)")


@guarded("pdf")
def extract(data: bytes, backend: Backend = "pdfium") -> Document:
    """``backend`` picks the reader; PDFium falls back to pdfplumber for what it cannot read."""
    doc = Document(format="pdf")
    if not data.lstrip()[:1024].count(b"%PDF"):
        doc.errors.append("pdf: not a PDF (no %PDF header)")
        return doc
    deadline = Deadline()
    check_streams(data, deadline)  # raises LimitExceeded: the error says which limit
    try:
        contents = _read_with_fallback(data, backend, doc, deadline)
    except PasswordRequired:
        doc.errors.append("pdf: encrypted; it needs a password to open")
        return doc
    except Exception as exc:
        doc.errors.append(f"pdf: could not open the file: {type(exc).__name__}: {exc}")
        return doc
    contents = _read_scans(data, contents, doc)
    _flag_missing_text(contents, doc)
    doc.blocks = build_blocks(contents)
    return doc
