"""Table 2 (主动公开政府信息情况) → ``active.<row>.<col>``.

The table is a stack of small tables (第二十条第（一）项 …), each with its
own header row (信息内容 | 本年新制作数量 | …).  A header row sets the columns
for the rows under it; a row label (规章, 行政许可, …) and a column name
give the key, which must be one of figures.csv.
"""

from __future__ import annotations

from nianbao.parsers.figureset import FigureSet
from nianbao.parsers.grid import GridRow, LogicalTable, aligned_cells, column_positions
from nianbao.parsers.labels import first_match, normalize_label, without_notes
from nianbao.parsers.numbers import header_money_unit, is_blank, money_in_wan, parse_number
from nianbao.parsers.templates import TEMPLATES

_SPEC = TEMPLATES.data["active"]


def _header(row: GridRow) -> tuple[list[str], dict[str, list[int]]] | None:
    """The column keys (in order) and positions of a header row, if the row is one."""
    if row.has_number:
        return None
    positions = column_positions([row], TEMPLATES.entries("active", "columns"))
    if not positions:
        return None
    order = sorted(positions, key=lambda k: min(positions[k]))
    return order, positions


def _cells(row: GridRow, columns: list[str], positions: dict[str, list[int]]) -> dict[str, int | None] | None:
    aligned = aligned_cells(row, positions, columns)
    if aligned is not None:
        return aligned
    tail = next((t for t in (row.tail(), row.tail(keep_placeholders=True)) if len(t) == len(columns)), None)
    if tail is None:
        return None
    return {c: (None if is_blank(row.cells[i]) else i) for c, i in zip(columns, tail)}


def _store(figs: FigureSet, key: str, col: str, row: GridRow, cell: int | None, header: str) -> None:
    text = row.cells[cell] if cell is not None else ""
    if col in _SPEC["money_columns"]:
        money = money_in_wan(text, header_money_unit(header)) if cell is not None else (0, False)
        if money is None:
            return
        value, assumed = money
        if assumed and cell is not None:
            figs.note(f"{key}: '{text}' printed without a unit; read as 万元")
    else:
        number = parse_number(text) if cell is not None else None
        value = number.value if number else 0
    figs.set(key, value, row, cell)


def map_active(tables: list[LogicalTable], figs: FigureSet) -> None:
    for table in tables:
        columns: list[str] = []
        positions: dict[str, list[int]] = {}
        header_row: GridRow | None = None
        for row in table.rows:
            header = _header(row)
            if header is not None:
                columns, positions = header
                header_row = row
                continue
            if not columns or not row.has_number:
                continue
            entry = first_match(without_notes(row.label), TEMPLATES.entries("active", "rows"))
            if entry is None:
                continue
            cells = _cells(row, columns, positions)
            if cells is None:
                figs.note(f"table 2 row {normalize_label(row.label)}: values do not line up with its header; left out")
                continue
            for col, cell in cells.items():
                key = f"active.{entry['key']}.{col}"
                if key in TEMPLATES.all_keys and key not in figs.values:
                    header_text = header_row.cells[positions[col][0]] if header_row else ""
                    _store(figs, key, col, row, cell, header_text)
