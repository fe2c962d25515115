"""DOCX → Document, reading ``word/document.xml`` directly with lxml.

Direct reading (rather than python-docx) keeps the body order of paragraphs
and tables, lets merged cells be expanded exactly as the grid shows them
(``gridSpan`` across, ``vMerge`` down, the old ``hMerge`` too: the text of a
merged cell is repeated in each grid position it covers, and appears once
per position, never twice), and lets every part be read under
:mod:`parsers.limits` (zip bombs, entity expansion).
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from nianbao.parsers.extract.builder import DocumentBuilder, join_lines, mark_table_pictures
from nianbao.parsers.extract.spans import Owners
from nianbao.parsers.limits import MAX_SPAN, MAX_TABLE_CELLS, LimitExceeded, guarded, parse_xml, read_zip_member
from nianbao.parsers.model import Document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
V = "urn:schemas-microsoft-com:vml"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"w": W}
_HEADING_STYLE = re.compile(r"^(heading|标题|title)\s*\d*$", re.IGNORECASE)
# Markup whose text is not printed: alternatives shown only by old readers, tracked deletions.
_NOT_PRINTED = (f"{{{MC}}}Fallback", f"{{{W}}}del", f"{{{W}}}delText", f"{{{W}}}instrText")
# Wrappers whose children belong to the enclosing body, row or cell.
_WRAPPERS = (f"{{{W}}}sdt", f"{{{W}}}sdtContent", f"{{{W}}}customXml", f"{{{W}}}smartTag")


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _val(element: etree._Element | None, name: str = "val") -> str | None:
    return None if element is None else element.get(_w(name))


def _children(element: etree._Element, *names: str) -> list[etree._Element]:
    """Children with the given w: names, looking through content-control wrappers."""
    wanted = {_w(n) for n in names}
    found = []
    for child in element:
        if child.tag in _WRAPPERS:
            found.extend(_children(child, *names))
        elif child.tag in wanted:
            found.append(child)
    return found


def _lines(paragraph: etree._Element) -> list[str]:
    """A paragraph's text, split at manual line breaks."""
    lines = [""]
    for node in paragraph.iter(_w("t"), _w("tab"), _w("br"), _w("cr"), _w("noBreakHyphen")):
        if node.tag == _w("t"):
            lines[-1] += node.text or ""
        elif node.tag == _w("tab"):
            lines[-1] += " "
        elif node.tag == _w("noBreakHyphen"):
            lines[-1] += "-"
        else:
            lines.append("")
    return lines


def _span(value: str | None) -> int:
    return max(1, min(int(value), MAX_SPAN)) if value and value.isdigit() else 1


def heading_styles(styles_xml: bytes | None) -> set[str]:
    """The styleIds that are headings: named Heading N / 标题 N / Title, or with an outline level."""
    if not styles_xml:
        return set()
    styles = parse_xml(styles_xml, "word/styles.xml")
    headings = set()
    for style in styles.iterfind("w:style", NS):
        name = _val(style.find("w:name", NS)) or ""
        if _HEADING_STYLE.match(name.strip()) or style.find("w:pPr/w:outlineLvl", NS) is not None:
            headings.add(style.get(_w("styleId")))
    return headings


