"""PDF pages read through PDFium (pypdfium2): the same :class:`PageData` as pdfplumber, several times faster.

Characters come from PDFium's text page (its own inserted spaces and line
breaks skipped); their boxes follow pdfminer's: the bottom at the font's
descent, the top one font size above it (PDFium's own boxes for vertical
writing are a font size too wide, unscaled; they are rebuilt from the pen
position as pdfminer builds them).  Paths are split into subpaths and
sorted into lines, rectangles and curves by pdfminer's rules, with the same
points (a Bézier's end point, a closing ``h`` at the subpath's start), so
the table rules found are the same.  Coordinates are flipped to pdfplumber's
top-left origin; pages turned by /Rotate or with a MediaBox away from the
origin raise :class:`UnsupportedGeometry` and the caller reads the file with
pdfplumber instead.  Metadata is read by pdfminer (it parses only the
trailer, about a millisecond), so both readers give the same strings.
"""

from __future__ import annotations

import ctypes
import io
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from nianbao.parsers.extract.pdf_source import META_KEYS, Obj, PageData, PasswordRequired, decode_meta

Matrix = tuple[float, float, float, float, float, float]
Point = tuple[float, float]
VERTICAL_ORIGIN = 0.12  # pdfminer's default: a vertical glyph's top is this many ems above the pen
MAX_FORM_DEPTH = 15  # forms inside forms: deeper nesting is a malformed or hostile file


class UnsupportedGeometry(Exception):
    """A page whose coordinates this reader does not convert (rotated, or MediaBox not at the origin)."""


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _apply(m: Matrix, x: float, y: float) -> Point:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _meta(data: bytes, pdf: pdfium.PdfDocument) -> dict[str, str]:
    try:
        infos = [{key: decode_meta(resolve1(info.get(key))) for key in META_KEYS}
                 for info in PDFDocument(PDFParser(io.BytesIO(data))).info]
    except Exception:
        infos = [dict(pdf.get_metadata_dict())]
    return {key.lower(): value.strip() for info in infos for key, value in info.items()
            if key in META_KEYS and value and value.strip()}


class PdfiumSource:
    def __init__(self, data: bytes) -> None:
        try:
            self.pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if exc.err_code == raw.FPDF_ERR_PASSWORD:
                raise PasswordRequired from exc
            raise
        self.meta = _meta(data, self.pdf)
        self.page_count = len(self.pdf)

    def page(self, index: int) -> PageData:
        page = self.pdf[index]
        try:
            x0, y0, width, height = page.get_mediabox()
            if page.get_rotation() or x0 or y0:
                raise UnsupportedGeometry(f"page {index + 1}: rotated or MediaBox not at the origin")
            content = PageData(width, height)
            _read_chars(page, content)
            _read_objects(page.raw, raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject,
                          (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), content, 0)
            return content
        finally:
            page.close()

    def close(self) -> None:
        self.pdf.close()


def _read_chars(page: pdfium.PdfPage, content: PageData) -> None:
    textpage = page.get_textpage()
    try:
        text = textpage.raw
        box, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
        for i in range(raw.FPDFText_CountChars(text)):
            if raw.FPDFText_IsGenerated(text, i):
                continue
            raw.FPDFText_GetLooseCharBox(text, i, box)
            raw.FPDFText_GetMatrix(text, i, matrix)
            x0, x1, top, bottom = box.left, box.right, content.height - box.top, content.height - box.bottom
            if matrix.b == 0 and matrix.c == 0:  # upright: one font size high, as pdfminer has it
                size = raw.FPDFText_GetFontSize(text, i) * abs(matrix.d)
                if x0 < matrix.e - size / 4:  # vertical writing: the pen is at the glyph's top middle
                    x0, top = matrix.e - size / 2, content.height - matrix.f - VERTICAL_ORIGIN * size
                    x1, bottom = x0 + size, top + size
                else:
                    top = bottom - size
            else:
                size = bottom - top
            content.chars.append({"text": chr(raw.FPDFText_GetUnicode(text, i)), "x0": x0, "x1": x1,
                                  "top": top, "bottom": bottom, "size": size})
            content.unmapped += raw.FPDFText_HasUnicodeMapError(text, i) == 1
    finally:
        textpage.close()


def _matrix(obj: Any) -> Matrix:
    m = raw.FS_MATRIX()
    raw.FPDFPageObj_GetMatrix(obj, m)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _read_objects(parent: Any, count: Any, get: Any, outer: Matrix, content: PageData, depth: int) -> None:
    """Paths and pictures of a page or form, forms followed into with their matrices."""
    for i in range(count(parent)):
        obj = get(parent, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_PATH:
            _read_path(obj, _multiply(_matrix(obj), outer), content)
        elif kind == raw.FPDF_PAGEOBJ_IMAGE:
            m = _multiply(_matrix(obj), outer)
            corners = [_apply(m, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
            xs, ys = [p[0] for p in corners], [p[1] for p in corners]
            area = (max(xs) - min(xs)) * (max(ys) - min(ys))
            content.image_shares.append(area / ((content.width * content.height) or 1.0))
        elif kind == raw.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            _read_objects(obj, raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject,
                          _multiply(_matrix(obj), outer), content, depth + 1)


def _colour(getter: Any, obj: Any) -> tuple[float, ...] | None:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):
        return None  # a pattern or no colour: counts as visible
    return (r.value / 255, g.value / 255, b.value / 255)


def _subpaths(obj: Any, m: Matrix) -> list[list[tuple[str, Point]]]:
    """The path as pdfminer sees it: subpaths of (operator, end point) with ``h`` at the start point."""
    subpaths: list[list[tuple[str, Point]]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    beziers = 0
    for j in range(raw.FPDFPath_CountSegments(obj)):
        segment = raw.FPDFPath_GetPathSegment(obj, j)
        raw.FPDFPathSegment_GetPoint(segment, x, y)
        point = _apply(m, x.value, y.value)
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == raw.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([("m", point)])
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            beziers += 1
            if beziers % 3 == 0:  # two control points, then the end point
                subpaths[-1].append(("c", point))
        else:
            subpaths[-1].append(("l", point))
        if raw.FPDFPathSegment_GetClose(segment):
            subpaths[-1].append(("h", subpaths[-1][0][1]))
    return subpaths


def _read_path(obj: Any, m: Matrix, content: PageData) -> None:
    fill_mode, stroked = ctypes.c_int(), ctypes.c_int()
    raw.FPDFPath_GetDrawMode(obj, fill_mode, stroked)
    paint = {"stroke": bool(stroked.value), "fill": bool(fill_mode.value),
             "stroking_color": _colour(raw.FPDFPageObj_GetStrokeColor, obj),
             "non_stroking_color": _colour(raw.FPDFPageObj_GetFillColor, obj)}
    for subpath in _subpaths(obj, m):
        shape = "".join(op for op, _ in subpath)
        pts = [(px, content.height - py) for _, (px, py) in subpath]
        if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:  # a redundant "l" before "h"
            shape = shape[:-2] + "h"
            pts.pop(-2)
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        item: Obj = {"x0": min(xs), "top": min(ys), "x1": max(xs), "bottom": max(ys), "pts": pts, **paint}
        if shape in ("ml", "mlh"):
            content.lines.append(item)
        elif shape in ("mlllh", "mllll") and pts[0] == pts[4] and _is_square(pts):
            content.rects.append(item)
        else:
            content.curves.append(item)


def _is_square(pts: list[Point]) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts[:4]
    return (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
