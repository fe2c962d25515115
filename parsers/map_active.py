"""Table 2 (主动公开政府信息情况) → ``active.<row>.<col>``.

The table is a stack of small tables (第二十条第（一）项 …), each with its
own header row (信息内容 | 本年新制作数量 | …).  A header row sets the columns
for the rows under it; a row label (规章, 行政许可, …) and a column name
give the key, which must be one of figures.csv.  A header cut short or
wrapped into pieces (本年新 / 制作数量) names no column; the row then takes
its columns in the order a template prints them for that row, when exactly
one template has as many columns there and all the pieces (``labels`` of
``templates.yml``) — else it is left out with a note.
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


_LABELS = {entry["key"]: [normalize_label(label) for label in entry["labels"]]
           for entry in TEMPLATES.entries("active", "columns")}


def _template_order(row_key: str, row: GridRow, pieces: list[str]) -> dict[str, int | None] | None:
    """Cells by the one template whose columns for this row match the value count and the header pieces."""
    fits = []
    for template in ("2019", "2021"):
        prefix = f"active.{row_key}."
        columns = [k.removeprefix(prefix) for k in TEMPLATES.keys_by_template[template] if k.startswith(prefix)]
        fits.append((columns, "".join(label for c in columns for label in _LABELS[c])))
    known = [p for p in pieces if any(p in labels for _, labels in fits)]
    tail = row.tail()
    chosen = [columns for columns, labels in fits if len(columns) == len(tail) and all(p in labels for p in known)]
    if len(chosen) != 1:
        return None
    return {c: (None if is_blank(row.cells[i]) else i) for c, i in zip(chosen[0], tail)}


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
        pieces: list[str] = []  # the header cells since the last row of values
        after_values = True
        for row in table.rows:
            if not row.has_number:
                pieces = ([] if after_values else pieces) + [normalize_label(row.cells[i]) for i in row.label_indices]
                after_values = False
            else:
                after_values = True
            header = _header(row)
            if header is not None:
                columns, positions = header
                header_row = row
                continue
            if not row.has_number:
                columns, positions = [], {}
                continue
            entry = first_match(without_notes(row.label), TEMPLATES.entries("active", "rows"))
            if entry is None:
                continue
            cells = _cells(row, columns, positions) if columns else None
            if cells is None:
                cells = _template_order(entry["key"], row, pieces)
                if cells is None:
                    if columns or pieces:
                        figs.note(f"table 2 row {normalize_label(row.label)}: values do not line up with its "
                                  "header; left out")
                    continue
                figs.note(f"table 2 row {normalize_label(row.label)}: header cut short; columns taken in the "
                          "template's order")
            for col, cell in cells.items():
                key = f"active.{entry['key']}.{col}"
                if key in TEMPLATES.all_keys and key not in figs.values:
                    header_text = header_row.cells[positions[col][0]] if header_row and col in positions else \
                        "".join(pieces)
                    _store(figs, key, col, row, cell, header_text)
