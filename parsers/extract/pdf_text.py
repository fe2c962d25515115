"""Characters of a PDF page into text lines, and tidy cell text.

A line is a run of characters whose vertical middles fall inside one
another's height, read left to right.  Spaces are inserted where the gap
between two characters is wide; a space between two Chinese characters is
layout, not text (``总 计``, ``只计这一情 形``), and is dropped, as are line
breaks inside a table cell (a wrapped label, a label printed one character
per line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Char = dict[str, Any]

SPACE_GAP = 0.3  # a gap wider than this share of the font size is a space
COLUMN_GAP = 1.5  # a gap this many characters wide separates columns
DUPLICATE_OFFSET = 1.0  # the same glyph drawn twice this close is fake bold, kept once

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")


@dataclass
class Line:
    """One printed line of text with its box."""

    chars: list[Char] = field(default_factory=list)
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0

    @property
    def size(self) -> float:
        return max((c.get("size") or 0.0) for c in self.chars) if self.chars else 0.0

    @property
    def wide_gaps(self) -> int:
        """How many gaps wider than :data:`COLUMN_GAP` characters the line has (a row of an unruled table)."""
        return sum(1 for a, b in zip(self.chars, self.chars[1:])
                   if b["x0"] - a["x1"] > COLUMN_GAP * max(b.get("size") or 0.0, 1.0))

    @property
    def text(self) -> str:
        out: list[str] = []
        previous: Char | None = None
        for c in self.chars:
            if previous is not None:
                gap = c["x0"] - previous["x1"]
                if gap > SPACE_GAP * max(c.get("size") or 0.0, 1.0) and not out[-1].isspace():
                    out.append(" ")
            out.append(c["text"])
            previous = c
        return "".join(out).strip()


def group_lines(chars: list[Char]) -> list[Line]:
    """Characters into lines, top to bottom; within a line, left to right."""
    lines: list[Line] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        middle = (c["top"] + c["bottom"]) / 2
        line = lines[-1] if lines else None
        if line is not None and line.top <= middle <= line.bottom:
            line.chars.append(c)
            line.x0, line.x1 = min(line.x0, c["x0"]), max(line.x1, c["x1"])
            line.bottom = max(line.bottom, c["bottom"])
        else:
            lines.append(Line([c], c["x0"], c["x1"], c["top"], c["bottom"]))
    for line in lines:
        line.chars = _without_duplicates(sorted(line.chars, key=lambda c: c["x0"]))
    return lines


def _without_duplicates(chars: list[Char]) -> list[Char]:
    kept: list[Char] = []
    for c in chars:
        if kept and kept[-1]["text"] == c["text"] and abs(kept[-1]["x0"] - c["x0"]) < DUPLICATE_OFFSET:
            continue
        kept.append(c)
    return kept


def tidy(text: str) -> str:
    """Collapse whitespace; drop it entirely between Chinese characters and full-width punctuation."""
    return _SPACES.sub(" ", _SPACE_BETWEEN_CJK.sub("", text)).strip()


def cell_text(chars: list[Char]) -> str:
    """The text of one table cell: its lines joined, layout spaces removed."""
    return tidy(" ".join(line.text for line in group_lines(chars)))
