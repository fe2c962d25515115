"""Text renderings of a sample report in the shapes real converters produce (issue 11's layouts).

Each shape takes the report's printed tables (``tools.mirror.render.layout``: the cells as the
template prints them, merged cells once) and writes them the way one converter does; the narrative
is written as plain lines.  The figures the report was made from are the truth a parse is compared
with, so every shape is a fixture made from the seeds and the mirror's sample reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tools.mirror.render.layout import Cell, TableLayout, tables_after
from tools.mirror.samples import SampleReport

Shape = Callable[[TableLayout], list[str]]
_SUB_ROW = re.compile(r"^(\d)\.")


def _text(cell: Cell) -> str:
    return cell.text.replace("\n", "")


def _rows(table: TableLayout) -> list[list[str]]:
    return [[_text(c) for c in row] for row in table.rows() if row]


def pipe(table: TableLayout) -> list[str]:
    return [" | ".join(row) for row in _rows(table)]


def one_cell_per_line(table: TableLayout) -> list[str]:
    """Layout 2: every cell on a line of its own (a blank cell is an empty line, which is lost)."""
    return [cell for row in _rows(table) for cell in row]


def blank_line_cells(table: TableLayout) -> list[str]:
    """Layout 2: cells separated by blank lines."""
    return [line for row in _rows(table) for cell in row for line in (cell, "")]


def cell_bar(table: TableLayout) -> list[str]:
    """Layout 2: ``cell |`` on one line and the next cell on the next, a row's last cell without the bar."""
    return [f"{cell} |" if i < len(row) - 1 else cell for row in _rows(table) for i, cell in enumerate(row)]


def single_space(table: TableLayout) -> list[str]:
    """Layout 3: label and values separated by one space (``行政许可 97``)."""
    return [" ".join(cell for cell in row if cell) for row in _rows(table)]


def values_next_line(table: TableLayout) -> list[str]:
    """Layout 4: a row's label on one line (wrapped where the template wraps it), its numbers on the next."""
    lines = []
    for row in table.rows():
        labels = [c for c in row if c.key is None]
        values = [c.text for c in row if c.key is not None and c.text]
        lines.extend(part for c in labels for part in c.text.split("\n") if part)
        if values:
            lines.append(" ".join(values))
    return lines


def truncated_headers(table: TableLayout) -> list[str]:
    """Layout 6: header cells cut where the template wraps them (本年新 for 本年新制作数量)."""
    return [" | ".join(c.text.split("\n")[0] if c.key is None and c.row < 2 or table.name.startswith("appeals")
                       and c.key is None else _text(c) for c in row) for row in table.rows() if row]


def sub_rows_with(mark: str) -> Shape:
    """Layout 1: sub-rows numbered ``1、`` (or ``1．``, ``1，``, ``1``) instead of ``1.``."""
    def shape(table: TableLayout) -> list[str]:
        return [" | ".join(_SUB_ROW.sub(rf"\g<1>{mark}", cell) for cell in row) for row in _rows(table)]
    return shape


def per_group(table: TableLayout) -> list[str]:
    """Layout 5: table 3 as one small table per row group, each under ``类别 | 数据1 … | 总计``; table 4
    as three small tables of five values under their headings; other tables as pipes."""
    if table.name == "requests":
        header = " | ".join(["类别"] + [f"数据{i}" for i in range(1, 7)] + ["总计"])
        lines: list[str] = []
        group = None
        for row in table.rows()[3:]:
            first = _text(row[0]) if row[0].col == 0 else group
            if first != group:
                lines.extend(["", header])
                group = first
            label = "".join(_text(c) for c in row if c.key is None)
            lines.append(" | ".join([label] + [c.text for c in row if c.key is not None]))
        return lines
    if table.name == "appeals":
        headings = ["行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"]
        values = [c.text for c in sorted(table.cells, key=lambda c: c.col) if c.key is not None]
        lines = []
        for g, heading in enumerate(headings):
            lines.extend([heading, "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计", " | ".join(values[g * 5:g * 5 + 5]), ""])
        return lines
    return pipe(table)


SHAPES: dict[str, Shape] = {
    "pipe": pipe,
    "one_cell_per_line": one_cell_per_line,
    "blank_line_cells": blank_line_cells,
    "cell_bar": cell_bar,
    "single_space": single_space,
    "values_next_line": values_next_line,
    "truncated_headers": truncated_headers,
    "sub_rows_dunhao": sub_rows_with("、"),
    "sub_rows_fullwidth_dot": sub_rows_with("．"),
    "sub_rows_comma": sub_rows_with("，"),
    "sub_rows_bare": sub_rows_with(""),
    "per_group": per_group,
}


def render_text(report: SampleReport, shape: Shape) -> str:
    """The report as text: title, chapters, its tables in ``shape``, signature."""
    lines = [report.title, ""] if report.title else []
    for section in report.sections:
        lines.extend(section.heading_lines)
        lines.extend(section.paragraphs)
        for table in tables_after(report, section.number):
            lines.extend(["", *shape(table), ""])
    if report.signature:
        lines.extend([report.signature.agency, report.signature.date])
    return "\n".join(lines) + "\n"
