"""Table 4 (行政复议、行政诉讼情况) → ``appeals.<group>.<outcome>``.

Headers take one to three rows (行政复议 / 行政诉讼, then 未经复议直接起诉 /
复议后起诉, then the outcome names, often one character per line); the 15
values sit on one row after them, in the template's order.  A table printed
with its headers and no value row publishes nothing: its figures are null.
Some reports print table 4 as three small tables of five values, each under
a heading naming its group (行政复议 / 行政诉讼（复议后起诉） …,
``templates.yml: appeals.group_headings``); each is read on its own.
"""

from __future__ import annotations

from nianbao.parsers.figureset import FigureSet
from nianbao.parsers.grid import GridRow, LogicalTable
from nianbao.parsers.labels import first_match, normalize_label
from nianbao.parsers.numbers import is_blank, parse_number
from nianbao.parsers.templates import TEMPLATES

_GROUPS = TEMPLATES.data["appeals"]["groups"]
_OUTCOMES = [o["key"] for o in TEMPLATES.entries("appeals", "outcomes")]
_KEYS = [f"appeals.{g}.{o}" for g in _GROUPS for o in _OUTCOMES]
_HEADER = TEMPLATES.data["appeals"]["header_match"]
_HEADER_WITH = TEMPLATES.data["appeals"]["header_with"]
_CAPTION = TEMPLATES.data["appeals"]["caption_match"]


def _value_cells(row: GridRow) -> list[int | None] | None:
    """Cell index per value (None: blank), 15 of them, or None when they cannot be placed."""
    tail = row.tail()
    if len(tail) == len(_KEYS):
        return [None if is_blank(row.cells[i]) else i for i in tail]
    if not row.loose and len(row.cells) >= len(_KEYS) and not row.label_indices:
        return [None if is_blank(row.cells[i]) else i for i in range(len(row.cells) - len(_KEYS), len(row.cells))]
    return None


def _store_group(figs: FigureSet, group: str, row: GridRow, cells: list[int | None]) -> None:
    """One group's five values; a blank 总计 is their sum, marked inferred."""
    numbers = [None if i is None else parse_number(row.cells[i]) for i in cells]
    values = [n.value if n else 0 for n in numbers]
    blank_total = cells[-1] is None
    if blank_total:
        values[-1] = sum(values[:-1])
    for o, outcome in enumerate(_OUTCOMES):
        figs.set(f"appeals.{group}.{outcome}", values[o], row, cells[o], inferred=blank_total and o == len(cells) - 1)


def _store(figs: FigureSet, row: GridRow, cells: list[int | None]) -> None:
    size = len(_OUTCOMES)
    for g, group in enumerate(_GROUPS):
        _store_group(figs, group, row, cells[g * size:(g + 1) * size])


def _group_tables(tables: list[LogicalTable], figs: FigureSet) -> None:
    """Table 4 as one small table per group: an outcome header, five values, a heading naming the group."""
    for table in tables:
        heading = next((normalize_label(line) for line in reversed(table.context.splitlines()) if line.strip()), "")
        group = first_match(heading, TEMPLATES.entries("appeals", "group_headings"))
        header = next((r for r in table.rows if not r.has_number and sum(
            1 for o in TEMPLATES.entries("appeals", "outcomes") if any(p.search(r.label) for p in o["patterns"])
        ) == len(_OUTCOMES)), None)
        row = next((r for r in table.rows if r.has_number), None)
        if group is None or header is None or f"appeals.{group['key']}.total" in figs.values:
            continue
        if row is None:  # printed with its header and no values: not published
            for outcome in _OUTCOMES:
                figs.set(f"appeals.{group['key']}.{outcome}", None)
            continue
        tail = row.tail()
        if len(tail) == len(_OUTCOMES):
            _store_group(figs, group["key"], row, [None if is_blank(row.cells[i]) else i for i in tail])
        else:
            figs.note(f"table 4 {group['key']}: {len(tail)} values for {len(_OUTCOMES)} columns; left out")


def _is_header(table: LogicalTable, index: int) -> bool:
    """The first header row: 行政复议 with 行政诉讼 on it or on the next row, no values (``header_with``)."""
    row = table.rows[index]
    if row.has_number or not any(h in row.label for h in _HEADER):
        return False
    following = table.rows[index + 1].label if index + 1 < len(table.rows) else ""
    return any(word in row.label or word in following for word in _HEADER_WITH)


def _start(table: LogicalTable) -> int | None:
    """Index of the first header row; -1 for a headerless table the text before it names (15 values)."""
    start = next((i for i in range(len(table.rows)) if _is_header(table, i)), None)
    if start is None and all(word in table.context for word in _CAPTION):
        first = next((r for r in table.rows if r.has_number), None)
        if first is not None and len(first.tail()) == len(_KEYS) and not first.label_indices:
            return -1
    return start


def map_appeals(tables: list[LogicalTable], figs: FigureSet) -> None:
    for table in tables:
        start = _start(table)
        if start is None:
            continue
        row = next((r for r in table.rows[start + 1:] if r.has_number), None)
        if row is None:
            for key in _KEYS:
                figs.set(key, None)
            return
        cells = _value_cells(row)
        if cells is None:
            figs.note(f"table 4: {len(row.tail())} values for {len(_KEYS)} columns; left out")
        else:
            _store(figs, row, cells)
        return
    _group_tables(tables, figs)