class _Body:
    """Walks the body in order, turning paragraphs and tables into blocks."""

    def __init__(self, builder: DocumentBuilder, headings: set[str], media: dict[str, bytes]) -> None:
        self.builder = builder
        self.headings = headings
        self.media = media  # relationship id -> picture bytes

    def walk(self, container: etree._Element) -> None:
        for child in _children(container, "p", "tbl"):
            if child.tag == _w("p"):
                self.builder.add_text(join_lines(_lines(child)), heading=self._is_heading(child))
                for rid in _picture_ids(child):
                    self.builder.add_picture(self.media.get(rid))
            else:
                self.table(child)

    def _is_heading(self, paragraph: etree._Element) -> bool:
        if paragraph.find("w:pPr/w:outlineLvl", NS) is not None:
            return True
        return _val(paragraph.find("w:pPr/w:pStyle", NS)) in self.headings

    def table(self, table: etree._Element) -> None:
        rows = _children(table, "tr")
        cells = [_children(row, "tc") for row in rows]
        if any(cell.find(f".//{_w('tbl')}") is not None for row in cells for cell in row):
            for row in cells:  # a layout table: its cells hold the real content
                for cell in row:
                    self.walk(cell)
            return
        grid, owners, own_columns = self.grid(rows, cells)
        self.builder.add_table(grid, sliver_columns(table) - own_columns, owners)

    def grid(
        self, rows: list[etree._Element], cells: list[list[etree._Element]]
    ) -> tuple[list[list[str]], Owners, set[int]]:
        """The grid with merged cells repeated, which cell fills each position (a vMerge or hMerge
        continuation counts as the cell it continues), and the columns some one-column cell fills alone."""
        grid: list[list[str]] = []
        owners: Owners = []
        own_columns: set[int] = set()
        placed = 0
        number = 0
        for row, row_cells in zip(rows, cells):
            self.builder.deadline.check()
            above, owners_above = (grid[-1], owners[-1]) if grid else ([], [])
            before = row.find("w:trPr/w:gridBefore", NS)
            line = [] if before is None else [""] * _span(_val(before))
            line_owners: list = [None] * len(line)
            for cell in row_cells:
                col = len(line)
                vmerge = cell.find("w:tcPr/w:vMerge", NS)
                hmerge = cell.find("w:tcPr/w:hMerge", NS)
                number += 1
                owner: object = number
                if vmerge is not None and _val(vmerge) != "restart":
                    text = above[col] if col < len(above) else ""
                    owner = owners_above[col] if col < len(owners_above) else None
                elif hmerge is not None and _val(hmerge) != "restart" and line:
                    text, owner = line[-1], line_owners[-1]
                else:
                    text = join_lines([part for p in _children(cell, "p") for part in _lines(p)])
                span = _span(_val(cell.find("w:tcPr/w:gridSpan", NS)))
                if span == 1:
                    own_columns.add(col)
                line.extend([text] * span)
                line_owners.extend([owner] * span)
            placed += len(line)
            if placed > MAX_TABLE_CELLS:
                raise LimitExceeded(f"a table has more than {MAX_TABLE_CELLS:,} cells")
            grid.append(line)
            owners.append(line_owners)
        return grid, owners, own_columns


def sliver_columns(table: etree._Element) -> set[int]:
    """Grid columns far narrower than the others (under a quarter of the median width)."""
    grid_columns = table.iterfind("w:tblGrid/w:gridCol", NS)
    widths = [int(w) if (w := _val(col, "w") or "").isdigit() else 0 for col in grid_columns]
    if not widths:
        return set()
    median = sorted(widths)[len(widths) // 2]
    return {c for c, width in enumerate(widths) if width * 4 < median}


def _picture_ids(paragraph: etree._Element) -> list[str]:
    """Relationship ids of the pictures in a paragraph (DrawingML ``a:blip``, old VML ``v:imagedata``)."""
    ids = [blip.get(f"{{{R}}}embed") for blip in paragraph.iter(f"{{{A}}}blip")]
    ids += [image.get(f"{{{R}}}id") for image in paragraph.iter(f"{{{V}}}imagedata")]
    return [rid for rid in ids if rid]


def _media(archive: zipfile.ZipFile, names: set[str]) -> dict[str, bytes]:
    """The pictures the body refers to: relationship id -> bytes."""
    rels_name = "word/_rels/document.xml.rels"
    if rels_name not in names:
        return {}
    media = {}
    for rel in parse_xml(read_zip_member(archive, rels_name), rels_name).iterfind(f"{{{RELS}}}Relationship"):
        target = "word/" + (rel.get("Target") or "").lstrip("/").removeprefix("word/")
        if rel.get("Type", "").endswith("/image") and target in names:
            media[rel.get("Id") or ""] = read_zip_member(archive, target)
    return media


def _drop_unprinted(root: etree._Element) -> None:
    for node in list(root.iter(*_NOT_PRINTED)):
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)


def read_docx(data: bytes, fmt: str = "docx") -> Document:
    """The Document of a DOCX; ``fmt`` names the original format when converted (doc, wps)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValueError(f"not a readable zip/DOCX container ({exc}); truncated download?") from exc
    with archive:
        names = set(archive.namelist())
        if "word/document.xml" not in names:
            raise ValueError("zip has no word/document.xml: not a Word document")
        root = parse_xml(read_zip_member(archive, "word/document.xml"), "word/document.xml")
        styles = read_zip_member(archive, "word/styles.xml") if "word/styles.xml" in names else None
        media = _media(archive, names)
    builder = DocumentBuilder(fmt)
    body = root.find("w:body", NS)
    if body is None:
        raise ValueError("word/document.xml has no <w:body>")
    _drop_unprinted(body)
    _Body(builder, heading_styles(styles), media).walk(body)
    if not builder.document.blocks:
        builder.document.errors.append(f"{fmt}: the document has no text or tables")
    mark_table_pictures(builder.document)
    return builder.document


@guarded("docx")
def extract(data: bytes) -> Document:
    return read_docx(data)

