"""Tables a text rendering flattened into short lines, put back into rows.

Converters print a table as one cell per line, cells between blank lines,
``cell |`` lines, ``行政许可 97`` (label and value one space apart) or a
label on one line and its numbers on the next.  Each such line gives
*tokens*: its label and the numbers (or units, or ``—``) ending it.  A run
of these lines that holds values and names the template (a row or column
label of ``templates.yml``) is read back into rows: a row is a run of text
tokens followed by a run of values; the text tokens up to the last column
header among them (自然人 … 总计, 本年新制作数量, 结果维持 …) are the header
row, the rest the row's label.  A chapter heading in its place in the
report's sequence (三、收到和处理…) ends the run and stays a paragraph.

The rows are handed over as a ``loose`` table: values are read in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from nianbao.parsers.labels import normalize_label
from nianbao.parsers.numbers import UNITS, is_blank, is_number
from nianbao.parsers.templates import TEMPLATES

_MAX_LINE = 80
_SENTENCE_MARKS = "。；;，,"
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")
_NUMERALS = "一二三四五六七八九十"
_CHAPTER = re.compile(r"^\s*([一二三四五六七八九十])\s*[、.．]")
_SHORT_PART = 2  # a text line splits at spaces only when every part is this long (not 结 果 维 持)
_UNITS = frozenset(UNITS) | {"—", "——", "-"}
_ROW_SECTIONS = (("active", "rows"), ("requests", "rows"), ("legacy", "rows"))
_COLUMN_SECTIONS = (("active", "columns"), ("requests", "columns"), ("appeals", "outcomes"))
_MIN_HEADERS = 3  # header cells a table printed without values shows at least
_SHORT_HEADER = 4  # 总计, 维持: a header even where a row has the same label
_HEADER_CELLS = [re.compile(p) for p in TEMPLATES.data["legacy"]["header_cells"]]
_HEADER_WORDS = tuple(TEMPLATES.data["requests"]["header_match"] + TEMPLATES.data["appeals"]["header_match"]
                      + TEMPLATES.data["legacy"]["header_match"])


def _is_row_label(label: str) -> bool:
    return any(p.search(label) for s in _ROW_SECTIONS for e in TEMPLATES.entries(*s) for p in e["patterns"])


@lru_cache(maxsize=8192)
def is_header(token: str) -> bool:
    """A column header of a template table (自然人, 本年新制作数量, 结果维持, 统计指标, 2012年度 …).

    A longer label that is also a row label (制发规范性文件总数, 四、行政复议数量) is a row's.
    """
    label = normalize_label(token)
    if any(p.search(label) for p in _HEADER_CELLS):
        return True
    column = any(word in label for word in _HEADER_WORDS) or any(
        p.search(label) for s in _COLUMN_SECTIONS for e in TEMPLATES.entries(*s) for p in e["patterns"])
    return column and (len(label) <= _SHORT_HEADER or not _is_row_label(label))


@lru_cache(maxsize=8192)
def names_template(token: str) -> bool:
    """A row label or column header of a template table."""
    return is_header(token) or _is_row_label(normalize_label(token))


def _is_value(token: str) -> bool:
    return is_number(token) or is_blank(token) or normalize_label(token) in _UNITS


def tokens(line: str) -> list[str] | None:
    """The tokens of a short line (its label, then the values ending it); None for running text."""
    text = line.strip()
    if text.endswith("|") and text.count("|") == 1:  # "cell |": the next cell is on the next line
        text = text[:-1].strip()
        return [text] if text else []
    if len(text) > _MAX_LINE or any(mark in _BRACKETED.sub("", text) for mark in _SENTENCE_MARKS):
        return None  # running text: a sentence's marks outside brackets (a label's note may hold commas)
    parts = text.split()
    end = len(parts)
    while end > 0 and _is_value(parts[end - 1]):
        end -= 1
    label = parts[:end]
    if end == len(parts) and len(label) > 1 and all(len(p) >= _SHORT_PART for p in label):
        return label  # a header line: 信息内容 本年新制作数量 本年新公开数量
    values: list[str] = []
    for part in parts[end:]:  # a unit after a number is the number's: 21207.84 万元
        if values and is_number(values[-1]) and normalize_label(part) in UNITS:
            values[-1] += part
        else:
            values.append(part)
    return ([" ".join(label)] if label else []) + values


@dataclass
class Region:
    """Token lines that may be a flattened table, with the lines they came from."""

    lines: list[str] = field(default_factory=list)
    tokens: list[list[str]] = field(default_factory=list)

    @property
    def values(self) -> int:
        return sum(1 for line in self.tokens for t in line if is_number(t))

    @property
    def headers(self) -> int:
        return sum(1 for line in self.tokens for t in line if is_header(t))

    def is_table(self) -> bool:
        """Values, and a template label or a line of three or more numbers; or a template header without
        values (a table printed blank: its figures are null)."""
        if self.values < 3:
            return self.values == 0 and self.headers >= _MIN_HEADERS
        return (any(len([t for t in line if is_number(t)]) >= 3 for line in self.tokens)
                or any(names_template(t) for line in self.tokens for t in line))


def rows(region: Region) -> list[list[str]]:
    """The region's tokens regrouped into table rows (see the module docstring)."""
    result: list[list[str]] = []
    texts: list[str] = []
    values: list[str] = []

    def close() -> None:
        if not (texts or values):
            return
        cut = max((i + 1 for i, t in enumerate(texts) if is_header(t)), default=0)
        # header pieces wrapped onto lines of their own (处理决定 / 数量) run up to the row's own label
        cut = next((i for i in range(cut, len(texts)) if _is_row_label(normalize_label(texts[i]))), cut)
        if cut:
            result.append(texts[:cut])
        if texts[cut:] or values:
            result.append(texts[cut:] + values)

    for line in region.tokens:
        if len(line) > 1 and values and all(is_number(t) for t in line):  # a second line of numbers: its own row
            close()
            texts, values = [], []
        for token in line:
            if _is_value(token):
                values.append(token)
                continue
            if values:
                close()
                texts, values = [], []
            texts.append(token)
    close()
    return result


class Chapters:
    """Follows the report's chapter numbering, so 三、收到和处理… (the next chapter) is told from 三、本年度办理结果."""

    def __init__(self) -> None:
        self.next = 0

    def is_heading(self, line: str) -> bool:
        """A chapter heading, in sequence or not (a page without the chapters before it): not a table row."""
        return bool(_CHAPTER.match(line)) and not _is_row_label(normalize_label(line))

    def is_next(self, line: str) -> bool:
        match = _CHAPTER.match(line)
        if not match or self.next >= len(_NUMERALS) or match.group(1) != _NUMERALS[self.next]:
            return False
        return not _is_row_label(normalize_label(line))

    def advance(self) -> None:
        self.next += 1
