"""The national 政府信息公开情况统计表 (to 2018) and the local forms of the catalogue → ``legacy.*``.

Rows read ``label | unit | value…``; the label says the key, looked up in the
form's own rows first (``templates.yml: legacy.forms``, the form named by a
header cell such as 指标名称), then in the national form's.  The value is
read from the column whose header names the reporting year (``2012年度``,
``统计数``), never from a 历年累计 column; without a header, the last number
of the row.  Labels shared by two groups (（二）被依法纠错数 under 四、行政复议
and under 五、行政诉讼) are told apart by the group of the row read before
them, also across a page break, so forms that number their chapters
differently read the same.  A row naming two figures at once (信函、传真申请数)
sets both to null: printed, but not separable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from nianbao.parsers.figureset import FigureSet
from nianbao.parsers.grid import GridRow, LogicalTable
from nianbao.parsers.labels import normalize_label
from nianbao.parsers.legacy_forms import FORMS, LegacyForm
from nianbao.parsers.numbers import UNITS, header_money_unit, is_blank, is_number, money_in_wan, parse_number
from nianbao.parsers.templates import TEMPLATES

_SPEC = TEMPLATES.data["legacy"]
_HEADER = _SPEC["header_match"]
_YEAR = re.compile(_SPEC["year_header"])
_COMBINED = [{**entry, "patterns": [re.compile(p) for p in entry["match"]]} for entry in _SPEC["combined"]]
_CHAPTER = re.compile(r"^[一二三四五六七八九十]+、")
_NO_UNIT = ("——", "—", "-")  # printed in the unit column of a heading row
_UNITS = frozenset(UNITS) | frozenset(_NO_UNIT)
_MIN_ROWS_WITHOUT_HEADER = 5


@dataclass
class _Place:
    """What one piece of a form tells the next (a form split by page breaks)."""

    group: str | None = None  # the group of the last row read
    form: LegacyForm | None = None
    value_col: int | None = None  # the reporting year's column, counted from the left
    width: int = 0  # cells of the header row


@lru_cache(maxsize=4096)  # the same labels come back in every legacy report
def _match(label: str, group: str | None, form: LegacyForm | None) -> dict | None:
    for entry in (form.rows if form else ()) + FORMS.national_rows:
        if entry.get("within") and entry["within"] != group:
            continue
        if any(p.search(label) for p in entry["patterns"]):
            return entry
    return None


def _combined(label: str) -> dict | None:
    return next((e for e in _COMBINED if any(p.search(label) for p in e["patterns"])), None)


def _value_column(header: GridRow) -> int | None:
    """The column of the reporting year's figure: the latest year a header cell names, else a 统计数 cell."""
    years: dict[int, int] = {}
    named = None
    for i, cell in enumerate(header.cells):
        text = normalize_label(cell)
        if not text or any(word in text for word in _SPEC["not_value_headers"]):
            continue
        year = _YEAR.search(text)
        if year:
            years.setdefault(i, int(year.group(1)))
        elif named is None and any(word in text for word in _SPEC["value_headers"]):
            named = i
    return max(years, key=lambda i: (years[i], -i)) if years else named


def _value_cell(row: GridRow, place: _Place) -> tuple[int | None, str | None] | None:
    """(index of the value cell or None when blank, unit printed in the row); None if no value column."""
    label_end = row.label_indices[0] if row.label_indices else -1
    unit = next((normalize_label(c) for c in row.cells[label_end + 1:] if normalize_label(c) in _UNITS), None)
    if place.value_col is not None:
        # a row with the header's cells keeps its positions; a text row that lost blank cells counts from the right
        col = place.value_col if len(row.cells) == place.width else len(row.cells) - (place.width - place.value_col)
        if label_end < col < len(row.cells):
            if is_number(row.cells[col]):
                return col, unit
            if is_blank(row.cells[col]) and unit and unit not in _NO_UNIT and not row.cells[col].strip():
                return None, unit
            return None
    numbers = [i for i in range(label_end + 1, len(row.cells)) if is_number(row.cells[i])]
    if numbers:
        return numbers[-1], unit
    if unit and unit not in _NO_UNIT and any(is_blank(c) for c in row.cells[label_end + 1:]):
        return None, unit
    return None


def _is_header(row: GridRow) -> bool:
    return not row.has_number and any(h in row.label for h in _HEADER)


def _rows(table: LogicalTable, place: _Place) -> list[tuple[dict, GridRow, int | None, str | None]]:
    """The rows of one table that carry a legacy key (or a combined row), in order."""
    found = []
    for row in table.rows:
        if _is_header(row):
            place.form = FORMS.named_by(row.label) or place.form
            place.value_col, place.width = _value_column(row), len(row.cells)
            continue
        if not row.label_indices:
            continue
        label = normalize_label(row.cells[row.label_indices[0]])
        combined = _combined(label)
        entry = combined or _match(label, place.group, place.form)
        cell = _value_cell(row, place) if entry else None
        if entry and cell is not None:
            found.append((entry, row, *cell))
            if not combined:
                place.group = entry["key"].split(".")[0]
        elif _CHAPTER.match(label):
            place.group = None
    return found


def _store(figs: FigureSet, entry: dict, row: GridRow, cell: int | None, unit: str | None) -> None:
    key = f"legacy.{entry['key']}"
    if key in figs.values:
        return
    text = row.cells[cell] if cell is not None else "0"
    if entry.get("money"):
        value, assumed = money_in_wan(text, header_money_unit(unit) or header_money_unit(
            row.cells[row.label_indices[0]])) or (0, False)
        if assumed:
            figs.note(f"{key}: '{text}' printed without a unit; read as 万元")
    else:
        number = parse_number(text)
        value = number.value if number else 0
    figs.set(key, value, row, cell)


def map_legacy(tables: list[LogicalTable], figs: FigureSet) -> None:
    place = _Place()
    continuing = False
    for table in tables:
        has_header = any(_is_header(r) for r in table.rows)
        found = _rows(table, place)
        if not (has_header or continuing or len(found) >= _MIN_ROWS_WITHOUT_HEADER):
            continuing = False
            continue
        continuing = bool(found)
        for entry, row, cell, unit in found:
            if "keys" in entry:
                for key in entry["keys"]:
                    figs.values.setdefault(f"legacy.{key}", None)
                figs.note(f"statistics table row {normalize_label(row.cells[row.label_indices[0]])} counts {' and '.join(entry['keys'])} "
                          "together: both left null, the row kept in the raw table")
            else:
                _store(figs, entry, row, cell, unit)
