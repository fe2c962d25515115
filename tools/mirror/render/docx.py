"""A report as a Word .docx (python-docx): headings, paragraphs and tables with real merged cells.

Spans become Word's own merges (``w:gridSpan`` across, ``w:vMerge`` down),
which is what DOCX parsers meet in attachments.  The .doc renderer
converts this file with LibreOffice.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from io import BytesIO

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from tools.mirror.render.layout import TableLayout, tables_after
from tools.mirror.samples import SampleReport

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TEXT_WIDTH_CM = 15.5


def _east_asian(style_or_run, font: str, size: float | None = None) -> None:
    """Set the Latin and East Asian font (python-docx only sets the Latin one)."""
    style_or_run.font.name = font
    if size:
        style_or_run.font.size = Pt(size)
    rpr = style_or_run.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _paragraph(doc, text: str, align=None, indent: bool = True, style: str | None = None) -> None:
    paragraph = doc.add_paragraph(text, style=style)
    if align is not None:
        paragraph.alignment = align
    elif indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)


def _table(doc, table: TableLayout) -> None:
    grid = doc.add_table(rows=table.n_rows, cols=table.n_cols)
    grid.style = "Table Grid"
    grid.autofit = False
    total = sum(table.col_widths)
    widths = [Cm(TEXT_WIDTH_CM * w / total) for w in table.col_widths]
    for grid_col, width in zip(grid._tbl.tblGrid.gridCol_lst, widths):
        grid_col.w = width  # keep w:tblGrid in step with the cell widths, or Word/LibreOffice re-split columns
    cells = [list(row.cells) for row in grid.rows]  # taken once: Table.cell() rescans the whole table
    for row in cells:
        for width, cell in zip(widths, row):
            cell.width = width
    # Bottom-right first, so a merge never removes a cell a later merge still refers to.
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col), reverse=True):
        target = cells[cell.row][cell.col]
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(cells[cell.row + cell.rowspan - 1][cell.col + cell.colspan - 1])
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = target.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(cell.text)  # "\n" becomes a <w:br/>
        run.font.size = Pt(9)
    doc.add_paragraph()


def render_docx(report: SampleReport) -> bytes:
    """The report as .docx bytes."""
    doc = Document()
    _east_asian(doc.styles["Normal"], BODY_FONT, 14)
    for name in ("Title", "Heading 1"):
        _east_asian(doc.styles[name], HEADING_FONT)
    doc.core_properties.title = report.title
    doc.core_properties.author = report.agency
    published = datetime.fromisoformat(report.published)
    doc.core_properties.created = doc.core_properties.modified = published
    if report.title:
        _paragraph(doc, report.title, align=WD_ALIGN_PARAGRAPH.CENTER, style="Title")
    for section in report.sections:
        for line in section.heading_lines:
            doc.add_heading(line, level=1)
        for text in section.paragraphs:
            _paragraph(doc, text)
        for table in tables_after(report, section.number):
            _table(doc, table)
    if report.signature:
        for line in (report.signature.agency, report.signature.date):
            _paragraph(doc, line, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = BytesIO()
    doc.save(out)
    return _with_fixed_timestamps(out.getvalue(), published)


def _with_fixed_timestamps(data: bytes, when: datetime) -> bytes:
    """The same zip with every member dated ``when``, so one report always renders to the same bytes."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(member))
    return out.getvalue()
