"""Merged cells as spans, from a grid that says which source cell fills each position.

Extractors expand a merged cell into every grid position it covers (see
:class:`parsers.model.Table`); where the source knows its cells (HTML
rowspan/colspan, DOCX gridSpan/vMerge, ruled PDF boxes) they also keep an
*owner* grid beside the text grid: the same shape, each position holding an
id of the source cell that fills it (``None`` for a position no cell fills).
Rows and columns dropped from the text grid are dropped from the owner grid
too, so the spans are computed last, on the grid as published.
"""

from __future__ import annotations

from collections.abc import Hashable

Owners = list[list[Hashable | None]]


def spans_of(owners: Owners) -> list[list[int]]:
    """``[row, col, rowspan, colspan]`` of each source cell covering more than one position, in reading order.

    A cell whose positions do not form a full rectangle (two overlapping
    HTML cells, a vMerge under a wider cell) is left out: shown repeated
    rather than merged wrongly.
    """
    boxes: dict[Hashable, list[int]] = {}  # owner -> [top, left, bottom, right, positions]
    for r, row in enumerate(owners):
        for c, owner in enumerate(row):
            if owner is None:
                continue
            box = boxes.setdefault(owner, [r, c, r, c, 0])
            box[0], box[1] = min(box[0], r), min(box[1], c)
            box[2], box[3] = max(box[2], r), max(box[3], c)
            box[4] += 1
    spans = []
    for top, left, bottom, right, positions in boxes.values():
        rowspan, colspan = bottom - top + 1, right - left + 1
        if positions > 1 and positions == rowspan * colspan:
            spans.append([top, left, rowspan, colspan])
    return sorted(spans)
