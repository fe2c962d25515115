"""What the PDF extractor reads from a page, and the pdfplumber reader of it.

The extractor needs, per page, its size, the characters (text, box, font
size), the drawn paths that may be table rules (pdfminer's line, rect and
curve objects: points, whether stroked or filled, colours) and how much of
the page each picture covers.  :class:`PageData` holds exactly that, in
pdfplumber's conventions: origin top-left, ``top``/``bottom`` measured
down from the top edge.  Two readers fill it: :mod:`parsers.extract.pdf_pdfium`
(fast, the default) and :class:`PlumberSource` (pdfminer.six; the fallback
for files and page geometries the fast reader does not handle).
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass, field
from typing import Any, Protocol

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

Obj = dict[str, Any]
META_KEYS = ("Title", "Author", "Subject", "Creator", "Producer", "CreationDate", "ModDate")


class PasswordRequired(Exception):
    """The PDF is encrypted with a user password."""


@dataclass
class PageData:
    width: float
    height: float
    chars: list[Obj] = field(default_factory=list)  # text, x0, x1, top, bottom, size
    lines: list[Obj] = field(default_factory=list)  # x0, top, x1, bottom, stroking_color
    rects: list[Obj] = field(default_factory=list)  # ... stroke, fill, non_stroking_color
    curves: list[Obj] = field(default_factory=list)  # ... pts [(x, top), ...]
    image_shares: list[float] = field(default_factory=list)  # the share of the page each picture covers
    unmapped: int = 0  # characters the fonts cannot map to Unicode


class PdfSource(Protocol):
    meta: dict[str, str]
    page_count: int

    def page(self, index: int) -> PageData:
        """One page (0-based); raises if that page cannot be read."""
        ...

    def close(self) -> None: ...


def decode_meta(value: object) -> str | None:
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


def _is_password_error(exc: BaseException) -> bool:
    """pdfplumber wraps pdfminer's errors; look through the wrapping for a password refusal."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, PDFPasswordIncorrect) or any(isinstance(arg, PDFPasswordIncorrect)
                                                         for arg in seen.args):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class PlumberSource:
    """Pages read by pdfplumber (pdfminer.six): slow, but reads any geometry pdfminer reads."""

    def __init__(self, data: bytes) -> None:
        try:
            self.pdf = pdfplumber.open(io.BytesIO(data))
            self.meta = self._meta()
            self.page_count = len(self.pdf.pages)
        except Exception as exc:
            if _is_password_error(exc):
                raise PasswordRequired from exc
            raise

    def _meta(self) -> dict[str, str]:
        meta = {}
        for info in self.pdf.doc.info:
            for key in META_KEYS:
                value = decode_meta(resolve1(info.get(key)))
                if value and value.strip():
                    meta[key.lower()] = value.strip()
        return meta

    def page(self, index: int) -> PageData:
        page = self.pdf.pages[index]
        try:
            area = float(page.width * page.height) or 1.0
            chars = page.chars  # spaces included: they separate Latin words
            return PageData(float(page.width), float(page.height), chars, page.lines, page.rects, page.curves,
                            [float(i["width"] * i["height"]) / area for i in page.images],
                            unmapped=sum(c["text"].startswith("(cid:") for c in chars))
        finally:
            page.close()

    def close(self) -> None:
        self.pdf.close()
