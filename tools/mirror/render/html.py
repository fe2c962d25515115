"""A report as the article body a portal CMS shows after pasting from Word.

The markup imitates Word's "filtered HTML": ``<div class=WordSection1>``,
``<p class=MsoNormal>`` with ``font-family:仿宋_GB2312;mso-…`` spans, digits in
their own ``lang=EN-US`` spans, ``&nbsp;`` indents, ``<o:p>`` tags, and
``MsoNormalTable`` tables with rowspan/colspan and ``<br>`` inside labels.
"""

from __future__ import annotations

import re
from html import escape

from tools.mirror.render.layout import Cell, TableLayout, tables_after
from tools.mirror.samples import SampleReport

BODY_FONT = "font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体;mso-bidi-font-family:宋体"
HEADING_FONT = "font-size:16.0pt;font-family:黑体;mso-hansi-font-family:宋体;mso-bidi-font-family:宋体"
TITLE_FONT = "font-size:22.0pt;font-family:方正小标宋简体;mso-hansi-font-family:宋体;mso-font-kerning:0pt"
CELL_FONT = "font-size:10.5pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体;color:black"
CELL_STYLE = ("border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;"
              "padding:0cm 5.4pt 0cm 5.4pt")
ASCII_RUN = re.compile(r"([0-9A-Za-z.%:/_@\-+]+)")
PAGE_WIDTH_PT = 440.0


def _runs(text: str, font: str) -> str:
    """Text as Word splits it: CJK runs in the East Asian font, ASCII runs in their own lang=EN-US span."""
    parts = []
    for n, piece in enumerate(ASCII_RUN.split(text)):
        if not piece:
            continue
        if n % 2:
            parts.append(f"<span lang=EN-US style='{font};mso-fareast-font-family:仿宋_GB2312'>"
                         f"{escape(piece)}</span>")
        else:
            parts.append(f"<span style='{font}'>{escape(piece)}</span>")
    return "".join(parts)


def _paragraph(text: str, font: str = BODY_FONT, align: str | None = None, indent: bool = True) -> str:
    style = "line-height:28.0pt;mso-line-height-rule:exactly"
    attrs = ""
    if align:
        attrs = f" align={align}"
        style = f"text-align:{align};{style}"
    elif indent:
        style = f"text-indent:32.0pt;{style}"
    return f"<p class=MsoNormal{attrs} style='{style}'>{_runs(text, font)}<span lang=EN-US><o:p></o:p></span></p>"


def _heading(text: str) -> str:
    return (f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt;mso-outline-level:1'>"
            f"<b><span style='{HEADING_FONT}'>{escape(text)}</span></b><span lang=EN-US><o:p></o:p></span></p>")


def _cell(cell: Cell, width_pt: float) -> str:
    spans = (f" rowspan={cell.rowspan}" if cell.rowspan > 1 else "") + (
        f" colspan={cell.colspan}" if cell.colspan > 1 else "")
    if cell.text:
        lines = [_runs(line, CELL_FONT) for line in cell.text.split("\n")]
        content = "<br>\n".join(lines)
    else:
        content = f"<span lang=EN-US style='{CELL_FONT}'>&nbsp;</span>"
    align = "left" if cell.header and cell.col == 0 and len(cell.text) > 12 else "center"
    return (f"<td width={round(width_pt * 4 / 3)}{spans} valign=middle style='width:{width_pt:.1f}pt;{CELL_STYLE}'>"
            f"<p class=MsoNormal align={align} style='text-align:{align}'>{content}"
            f"<span lang=EN-US style='{CELL_FONT}'><o:p></o:p></span></p></td>")


def _table(table: TableLayout) -> str:
    total = sum(table.col_widths)
    widths = [PAGE_WIDTH_PT * w / total for w in table.col_widths]
    rows = []
    for row in table.rows():
        cells = "\n".join(_cell(c, sum(widths[c.col:c.col + c.colspan])) for c in row)
        rows.append(f"<tr style='mso-yfti-irow:{len(rows)};height:21.0pt'>\n{cells}\n</tr>")
    body = "\n".join(rows)
    return ("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 align=center "
            f"width={round(PAGE_WIDTH_PT * 4 / 3)} style='border-collapse:collapse;border:none;"
            f"mso-border-alt:solid windowtext .5pt;mso-table-layout-alt:fixed'>\n<tbody>\n{body}\n</tbody>\n</table>\n"
            "<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")


def render_html(report: SampleReport) -> str:
    """The article body fragment (no <html>/<body>): what sits inside the portal's content div."""
    parts = []
    if report.layout.get("title_in_body", True) and report.title:
        parts.append(_paragraph(report.title, TITLE_FONT, align="center"))
        parts.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
    for section in report.sections:
        parts.extend(_heading(line) for line in section.heading_lines)
        parts.extend(_paragraph(p) for p in section.paragraphs)
        parts.extend(_table(t) for t in tables_after(report, section.number))
    if report.signature:
        parts.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
        parts.append(_paragraph(report.signature.agency, align="right"))
        parts.append(_paragraph(report.signature.date, align="right"))
    body = "\n".join(parts)
    section = f"<div class=WordSection1 style='layout-grid:15.6pt'>\n{body}\n</div>"
    if report.layout.get("nested"):
        section = ("<table width=\"100%\" border=0 cellspacing=0 cellpadding=0><tr><td class=\"bt_content\">\n"
                   f"{section}\n</td></tr></table>")
    return section + "\n"
