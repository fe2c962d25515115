"""Table cells (boxes with text) into a grid, joining a table split over pages.

Columns come from the cells' own left and right edges, pooled over every
page the table covers, so a continuation drawn a point or two off still
lines up, and a part with fewer columns (a merged value cell) spreads over
the columns it covers.  A merged cell's text is repeated in every position
it covers, and its span kept in ``Table.spans``.  Where a page break cuts a
merged cell (a group label such as （四）无法提供, or the vertical
三、本年度办理结果), the part on the next page is printed empty; the label is
carried down into it.  Header rows repeated at
the top of the next page are dropped.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from nianbao.parsers.extract.spans import Owners, spans_of
from nianbao.parsers.model import Table

COLUMN_TOLERANCE = 4.0  # column edges this close (pt) across pages are one edge


@dataclass
class Cell:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    confidence: float | None = None  # OCR's confidence in the text; None for a text layer or an empty cell


@dataclass
class TablePart:
    """The piece of a table on one page."""

    page: int
    cells: list[Cell]
    title: str | None = None
    ocr: bool = False  # read from a page image

    @property
    def x0(self) -> float:
        return min(c.x0 for c in self.cells)

    @property
    def x1(self) -> float:
        return max(c.x1 for c in self.cells)

    @property
    def top(self) -> float:
        return min(c.top for c in self.cells)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.cells)


@dataclass
class _Placed:
    """A cell placed on the grid: rows [r0, r1), columns [c0, c1)."""

    cell: Cell
    r0: int
    r1: int
    c0: int
    c1: int
    text: str = ""
    confidence: float | None = None


def _edges(values: list[float], tolerance: float) -> list[float]:
    """Cluster coordinates into edges (the mean of each cluster)."""
    edges: list[list[float]] = []
    for v in sorted(values):
        if edges and v - edges[-1][-1] <= tolerance:
            edges[-1].append(v)
        else:
            edges.append([v])
    return [sum(e) / len(e) for e in edges]


def _index(edges: list[float], value: float) -> int:
    """The index of the edge nearest to ``value``."""
    i = bisect_left(edges, value)
    if i == len(edges) or (i > 0 and value - edges[i - 1] < edges[i] - value):
        i -= 1
    return i


def continues(previous: TablePart, part: TablePart) -> bool:
    """Whether ``part`` (first thing on its page) continues ``previous`` (last thing on the page before)."""
    return (part.page == previous.page + 1
            and abs(part.x0 - previous.x0) <= COLUMN_TOLERANCE
            and abs(part.x1 - previous.x1) <= COLUMN_TOLERANCE)


def _place(parts: list[TablePart]) -> tuple[list[list[_Placed]], int, list[int]]:
    """Each part's cells on one column grid, rows numbered through the parts: (placed, width, row pages)."""
    columns = _edges([x for p in parts for c in p.cells for x in (c.x0, c.x1)], COLUMN_TOLERANCE)
    placed_parts: list[list[_Placed]] = []
    row_pages: list[int] = []
    for part in parts:
        rows = _edges([y for c in part.cells for y in (c.top, c.bottom)], 1.0)
        offset = len(row_pages)
        placed = [
            _Placed(c, offset + _index(rows, c.top), offset + _index(rows, c.bottom),
                    _index(columns, c.x0), _index(columns, c.x1), c.text, c.confidence)
            for c in part.cells
        ]
        placed_parts.append([p for p in placed if p.r1 > p.r0 and p.c1 > p.c0])
        row_pages += [part.page] * (len(rows) - 1)
    return placed_parts, len(columns) - 1, row_pages


def _carry_down(above: list[_Placed], below: list[_Placed]) -> None:
    """Give the empty leading cells of a continuation's first row the label of the cell above them."""
    if not above or not below:
        return
    first_row = min(p.r0 for p in below)
    last_row = max(p.r1 for p in above) - 1
    ending_above = {(p.c0, p.c1): p for p in above if p.r0 <= last_row < p.r1}
    for cell in sorted((p for p in below if p.r0 == first_row), key=lambda p: p.c0):
        if cell.text:
            break
        label = ending_above.get((cell.c0, cell.c1))
        if label is None or not label.text:
            break
        cell.text, cell.confidence = label.text, label.confidence


Confidences = list[list[float | None]]


def _fill(placed: list[_Placed], n_rows: int, width: int) -> tuple[list[list[str]], Owners, Confidences]:
    """The grid of texts, which placed cell fills each position (see :mod:`parsers.extract.spans`) and
    the OCR confidence of each position's text."""
    grid = [[""] * width for _ in range(n_rows)]
    owners: Owners = [[None] * width for _ in range(n_rows)]
    confidence: Confidences = [[None] * width for _ in range(n_rows)]
    for number, p in enumerate(placed):
        for r in range(p.r0, p.r1):
            for c in range(p.c0, p.c1):
                grid[r][c] = p.text
                owners[r][c] = number
                confidence[r][c] = p.confidence
    return grid, owners, confidence


def build_table(parts: list[TablePart]) -> Table:
    """One table from its parts (one per page, in order)."""
    placed_parts, width, row_pages = _place(parts)
    for above, below in zip(placed_parts, placed_parts[1:]):
        _carry_down(above, below)
    grid, owners, confidence = _fill([p for placed in placed_parts for p in placed], len(row_pages), width)
    keep = _rows_kept(grid, row_pages)
    ocr = any(part.ocr for part in parts)
    return Table(rows=[grid[i] for i in keep], page=parts[0].page, title=parts[0].title,
                 row_pages=[row_pages[i] for i in keep], spans=spans_of([owners[i] for i in keep]),
                 confidence=[confidence[i] for i in keep] if ocr else None)


def _rows_kept(grid: list[list[str]], row_pages: list[int]) -> list[int]:
    """The rows to keep: not those at the top of a later page that repeat the table's first rows
    (a repeated header)."""
    drop: set[int] = set()
    page_starts = [i for i in range(1, len(grid)) if row_pages[i] != row_pages[i - 1]]
    for start in page_starts:
        j = 0
        while start + j < len(grid) and j < start and any(grid[j]) and grid[start + j] == grid[j]:
            drop.add(start + j)
            j += 1
    return [i for i in range(len(grid)) if i not in drop]
