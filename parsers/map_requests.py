"""Table 3 (收到和处理政府信息公开申请情况) → ``requests.<row>.<col>``.

Rows are recognised by their label wherever they are (a table split over
pages, a continuation without headers); columns by header position in grids
that keep their cells, else by order.  A blank cell is 0, a blank 总计 is
computed; rows that lost cells in a text rendering are restored only when
the template's arithmetic leaves one answer (``parsers.recover``).
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.parsers.figureset import FigureSet
from nianbao.parsers.grid import GridRow, LogicalTable, aligned_cells, column_positions
from nianbao.parsers.labels import first_match
from nianbao.parsers.numbers import is_blank, parse_number
from nianbao.parsers.recover import MAX_MISSING, Candidate, placements, solve
from nianbao.parsers.relations import request_relations
from nianbao.parsers.templates import TEMPLATES

COLUMNS = TEMPLATES.columns
WIDTH = len(COLUMNS)
_HEADER = TEMPLATES.data["requests"]["header_match"]
_CAPTION = TEMPLATES.data["requests"]["caption_match"]
_MIN_ROWS_WITHOUT_HEADER = 3


@dataclass
class Reading:
    """The cells one table row gives for one template row."""

    row: GridRow
    cells: list[int | None]  # cell index per printed value (None: blank); WIDTH long when complete

    @property
    def complete(self) -> bool:
        return len(self.cells) == WIDTH

    def values(self) -> list[int | float]:
        return [0 if i is None else _value(self.row.cells[i]) for i in self.cells]


def _value(text: str) -> int | float:
    number = parse_number(text)
    return number.value if number else 0


def _is_header(row: GridRow) -> bool:
    return not row.has_number and any(h in row.label for h in _HEADER)


def _read_row(row: GridRow, positions: dict[str, list[int]]) -> Reading | None:
    aligned = aligned_cells(row, positions, COLUMNS)
    if aligned is not None:
        return Reading(row, [aligned[c] for c in COLUMNS])
    tail = row.tail()
    if not WIDTH - MAX_MISSING <= len(tail) <= WIDTH:
        return None
    return Reading(row, [None if is_blank(row.cells[i]) else i for i in tail])


def _readings(tables: list[LogicalTable]) -> tuple[dict[str, Reading], bool, list[str]]:
    """The first reading of each template row, whether a table 3 header was seen, and the rows of values
    left out because their label was lost (never placed by guess: named by the row they follow)."""
    readings: dict[str, Reading] = {}
    unlabelled: list[str] = []
    header_seen = False
    continuing = False
    for table in tables:
        pending: list[GridRow] = []  # rows without values since the last row with values
        positions: dict[str, list[int]] = {}
        has_header = any(words in table.context for words in _CAPTION)  # headerless copy named by its caption
        found: dict[str, Reading] = {}
        blank: dict[str, Reading] = {}  # template rows printed with every value cell blank
        lost: list[str] = []  # rows of seven values without a label, by the row before them
        for row in table.rows:
            if not row.has_number:
                entry = first_match(row.label, TEMPLATES.entries("requests", "rows")) if positions else None
                if entry and aligned_cells(row, positions, COLUMNS) is not None:
                    blank.setdefault(entry["key"], Reading(row, [None] * WIDTH))
                else:
                    pending.append(row)
                    if any(_is_header(r) for r in pending):
                        has_header = True
                        positions = column_positions(pending, TEMPLATES.entries("requests", "columns"))
                continue
            pending = []
            entry = first_match(row.label, TEMPLATES.entries("requests", "rows"))
            if entry is None and not row.label_indices and len(row.tail()) == WIDTH:
                lost.append(next(reversed(found), "the table's start"))
            if entry is None or entry["key"] in found:
                continue
            reading = _read_row(row, positions)
            if reading is not None:
                found[entry["key"]] = reading
        if found:
            found.update({key: reading for key, reading in blank.items() if key not in found})
        header_seen = header_seen or has_header
        # a row labelled as a table 3 row with all seven values is one, header or not (a page's last row)
        complete = bool(found) and all(reading.complete for reading in found.values())
        if has_header or continuing or complete or len(found) >= _MIN_ROWS_WITHOUT_HEADER:
            for key, reading in found.items():
                readings.setdefault(key, reading)
            unlabelled.extend(lost)
            continuing = bool(found) or has_header
        else:
            continuing = False
    return readings, header_seen, unlabelled


def _set_row(figs: FigureSet, name: str, reading: Reading, values: tuple | list, gaps: tuple[int, ...] = (),
             guessed: frozenset[int] = frozenset()) -> None:
    printed = iter(reading.cells)
    for position, col in enumerate(COLUMNS):
        cell = None if position in gaps else next(printed)
        blank_total = position == WIDTH - 1 and cell is None
        figs.set(f"requests.{name}.{col}", values[position], reading.row, cell,
                 inferred=position in guessed or blank_total)


def map_requests(tables: list[LogicalTable], figs: FigureSet) -> None:
    readings, header_seen, unlabelled = _readings(tables)
    for after in unlabelled:
        figs.note(f"table 3: a row of {WIDTH} values without its label (after {after}) left out")
    if not readings:
        if header_seen:  # printed with headers and no values: not published
            for row in TEMPLATES.entries("requests", "rows"):
                if row["key"] not in TEMPLATES.data["requests"]["template_rows"]["2021"]:
                    for col in COLUMNS:
                        figs.set(f"requests.{row['key']}.{col}", None)
        return
    fixed: dict[str, int | float] = {}
    damaged: dict[str, list[Candidate]] = {}
    for name, reading in readings.items():
        values = reading.values()
        if reading.complete:
            if reading.cells[-1] is None:
                values[-1] = sum(values[:-1])
            fixed.update({f"requests.{name}.{c}": v for c, v in zip(COLUMNS, values)})
            _set_row(figs, name, reading, values)
        else:
            damaged[name] = placements(values, WIDTH)
    if damaged:
        _restore(figs, readings, damaged, fixed)
    _sum_other(figs)


def _restore(figs: FigureSet, readings: dict[str, Reading], damaged: dict[str, list[Candidate]],
             fixed: dict[str, int | float]) -> None:
    variables = {name: tuple(f"requests.{name}.{c}" for c in COLUMNS) for name in damaged}
    viable = solve(variables, damaged, fixed, request_relations(list(readings)))
    for name in damaged:
        if len(viable[name]) != 1:
            reason = "no placement satisfies the template's arithmetic" if not viable[name] else "several placements fit"
            figs.note(f"table 3 row {name}: {len(readings[name].cells)} values for {WIDTH} columns; {reason}; "
                      "row left out")
            continue
        candidate = viable[name][0]
        _set_row(figs, name, readings[name], candidate.values, candidate.gaps, candidate.guessed)
        figs.note(f"table 3 row {name}: a lost cell was put back by the template's arithmetic")


def _sum_other(figs: FigureSet) -> None:
    """2021 template: （六）其他处理 is the sum of its three printed sub-rows."""
    parts = [r["key"] for r in TEMPLATES.entries("requests", "rows") if r.get("part_of") == "other"]
    if f"requests.other.{COLUMNS[0]}" in figs.values:
        return
    for col in COLUMNS:
        values = [v for p in parts if (v := figs.values.get(f"requests.{p}.{col}")) is not None]
        if len(values) == len(parts):
            figs.set(f"requests.other.{col}", sum(values), inferred=True)
