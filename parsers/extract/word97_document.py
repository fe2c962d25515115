"""Paragraphs of a Word 97–2003 file (:mod:`parsers.extract.word97`) → Document, tables as grids.

A table row is its cells' paragraphs then the row end mark, whose
properties give each cell's left and right edge.  The grid's columns are
all the edges of the table's rows, so a cell spanning several columns of
other rows is repeated across them, as the DOCX extractor repeats a
``gridSpan``; a vertically merged cell is repeated down, and sliver columns
(edges that nearly line up) are dropped the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.parsers.extract.builder import DocumentBuilder, join_lines
from nianbao.parsers.extract.spans import Owners
from nianbao.parsers.extract.word97 import LINE_BREAK, Paragraph, RowProps, read_paragraphs
from nianbao.parsers.limits import MAX_TABLE_CELLS, LimitExceeded
from nianbao.parsers.model import Document

_SLIVER_RATIO = 4  # a column under a quarter of the median width only exists for layout
_CONTINUES_ABOVE = 1


@dataclass
class _Row:
    cells: list[str]
    props: RowProps | None


@dataclass
class _Grid:
    rows: list[list[str]] = field(default_factory=list)
    owners: Owners = field(default_factory=list)
    own_columns: set[int] = field(default_factory=set)  # columns some one-column cell fills alone


def _columns(rows: list[_Row]) -> list[int]:
    return sorted({edge for row in rows if row.props for edge in row.props.edges})


def _slivers(columns: list[int]) -> set[int]:
    widths = [right - left for left, right in zip(columns, columns[1:])]
    if not widths:
        return set()
    median = sorted(widths)[len(widths) // 2]
    return {c for c, width in enumerate(widths) if width * _SLIVER_RATIO < median}


def _grid(rows: list[_Row], columns: list[int]) -> _Grid:
    position = {edge: i for i, edge in enumerate(columns)}
    grid = _Grid()
    number = 0
    for row in rows:
        above, owners_above = (grid.rows[-1], grid.owners[-1]) if grid.rows else ([], [])
        props = row.props
        fits = props is not None and len(props.edges) == len(row.cells) + 1
        line: list[str] = [""] * (position[props.edges[0]] if fits and props else 0)
        line_owners: list = [None] * len(line)
        for c, text in enumerate(row.cells):
            col = len(line)
            number += 1
            owner: object = number
            span = max(1, position[props.edges[c + 1]] - position[props.edges[c]]) if fits and props else 1
            if fits and props and props.vertical[c] == _CONTINUES_ABOVE:
                text = above[col] if col < len(above) else ""
                owner = owners_above[col] if col < len(owners_above) else None
            elif fits and props and props.merged[c] and line:
                text, owner = line[-1], line_owners[-1]
            if span == 1:
                grid.own_columns.add(col)
            line.extend([text] * span)
            line_owners.extend([owner] * span)
        grid.rows.append(line)
        grid.owners.append(line_owners)
    if sum(len(r) for r in grid.rows) > MAX_TABLE_CELLS:
        raise LimitExceeded(f"a table has more than {MAX_TABLE_CELLS:,} cells")
    return grid


class _Reader:
    """Walks the paragraphs, collecting table rows between running text."""

    def __init__(self, fmt: str) -> None:
        self.builder = DocumentBuilder(fmt)
        self.rows: list[_Row] = []
        self.cells: list[str] = []
        self.lines: list[str] = []

    def paragraph(self, paragraph: Paragraph) -> None:
        self.builder.deadline.check()
        lines = paragraph.text.split(LINE_BREAK)
        if paragraph.depth == 0:
            self.close_table()
            self.builder.add_text(join_lines(lines), heading=paragraph.heading)
        elif paragraph.row_end:
            self.rows.append(_Row(self.cells, paragraph.row))
            self.cells, self.lines = [], []
        else:
            self.lines.extend(lines)
            if paragraph.cell_end:
                self.cells.append(join_lines(self.lines))
                self.lines = []

    def close_table(self) -> None:
        if self.cells:  # a row without its end mark (damaged file): keep what it printed
            self.rows.append(_Row(self.cells, None))
        if self.rows:
            columns = _columns(self.rows)
            grid = _grid(self.rows, columns)
            self.builder.add_table(grid.rows, _slivers(columns) - grid.own_columns, grid.owners)
        self.rows, self.cells, self.lines = [], [], []


def read_word97(data: bytes, fmt: str = "doc") -> Document:
    """The Document of a Word 97–2003 file; raises ValueError (``word97.Unsupported``) when it cannot."""
    reader = _Reader(fmt)
    for paragraph in read_paragraphs(data):
        reader.paragraph(paragraph)
    reader.close_table()
    document = reader.builder.document
    document.meta["converter"] = "built-in Word 97-2003 reader"
    if not document.blocks:
        document.errors.append(f"{fmt}: the document has no text or tables")
    return document
