"""The national 政府信息公开情况统计表 (to 2018) and older local forms → ``legacy.*``.

Rows read ``label | unit | value``; the label says the key.  Labels shared
by two groups (（二）被依法纠错数 under 四、行政复议 and under 五、行政诉讼) are
told apart by the group of the row read before them, also across a page
break, so forms that number their chapters differently read the same.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nianbao.parsers.figureset import FigureSet
from nianbao.parsers.grid import GridRow, LogicalTable
from nianbao.parsers.labels import normalize_label
from nianbao.parsers.numbers import UNITS, header_money_unit, is_blank, is_number, money_in_wan, parse_number
from nianbao.parsers.templates import TEMPLATES

_HEADER = TEMPLATES.data["legacy"]["header_match"]
_CHAPTER = re.compile(r"^[一二三四五六七八九十]+、")
_NO_UNIT = ("——", "—", "-")  # printed in the unit column of a heading row
_UNITS = frozenset(UNITS) | frozenset(_NO_UNIT)
_MIN_ROWS_WITHOUT_HEADER = 5


@lru_cache(maxsize=4096)  # the same labels come back in every legacy report
def _match(label: str, group: str | None) -> dict | None:
    for entry in TEMPLATES.entries("legacy", "rows"):
        if entry.get("within") and entry["within"] != group:
            continue
        if any(p.search(label) for p in entry["patterns"]):
            return entry
    return None


def _value_cell(row: GridRow) -> tuple[int | None, str | None] | None:
    """(index of the value cell or None when blank, unit printed in the row); None if no value column."""
    label_end = row.label_indices[0] if row.label_indices else -1
    unit = next((normalize_label(c) for c in row.cells[label_end + 1:] if normalize_label(c) in _UNITS), None)
    numbers = [i for i in range(label_end + 1, len(row.cells)) if is_number(row.cells[i])]
    if numbers:
        return numbers[-1], unit
    if unit and unit not in _NO_UNIT and any(is_blank(c) for c in row.cells[label_end + 1:]):
        return None, unit
    return None


def _rows(table: LogicalTable, group: str | None) -> tuple[list[tuple[dict, GridRow, int | None, str | None]], str | None]:
    """The rows of one table that carry a legacy key, and the group the table ends in."""
    found = []
    for row in table.rows:
        if not row.label_indices:
            continue
        label = normalize_label(row.cells[row.label_indices[0]])
        entry = _match(label, group)
        cell = _value_cell(row) if entry else None
        if entry and cell is not None:
            found.append((entry, row, *cell))
            group = entry["key"].split(".")[0]
        elif _CHAPTER.match(label):
            group = None
    return found, group


def map_legacy(tables: list[LogicalTable], figs: FigureSet) -> None:
    group: str | None = None
    continuing = False
    for table in tables:
        has_header = any(any(h in r.label for h in _HEADER) for r in table.rows if not r.has_number)
        found, group = _rows(table, group)
        if not (has_header or continuing or len(found) >= _MIN_ROWS_WITHOUT_HEADER):
            continuing = False
            continue
        continuing = bool(found)
        for entry, row, cell, unit in found:
            key = f"legacy.{entry['key']}"
            if key in figs.values:
                continue
            text = row.cells[cell] if cell is not None else "0"
            if entry.get("money"):
                value, assumed = money_in_wan(text, header_money_unit(unit) or header_money_unit(
                    row.cells[row.label_indices[0]])) or (0, False)
                if assumed:
                    figs.note(f"{key}: '{text}' printed without a unit; read as 万元")
            else:
                value = parse_number(text).value
            figs.set(key, value, row, cell)
