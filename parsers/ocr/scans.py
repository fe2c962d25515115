"""OCR of whole pages and pictures within the per-page time budget.

PDF pages are rendered by PDFium at :data:`RENDER_DPI` (a scan made at 150
or 300 dpi reads as well: the recogniser scales text to its own height).
OCR cannot be interrupted inside a page, so the budget is checked after
each page: a page that took longer than :data:`PAGE_SECONDS` of CPU time
(the engine runs on one thread; wall time would punish a busy machine)
stops the OCR of the rest, with an error naming the pages left unread.
A whole document stops after :data:`DOCUMENT_SECONDS` of CPU time, inside
the parse pool's default wall-time cap (:mod:`parsers.pool`, 180 s) on an
idle core: a long scan gives the pages read so far and an error, rather
than a killed worker and nothing, and stays ``needs_ocr`` for
``nianbao reparse --ocr``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import cv2
import numpy as np
import pypdfium2 as pdfium

from nianbao.parsers.extract.pdf_page import PageContent
from nianbao.parsers.ocr.image import decode
from nianbao.parsers.ocr.page import read_image

RENDER_DPI = 200.0
PICTURE_DPI = 96.0  # pictures in web pages and Word files carry no reliable resolution: screen pixels
MIN_PICTURE_WIDTH = 1200  # narrower pictures are enlarged first: small text reads better larger
PAGE_SECONDS = 60.0  # CPU seconds per page; a page takes 5-15 s
DOCUMENT_SECONDS = 120.0  # CPU seconds for all pages of one document (the pool kills a parse at 180 s wall)
MAX_PAGES = 60


def _within_budget(numbers: list[int], read: Callable[[int], PageContent], errors: list[str],
                   what: str) -> list[PageContent]:
    """``read`` each number in turn while every page keeps to the budget."""
    pages: list[PageContent] = []
    if len(numbers) > MAX_PAGES:
        errors.append(f"ocr: {len(numbers)} {what}s to read; only the first {MAX_PAGES} were read")
    document_started = time.process_time()
    for i, number in enumerate(numbers[:MAX_PAGES]):
        if time.process_time() - document_started > DOCUMENT_SECONDS:
            left = ", ".join(map(str, numbers[i:MAX_PAGES]))
            errors.append(f"ocr: stopped after {DOCUMENT_SECONDS:g} s of CPU for the document; "
                          f"{what}s {left} were not read")
            break
        started = time.process_time()
        try:
            pages.append(read(number))
        except Exception as exc:
            errors.append(f"ocr: {what} {number} could not be read: {type(exc).__name__}: {exc}")
            continue
        spent = time.process_time() - started
        if spent > PAGE_SECONDS and i + 1 < len(numbers):
            left = ", ".join(map(str, numbers[i + 1 : MAX_PAGES]))
            errors.append(f"ocr: {what} {number} took {spent:.0f} s of CPU, over the {PAGE_SECONDS:g} s budget "
                          f"per page; {what}s {left} were not read")
            break
    return pages


def read_pdf_pages(data: bytes, numbers: list[int], errors: list[str]) -> list[PageContent]:
    """Pages ``numbers`` (1-based) of a PDF, rendered and read by OCR."""
    pdf = pdfium.PdfDocument(data)

    def read(number: int) -> PageContent:
        page = pdf[number - 1]
        try:
            image = page.render(scale=RENDER_DPI / 72.0, grayscale=True).to_pil().convert("L")
        finally:
            page.close()
        return read_image(np.asarray(image), number, RENDER_DPI)

    try:
        return _within_budget(numbers, read, errors, "page")
    finally:
        pdf.close()


def read_pictures(pictures: Iterable[bytes], errors: list[str]) -> list[PageContent]:
    """Pictures (PNG, JPEG ...) read by OCR, each as a page numbered from 1."""
    images = list(pictures)

    def read(number: int) -> PageContent:
        image = decode(images[number - 1])
        dpi = PICTURE_DPI
        if image.shape[1] < MIN_PICTURE_WIDTH:
            factor = MIN_PICTURE_WIDTH / image.shape[1]
            image = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
            dpi *= factor
        return read_image(image, number, dpi)

    return _within_budget(list(range(1, len(images) + 1)), read, errors, "picture")

