"""What changed between two versions of a report: figures and text.

Pure functions (no database) shared by change detection (``archive.history``,
which stores a figure list and a unified text diff per new version) and the
history page (which renders any two versions side by side).  Chinese
paragraphs are long single lines, so changed lines are also compared
character by character to show which characters changed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

Number = int | float | None
MISSING = "—"  # shown for a figure one version does not have


@dataclass(frozen=True)
class FigureChange:
    key: str
    old: Number
    new: Number
    old_present: bool = True
    new_present: bool = True

    def __str__(self) -> str:
        old = _show(self.old) if self.old_present else MISSING
        new = _show(self.new) if self.new_present else MISSING
        return f"{self.key}: {old} → {new}"

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "old": self.old if self.old_present else None,
                "new": self.new if self.new_present else None,
                "added": not self.old_present, "dropped": not self.new_present}


def _show(value: Number) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    return str(value)


def _same(a: Number, b: Number) -> bool:
    """Equal as published values: 10 and 10.0 are the same, None and 0 are not."""
    if a is None or b is None:
        return a is b
    return a == b


def figure_changes(old: Mapping[str, Number], new: Mapping[str, Number]) -> list[FigureChange]:
    """Figures whose value differs, appeared or disappeared; in the new version's key order."""
    keys = list(new) + [k for k in old if k not in new]
    changes = []
    for key in keys:
        if key in old and key in new:
            if not _same(old[key], new[key]):
                changes.append(FigureChange(key, old[key], new[key]))
        elif key in new:
            changes.append(FigureChange(key, None, new[key], old_present=False))
        else:
            changes.append(FigureChange(key, old[key], None, new_present=False))
    return changes


def text_diff(old: str, new: str, old_label: str = "old", new_label: str = "new", context: int = 2) -> str:
    """A unified diff of the two texts, line by line ('' when they are equal)."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), old_label, new_label, n=context, lineterm="")
    return "\n".join(lines)


@dataclass
class Segment:
    text: str
    changed: bool


@dataclass
class Row:
    """One row of a side-by-side view: a line of each version (either may be absent)."""

    tag: str  # 'equal', 'replace', 'delete', 'insert', 'skip' (unchanged lines folded away)
    old_no: int | None
    old: list[Segment]
    new_no: int | None
    new: list[Segment]


def _char_segments(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            left.append(Segment(old[i1:i2], tag != "equal"))
        if j2 > j1:
            right.append(Segment(new[j1:j2], tag != "equal"))
    return left, right


def side_by_side(old: str, new: str, context: int = 2) -> list[Row]:
    """Rows for a two-column diff; runs of unchanged lines beyond ``context`` fold into one 'skip' row."""
    a, b = old.splitlines(), new.splitlines()
    if a == b:
        return []
    skip = Row("skip", None, [], None, [])
    rows: list[Row] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if rows or group[0][1] > 0:
            rows.append(skip)
        for tag, i1, i2, j1, j2 in group:
            rows.extend(_rows_for(tag, a, b, i1, i2, j1, j2))
    if group[-1][2] < len(a):
        rows.append(skip)
    return rows


def _rows_for(tag: str, a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int) -> list[Row]:
    rows = []
    for k in range(max(i2 - i1, j2 - j1)):
        i, j = i1 + k, j1 + k
        left_line = a[i] if i < i2 else None
        right_line = b[j] if j < j2 else None
        if tag == "equal":
            left, right = [Segment(a[i], False)], [Segment(b[j], False)]
        elif left_line is not None and right_line is not None:
            left, right = _char_segments(left_line, right_line)
        else:
            left = [Segment(left_line, True)] if left_line is not None else []
            right = [Segment(right_line, True)] if right_line is not None else []
        row_tag = "insert" if left_line is None else "delete" if right_line is None else tag
        rows.append(Row(row_tag, i + 1 if left_line is not None else None, left,
                        j + 1 if right_line is not None else None, right))
    return rows
