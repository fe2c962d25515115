"""Ruling lines of a PDF page and the table cells they enclose.

Only visible strokes count as rules: stroked lines, rectangles and
polylines, and hairline-thin filled shapes.  Word processors (WPS, Word) also paint a
white box behind every text line and cell; those are not rules, and taking
them as rules turns body text into one-column "tables" and splits header
cells.  A table cut by a page break often lacks its closing rule (the top
or bottom border is drawn only where the table really starts or ends), so
open sides are closed where several rules end at the same place.
pdfplumber's explicit-lines table finder then turns the rules into cells
(with explicit lines only, it reads nothing else from the page).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pdfplumber.table import TableFinder

from nianbao.parsers.extract.pdf_source import Obj, PageData

Bbox = tuple[float, float, float, float]  # x0, top, x1, bottom

AXIS_TOLERANCE = 1.0  # a rule may be this far from perfectly horizontal/vertical
HAIRLINE = 2.5  # a filled rectangle this thin (pt) is drawn as a rule
END_TOLERANCE = 2.0  # rule ends this close together are "at the same place"
MIN_RULE_LENGTH = 3.0


def is_white(colour: Any) -> bool:
    """True for white in gray, RGB or CMYK; unknown colours (patterns, None) count as visible."""
    if not isinstance(colour, (tuple, list)) or not colour:
        return False
    if not all(isinstance(c, (int, float)) for c in colour):
        return False
    if len(colour) == 4:
        return all(c <= 0.05 for c in colour)
    return all(c >= 0.95 for c in colour)


def _line(x0: float, top: float, x1: float, bottom: float) -> Obj:
    return {"object_type": "line", "x0": x0, "top": top, "x1": x1, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top}


def _axis_line(x0: float, top: float, x1: float, bottom: float) -> Obj | None:
    """A horizontal or vertical rule, or None for slanted or tiny strokes."""
    if bottom - top <= AXIS_TOLERANCE and x1 - x0 >= MIN_RULE_LENGTH:
        y = (top + bottom) / 2
        return _line(x0, y, x1, y)
    if x1 - x0 <= AXIS_TOLERANCE and bottom - top >= MIN_RULE_LENGTH:
        x = (x0 + x1) / 2
        return _line(x, top, x, bottom)
    return None


def _rules_of(page: PageData) -> Iterable[Obj | None]:
    for ln in page.lines:
        if not is_white(ln.get("stroking_color")):
            yield _axis_line(ln["x0"], ln["top"], ln["x1"], ln["bottom"])
    for r in page.rects:
        x0, top, x1, bottom = r["x0"], r["top"], r["x1"], r["bottom"]
        if r.get("stroke") and not is_white(r.get("stroking_color")):
            yield from (_axis_line(x0, top, x1, top), _axis_line(x0, bottom, x1, bottom),
                        _axis_line(x0, top, x0, bottom), _axis_line(x1, top, x1, bottom))
        elif r.get("fill") and not is_white(r.get("non_stroking_color")):
            yield _hairline(x0, top, x1, bottom)
    for curve in page.curves:  # polylines: borders drawn as one open or many-cornered path
        if curve.get("stroke") and not is_white(curve.get("stroking_color")):
            pts = curve.get("pts") or []
            for (ax, ay), (bx, by) in zip(pts, pts[1:]):
                yield _axis_line(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
        elif curve.get("fill") and not is_white(curve.get("non_stroking_color")):
            yield _hairline(curve["x0"], curve["top"], curve["x1"], curve["bottom"])


def _hairline(x0: float, top: float, x1: float, bottom: float) -> Obj | None:
    """A thin filled box drawn as a rule, or None for any other filled shape."""
    if bottom - top <= HAIRLINE:
        return _axis_line(x0, (top + bottom) / 2, x1, (top + bottom) / 2)
    if x1 - x0 <= HAIRLINE:
        return _axis_line((x0 + x1) / 2, top, (x0 + x1) / 2, bottom)
    return None


def _closing_rules(rules: list[Obj], horizontal: bool) -> list[Obj]:
    """Rules that close a table where several perpendicular rules end together with no rule there.

    ``horizontal`` asks for closing horizontal rules (from the ends of vertical ones).  Only ends
    that no rule already meets count, so two tables stacked on the same margin are not joined.
    """
    perpendicular = [r for r in rules if (r["x0"] == r["x1"]) == horizontal]
    parallel = [r for r in rules if (r["x0"] == r["x1"]) != horizontal]
    ends: list[tuple[float, float]] = []  # (where the rule ends, its position across)
    for r in perpendicular:
        if horizontal:
            ends += [(r["top"], r["x0"]), (r["bottom"], r["x0"])]
        else:
            ends += [(r["x0"], r["top"]), (r["x1"], r["top"])]
    ends.sort()
    closing = []
    group: list[tuple[float, float]] = []
    for end in ends + [(float("inf"), 0.0)]:
        if group and end[0] - group[0][0] > END_TOLERANCE:
            open_ends = [e for e in group if not _covered(parallel, e[0], e[1], e[1], horizontal)]
            if len(group) >= 2 and open_ends:
                at = sum(e[0] for e in group) / len(group)
                lo, hi = min(e[1] for e in group), max(e[1] for e in group)
                if not _covered(parallel, at, lo, hi, horizontal):
                    closing.append(_line(lo, at, hi, at) if horizontal else _line(at, lo, at, hi))
            group = []
        group.append(end)
    return closing


def _covered(rules: list[Obj], at: float, lo: float, hi: float, horizontal: bool) -> bool:
    """Whether existing rules at ``at`` already span from ``lo`` to ``hi``."""
    spans = []
    for r in rules:
        pos, start, stop = (r["top"], r["x0"], r["x1"]) if horizontal else (r["x0"], r["top"], r["bottom"])
        if abs(pos - at) <= END_TOLERANCE:
            spans.append((start, stop))
    reach = lo
    for start, stop in sorted(spans):
        if stop < reach - END_TOLERANCE:
            continue
        if start > reach + END_TOLERANCE:
            return False
        reach = max(reach, stop)
        if reach >= hi - END_TOLERANCE:
            return True
    return False


def ruling_lines(page: PageData) -> list[Obj]:
    """Every visible horizontal and vertical rule on the page, open table sides closed."""
    rules = [r for r in _rules_of(page) if r is not None]
    return rules + _closing_rules(rules, horizontal=True) + _closing_rules(rules, horizontal=False)


def table_cells(page: PageData) -> list[list[Bbox]]:
    """The cells of each ruled table on the page (tables of fewer than two cells are boxes, not tables)."""
    rules = ruling_lines(page)
    vertical = [r for r in rules if r["x0"] == r["x1"]]
    horizontal = [r for r in rules if r["x0"] != r["x1"]]
    if len(vertical) < 2 or len(horizontal) < 2:
        return []
    settings = {
        "vertical_strategy": "explicit", "horizontal_strategy": "explicit",
        "explicit_vertical_lines": vertical, "explicit_horizontal_lines": horizontal,
        "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3,
    }
    return [t.cells for t in TableFinder(page, settings).tables if len(t.cells) >= 2]  # type: ignore[arg-type]
