"""One PDF page into text lines and table parts.

Each character goes to the ruled cell whose box holds its middle, so a value
printed a little above its wrapped label still belongs to its row, and a
label printed one character per line stays one label.  Characters in no
cell are running text.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from nianbao.parsers.extract.pdf_grid import Cell, TablePart
from nianbao.parsers.extract.pdf_rules import Bbox, table_cells
from nianbao.parsers.extract.pdf_source import PageData
from nianbao.parsers.extract.pdf_text import Char, Line, cell_text, group_lines


@dataclass
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)  # running text, outside tables
    parts: list[TablePart] = field(default_factory=list)
    chars: int = 0
    unmapped: int = 0  # characters the fonts cannot map to Unicode
    image_share: float = 0.0  # the share of the page the largest picture covers (a scan covers nearly all)
    ocr: bool = False  # read from the page image by OCR, not from a text layer


def _middle(c: Char) -> tuple[float, float]:
    return (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2


class _CellIndex:
    """Finds the cell holding a point, looking only at cells whose rows span the point's height."""

    def __init__(self, cells: list[Bbox]) -> None:
        self.cells = sorted(cells, key=lambda b: b[1])
        self.tops = [b[1] for b in self.cells]
        self.tallest = max((b[3] - b[1] for b in cells), default=0.0)

    def find(self, x: float, y: float) -> int | None:
        lo = bisect_left(self.tops, y - self.tallest)
        hi = bisect_right(self.tops, y)
        for i in range(lo, hi):
            x0, top, x1, bottom = self.cells[i]
            if x0 <= x <= x1 and top <= y <= bottom:
                return i
        return None


def _confidence(chars: list[Char]) -> float | None:
    """The recogniser's confidence in a cell: its least sure character (None for a text layer)."""
    scores = [c["confidence"] for c in chars if "confidence" in c]
    return min(scores) if scores else None


def read_page(page: PageData, number: int) -> PageContent:
    chars = page.chars  # spaces included: they separate Latin words
    content = PageContent(number, page.width, page.height, image_share=max(page.image_shares, default=0.0),
                          chars=sum(1 for c in chars if c["text"].strip()), unmapped=page.unmapped)
    tables = [_CellIndex(cells) for cells in table_cells(page)]
    in_cell: list[list[list[Char]]] = [[[] for _ in t.cells] for t in tables]
    loose: list[Char] = []
    for c in chars:
        x, y = _middle(c)
        for t, index in enumerate(tables):
            i = index.find(x, y)
            if i is not None:
                in_cell[t][i].append(c)
                break
        else:
            loose.append(c)
    for index, cell_chars in zip(tables, in_cell):
        cells = [Cell(*bbox, text=cell_text(cc), confidence=_confidence(cc)) for bbox, cc in zip(index.cells, cell_chars)]
        content.parts.append(TablePart(number, cells, ocr=any(c.confidence is not None for c in cells)))
    content.lines = group_lines(loose)
    return content
