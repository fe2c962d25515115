"""OCR of the pictures an HTML or DOCX extractor marked as the report's statistics tables.

Each picture is read like a scanned page (its number is its place among
the pictures inside the file) and its tables and lines are put where the
picture stood in the text, so table titles and the chapters around them
are as in a report with real tables.
"""

from __future__ import annotations

from nianbao.parsers.extract.builder import table_pictures_error
from nianbao.parsers.extract.pdf_layout import build_blocks
from nianbao.parsers.model import Document
from nianbao.parsers.ocr.scans import read_pictures


def read_table_pictures(doc: Document) -> None:
    """Replace the marked pictures by what OCR reads in them; say why when some cannot be read."""
    marked = table_pictures_error(doc)
    inside = [p for p in doc.pictures if p.data is not None]
    if len(inside) < len(doc.pictures):
        doc.errors.append(f"{doc.format}: {len(doc.pictures) - len(inside)} picture(s) are linked from "
                          "other addresses, not inside the file, and were not read")
    pages = read_pictures([p.data for p in inside if p.data is not None], doc.errors)
    for page in reversed(pages):  # from the end, so earlier positions stay valid
        position = inside[page.number - 1].position
        doc.blocks[position:position] = build_blocks([page])
    doc.ocr = bool(pages)
    if pages and len(pages) == len(doc.pictures):
        doc.needs_ocr = False
        if marked in doc.errors:
            doc.errors.remove(marked)
