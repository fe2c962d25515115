"""The ruling lines of a table in a page image, as the line objects a PDF page would draw.

Ink is separated from paper with Otsu's threshold; opening it with a long,
one-pixel-thin structuring element keeps only straight horizontal (or
vertical) runs at least :data:`MIN_RULE_POINTS` long, which letters are not.
Each run becomes one line in PDF points, so :func:`parsers.extract.pdf_rules.table_cells`
finds the cells, merged ones included, exactly as on a PDF with a text layer.
"""

from __future__ import annotations

import cv2
import numpy as np

from nianbao.parsers.extract.pdf_source import Obj

MIN_RULE_POINTS = 25.0  # a rule is at least this long; the widest stroke of a large character is shorter
MAX_RULE_POINTS_THICK = 3.0  # thicker runs are bars or pictures, not rules
GAP_POINTS = 1.0  # breaks this short (JPEG noise, faint print) are bridged


def _runs(ink: np.ndarray, horizontal: bool, px_per_pt: float) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x, y, w, h) of the long straight runs of ink along one axis."""
    length = max(3, round(MIN_RULE_POINTS * px_per_pt))
    gap = max(1, round(GAP_POINTS * px_per_pt))
    along, bridge = ((length, 1), (gap, 1)) if horizontal else ((1, length), (1, gap))
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge))
    runs = cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, along))
    count, _, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    thick = MAX_RULE_POINTS_THICK * px_per_pt
    boxes = []
    for x, y, w, h, _area in stats[1:count]:
        across = h if horizontal else w
        if across <= thick:
            boxes.append((int(x), int(y), int(w), int(h)))
    return boxes


def _line(x0: float, top: float, x1: float, bottom: float) -> Obj:
    return {"object_type": "line", "x0": x0, "top": top, "x1": x1, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top, "stroking_color": (0,)}


def ruling_lines(image: np.ndarray, dpi: float) -> list[Obj]:
    """Horizontal and vertical rules of a grayscale page image, in points from the top-left corner."""
    px_per_pt = dpi / 72.0
    _, ink = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    lines = []
    for x, y, w, h in _runs(ink, True, px_per_pt):
        middle = (y + h / 2) / px_per_pt
        lines.append(_line(x / px_per_pt, middle, (x + w) / px_per_pt, middle))
    for x, y, w, h in _runs(ink, False, px_per_pt):
        middle = (x + w / 2) / px_per_pt
        lines.append(_line(middle, y / px_per_pt, middle, (y + h) / px_per_pt))
    return lines
