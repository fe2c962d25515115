"""Table grids as the mappers see them: logical tables of rows, each row split into label and values.

Extractors hand over tables as printed; a report's statistics table may be
split into several (page breaks, converters), and a table may hold labels
repeated by merged cells or left empty.  Here consecutive tables separated
only by page furniture (``-3-``, ``第 3 页``) become one logical table, and
each row knows where it came from, so every figure keeps its provenance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from nianbao.parsers.labels import normalize_label
from nianbao.parsers.model import Document
from nianbao.parsers.numbers import is_blank, is_number

_CONTEXT_CHARS = 300
_PAGE_FURNITURE = re.compile(r"^[\s\-—－_·.]*(?:第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d{1,3}|[-—－]\s*\d{1,3}\s*[-—－])[\s\-—－_.]*$")


@dataclass
class GridRow:
    """One printed row; its cells are never changed, so what is read from them is computed once."""

    cells: list[str]
    table: int  # index of the table in the document (= ParseResult.tables)
    row: int
    page: int | None
    loose: bool
    confidence: list[float | None] | None = None  # OCR's confidence in each cell; None: read from text

    @cached_property
    def label_indices(self) -> list[int]:
        """Cells that are text: not blank, not a number."""
        return [i for i, c in enumerate(self.cells) if not is_blank(c) and not is_number(c)]

    @cached_property
    def label(self) -> str:
        """The normalised row label: its text cells joined, merged-cell repeats dropped."""
        parts: list[str] = []
        for i in self.label_indices:
            text = normalize_label(self.cells[i])
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        return "".join(parts)

    @cached_property
    def has_number(self) -> bool:
        return any(is_number(c) for c in self.cells)

    def tail(self, keep_placeholders: bool = False) -> list[int]:
        """Indices of the value cells after the last label cell, blank edges trimmed, inner blanks kept.

        With ``keep_placeholders`` only empty edges are trimmed: a printed ``-`` or ``/`` stays a cell.
        """
        labels = self.label_indices
        start = labels[-1] + 1 if labels else 0
        indices = list(range(start, len(self.cells)))
        edge = (lambda i: not self.cells[i].strip()) if keep_placeholders else (lambda i: is_blank(self.cells[i]))
        while indices and edge(indices[0]):
            indices.pop(0)
        while indices and edge(indices[-1]):
            indices.pop()
        return indices


@dataclass
class LogicalTable:
    rows: list[GridRow] = field(default_factory=list)
    # the text printed just before the table (its caption, section heading, a header printed as lines):
    # names a table whose header row was not kept (markdown copies, a PDF's text layer)
    context: str = ""

    @property
    def loose(self) -> bool:
        return any(r.loose for r in self.rows)


def logical_tables(doc: Document) -> list[LogicalTable]:
    """The document's tables, joining a table with the next when only page furniture lies between."""
    result: list[LogicalTable] = []
    index = -1
    joinable = False
    before: list[str] = []  # text blocks since the last table
    for block in doc.blocks:
        if block.kind != "table" or block.table is None:
            if block.text.strip() and not _PAGE_FURNITURE.match(block.text):
                joinable = False
                before.append(block.text.strip())
            continue
        index += 1
        table = block.table
        if not (joinable and result):
            result.append(LogicalTable(context="\n".join(before + [table.title or ""])[-_CONTEXT_CHARS:]))
        before = []
        for r, cells in enumerate(table.rows):
            page = table.row_pages[r] if table.row_pages and r < len(table.row_pages) else table.page
            confidence = table.confidence[r] if table.confidence and r < len(table.confidence) else None
            result[-1].rows.append(GridRow([c or "" for c in cells], index, r, page, table.loose, confidence))
        joinable = True
    return result


def column_positions(header_rows: list[GridRow], entries: list[dict]) -> dict[str, list[int]]:
    """Column key -> the grid positions whose header cell names it (merged headers give several)."""
    positions: dict[str, list[int]] = {}
    for row in header_rows:
        for i, cell in enumerate(row.cells):
            text = normalize_label(cell)
            for entry in entries:
                if text and any(p.search(text) for p in entry["patterns"]):
                    if i not in positions.setdefault(entry["key"], []):
                        positions[entry["key"]].append(i)
                    break
    return positions


def aligned_cells(row: GridRow, positions: dict[str, list[int]], keys: list[str]) -> dict[str, int | None] | None:
    """Key -> index of the cell holding its value (None: blank), read by header position.

    Only for grids whose cells keep their places: None when the row is loose,
    a position is missing, the label runs into the value columns, or a value
    cell holds text.
    """
    if row.loose or any(k not in positions for k in keys):
        return None
    first = min(min(positions[k]) for k in keys)
    if row.label_indices and row.label_indices[-1] >= first:
        return None
    chosen: dict[str, int | None] = {}
    for key in keys:
        cells = [i for i in positions[key] if i < len(row.cells)]
        if not cells:
            return None
        filled = [i for i in cells if not is_blank(row.cells[i])]
        if filled and not is_number(row.cells[filled[0]]):
            return None
        chosen[key] = filled[0] if filled else None
    return chosen
