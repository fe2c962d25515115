"""The figures read from one report, with where each came from and which were derived."""

from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.parsers.grid import GridRow
from nianbao.parsers.model import Provenance


@dataclass
class FigureSet:
    values: dict[str, int | float | None] = field(default_factory=dict)
    provenance: dict[str, dict] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def set(self, key: str, value: int | float | None, row: GridRow | None = None, col: int | None = None,
            inferred: bool = False) -> None:
        self.values[key] = value
        if row is not None and col is not None:
            text = row.cells[col] if col < len(row.cells) else ""
            where = Provenance(table=row.table, row=row.row, col=col, page=row.page, text=text)
            if row.confidence is not None:
                where.source = "ocr"
                where.confidence = row.confidence[col] if col < len(row.confidence) else None
            self.provenance[key] = vars(where)
        if inferred and key not in self.inferred:
            self.inferred.append(key)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)
