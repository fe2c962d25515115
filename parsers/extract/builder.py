"""What the HTML and DOCX extractors share: text clean-up and building a Document block by block."""

from __future__ import annotations

import re

from nianbao.parsers.extract.spans import Owners, spans_of
from nianbao.parsers.limits import MAX_TABLE_CELLS, Deadline, LimitExceeded
from nianbao.parsers.model import Block, Document, Picture, Table

# CJK ideographs, full-width forms and CJK punctuation: no space is printed between these.
_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_BREAK_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]*[\r\n][\s]*(?=[{_CJK}])")
_SPACES = re.compile(r"[\s\u00a0\u200b\ufeff]+")
# C0 controls that are not whitespace (and DEL): invisible in a browser, and not allowed in XML (the Atom feed).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_TITLE_MAX_CHARS = 60
# Chapter titles under which every annual-report template prints its statistics tables.
_STATISTICS_CHAPTER = re.compile(r"主动公开政府信息(?:的)?情况|收到和处理政府信息公开申请|行政复议、行政诉讼|情况统计表")


def clean_text(text: str) -> str:
    """Collapse whitespace as a browser does, drop control characters; a source line break between CJK
    characters vanishes."""
    return _SPACES.sub(" ", _BREAK_BETWEEN_CJK.sub("", _CONTROLS.sub("", text))).strip()


def join_lines(parts: list[str]) -> str:
    """Join the lines of one label (``三、本年度<br>办理结果``): no space next to CJK, else one space."""
    joined = ""
    for part in (clean_text(p) for p in parts):
        if not part:
            continue
        if joined and not (_CJK_CHAR.match(joined[-1]) or _CJK_CHAR.match(part[0])):
            joined += " "
        joined += part
    return joined


def without_columns(rows: list[list], columns: set[int]) -> list[list]:
    """The grid without the given columns: sliver columns that only exist for page layout.

    Word (and LibreOffice) split the grid wherever column edges of different
    rows do not quite line up, so a value cell can span a real column plus a
    sliver; kept, the value would appear twice in its row and be counted twice.
    """
    return [[cell for c, cell in enumerate(row) if c not in columns] for row in rows]


class DocumentBuilder:
    """Collects blocks in reading order, titling tables and enforcing the per-document limits."""

    def __init__(self, fmt: str, deadline: Deadline | None = None) -> None:
        self.document = Document(format=fmt)
        self.deadline = deadline or Deadline()

    def add_text(self, text: str, heading: bool = False) -> None:
        self.deadline.check()
        text = clean_text(text)
        if text:
            self.document.blocks.append(Block(kind="heading" if heading else "paragraph", text=text))

    def add_table(
        self, rows: list[list[str]], layout_columns: set[int] | None = None, owners: Owners | None = None
    ) -> None:
        """Add a grid, without its ``layout_columns`` (see :func:`without_columns`); ``owners``, the
        source cell of each position (see :mod:`parsers.extract.spans`), gives the merged cells."""
        self.deadline.check()
        if layout_columns:
            rows = without_columns(rows, layout_columns)
            owners = None if owners is None else without_columns(owners, layout_columns)
        if not rows:
            return
        cells = sum(len(row) for row in rows)
        if cells > MAX_TABLE_CELLS:
            raise LimitExceeded(f"a table has {cells:,} cells, over the {MAX_TABLE_CELLS:,} limit")
        spans = None if owners is None else spans_of(owners)
        self.document.blocks.append(Block(kind="table", table=Table(rows=rows, title=self._caption(), spans=spans)))

    def add_picture(self, data: bytes | None) -> None:
        """A picture at this point of the text (``None``: linked, its bytes are elsewhere)."""
        self.document.pictures.append(Picture(len(self.document.blocks), data))

    def _caption(self) -> str | None:
        """The heading or short paragraph printed just before the table, if any."""
        blocks = self.document.blocks
        if blocks and blocks[-1].kind != "table" and len(blocks[-1].text) <= _TITLE_MAX_CHARS:
            return blocks[-1].text
        return None


def table_pictures_error(document: Document) -> str:
    return (f"{document.format}: no tables, but {len(document.pictures)} picture(s) in the article: "
            "the tables are probably images and need OCR")


def mark_table_pictures(document: Document) -> None:
    """Many portals paste the statistics tables as pictures: say so rather than report no tables.

    A report whose text names the statistics chapters, with pictures and not one table, has its
    figures in the pictures: it needs OCR, like a scanned PDF (see :mod:`parsers.ocr.pictures`).
    """
    if document.pictures and not document.tables and _STATISTICS_CHAPTER.search(document.text):
        document.needs_ocr = True
        document.errors.append(table_pictures_error(document))
