"""The picture a person checks an OCR'd figure against: a PDF page, or a table picture of a DOCX/HTML report.

Provenance numbers pages from 1; for DOCX and HTML reports the "page" of an
OCR'd figure is the number of the table picture it was read from, in the
order :func:`pictures` gives them.  Needs no OCR engine: PDFium
renders pages, the pictures are stored inside the report.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium

VIEW_DPI = 150


def pictures(data: bytes) -> list[bytes]:
    """The pictures inside an HTML, DOCX (or DOC/WPS) report, or the report that is one picture, in
    reading order: the numbering OCR gives them."""
    from nianbao.parsers.api import extract_document

    return [p.data for p in extract_document(data, ocr=False).pictures if p.data is not None]


def page_png(data: bytes, fmt: str, number: int) -> tuple[bytes, str] | None:
    """Page (or table picture) ``number`` as (bytes, content type); None when there is no such page."""
    if fmt != "pdf":
        found = pictures(data)
        return (found[number - 1], _picture_type(found[number - 1])) if 0 < number <= len(found) else None
    pdf = pdfium.PdfDocument(data)
    try:
        if not 0 < number <= len(pdf):
            return None
        page = pdf[number - 1]
        image = page.render(scale=VIEW_DPI / 72.0).to_pil()
        page.close()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue(), "image/png"


def _picture_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return "application/octet-stream"
