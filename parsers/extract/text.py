"""Plain-text renderings of reports: tab- or pipe-separated tables, markdown, bare lines.

Text copies of reports come out of converters and copy-paste: tables as
tab-separated or ``a | b | c`` lines (markdown or not), ``---`` separator
rows, headings as ``#`` lines, ``**bold**`` marks, and tables broken by
blank lines.  Cells lost or shifted by the conversion cannot be seen here,
so every table is marked ``loose``: the mapper aligns its values by the
template's arithmetic rather than by position.  A PDF's text layer prints a
row as its label and then its values separated by spaces
(``四、结转下年度继续办理 0 0 0 0 0 0 0``); a run of three or more numbers
ending a line is read as such a row.
"""

from __future__ import annotations

import re

from nianbao.parsers.encoding import decode_bytes
from nianbao.parsers.extract.text_flat import Chapters, Region, is_header, names_template, rows, tokens
from nianbao.parsers.limits import guarded
from nianbao.parsers.model import Block, Document, Table
from nianbao.parsers.numbers import is_number

_HEADING = re.compile(r"^#{1,6}\s*(?P<text>.*?)\s*#*$")
_SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")
_MARKUP = re.compile(r"\*\*|__|\\(?=[_*#|\\])")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|<(https?://[^>]*)>")
_CAPTION_MAX_CHARS = 60
_HEADER_PIECE_MAX = 12  # a header cell's line: 第二十条第（一）项, 本年新, 制作数量
_VALUE = r"[+-]?\d[\d,]*(?:\.\d+)?"
_VALUE_RUN = re.compile(rf"^(?P<label>.*?[^\d\s.,+-])?\s*(?P<values>{_VALUE}(?:\s+{_VALUE}){{2,}})\s*$")


def _clean(text: str) -> str:
    return _MARKUP.sub("", _LINK.sub(lambda m: m.group(1) or m.group(2), text)).strip()


def _cells(line: str) -> list[str] | None:
    """The cells of a tab- or pipe-separated table line, or None."""
    if "\t" in line:
        return [_clean(c) for c in line.split("\t")]
    if line.count("|") >= 2 or line.lstrip().startswith("|") or (line.count(" | ") == 1 and line.strip(" |") == line.strip()):
        cells = [_clean(c) for c in line.strip().split("|")]
        if line.strip().startswith("|"):
            cells = cells[1:]
        if line.strip().endswith("|") and cells and not cells[-1]:
            cells = cells[:-1]
        return cells
    return None


def _value_run(line: str) -> list[str] | None:
    """A PDF text layer's row: its label, then three or more numbers separated by spaces."""
    run = _VALUE_RUN.match(line.strip())
    if not run:
        return None
    label = [_clean(run.group("label"))] if run.group("label") else []
    return label + run.group("values").split()


def _is_separator(cells: list[str]) -> bool:
    return any(cells) and all(not c or _SEPARATOR_CELL.match(c) for c in cells)


class _Reader:
    """Lines in, blocks out: explicit table rows, flattened table regions, headings and paragraphs."""

    def __init__(self) -> None:
        self.doc = Document(format="text")
        self.rows: list[list[str]] = []  # tab/pipe rows of the table being read
        self.region = Region()  # short lines that may be a flattened table
        self.chapters = Chapters()
        self.short = 0  # paragraphs just read that may be a table's header cells, one per line

    def line(self, line: str) -> None:
        cells = _cells(line)
        if cells is None and self.rows:
            cells = _value_run(line)
        if cells is not None and (self.rows or sum(1 for c in cells if c) >= 2):  # "\t一、总体情况" is prose
            self.close_region()
            if not _is_separator(cells) and any(cells):
                self.rows.append(cells)
            return
        self.close_table()
        heading = _HEADING.match(line.strip())
        found = None if heading else tokens(_clean(line.replace("\t", " ")))
        if found is not None and not self.chapters.is_heading(line) and (self.region.lines or any(
                names_template(t) or is_number(t) for t in found)):
            if not self.region.lines:
                self.pull_back()
            self.region.lines.append(_clean(line.replace("\t", " ")))
            self.region.tokens.append(found)
            return
        self.close_region()
        if self.chapters.is_next(line):
            self.chapters.advance()
            self.short = 0
        if heading:
            text = _clean(heading.group("text"))
            if text:
                self.doc.blocks.append(Block(kind="heading", text=text))
        else:
            self.paragraph(_clean(line.replace("\t", " ")))

    def paragraph(self, text: str) -> None:
        self.doc.blocks.append(Block(kind="paragraph", text=text))
        self.short = self.short + 1 if tokens(text) is not None and len(text) <= _HEADER_PIECE_MAX else 0

    def pull_back(self) -> None:
        """A region starting: the short lines just before it (第二十条第（一）项, header cells cut where
        they wrapped: 本年新 / 制作数量) are its header; take them back from the paragraphs."""
        pieces = [b.text for b in self.doc.blocks[len(self.doc.blocks) - self.short:]]
        del self.doc.blocks[len(self.doc.blocks) - self.short:]
        self.short = 0
        for text in pieces:
            self.region.lines.append(text)
            self.region.tokens.append(tokens(text) or [])

    def table(self, rows: list[list[str]]) -> None:
        self.short = 0
        previous = self.doc.blocks[-1].text if self.doc.blocks else ""
        title = previous if 0 < len(previous) <= _CAPTION_MAX_CHARS else None
        self.doc.blocks.append(Block(kind="table", table=Table(rows=rows, title=title, loose=True)))

    def close_table(self) -> None:
        if self.rows and any(any(c for c in r) for r in self.rows):
            self.table(list(self.rows))
        self.rows.clear()

    def close_region(self) -> None:
        """The region's lines up to its last value as a table, if they are one; the rest as paragraphs."""
        region, self.region = self.region, Region()
        last = max((i for i, line in enumerate(region.tokens) if any(is_number(t) for t in line)), default=-1)
        if last < 0:  # no values: a table printed blank ends with its last header cell
            last = max((i for i, line in enumerate(region.tokens) if any(is_header(t) for t in line)), default=-1)
        table = Region(region.lines[:last + 1], region.tokens[:last + 1])
        if table.is_table():
            self.table(rows(table))
            rest = region.lines[last + 1:]
        else:
            rest = region.lines
        for text in rest:
            self.paragraph(text)


def text_to_document(text: str) -> Document:
    """Blocks of a decoded text; table lines separated only by blank lines form one table."""
    reader = _Reader()
    for raw in text.splitlines():
        line = raw.rstrip("\r\n")
        if line.strip():  # blank lines never end a table: converters break tables with them
            reader.line(line)
    reader.close_table()
    reader.close_region()
    return reader.doc


@guarded("text")
def extract(data: bytes) -> Document:
    text, _encoding = decode_bytes(data)
    return text_to_document(text)
