"""Page contents into Document blocks in reading order.

Running text is reassembled into paragraphs: a paragraph starts at an
indented line or after a line that stops short of the right margin, and may
run on over a page break.  A line with wide gaps (a table row printed
without rules) stays a block of its own, so its cells stay on one line.
Headings are lines in a larger type than the body
(the title) or numbered section lines (一、总体情况).  Page numbers, running
headers and footers (margin lines repeated on several pages) and 续表 marks
are dropped.  A table that is the last thing on a page and whose
continuation is the first thing on the next page, with the same outer
edges, becomes one table.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from nianbao.parsers.extract.pdf_grid import TablePart, build_table, continues
from nianbao.parsers.extract.pdf_page import PageContent
from nianbao.parsers.extract.pdf_text import Line, tidy
from nianbao.parsers.model import Block

SECTION_HEADING = re.compile(r"^[一二三四五六七八九十]+[、.．]\s*\S")
PAGE_NUMBER = re.compile(r"^[-—–－_\s]*(第\s*)?\d{1,4}\s*页?(\s*[/／,，]?\s*共\s*\d+\s*页)?[-—–－_\s]*$")
CONTINUED = re.compile(r"^[（(]?\s*续\s*表?\s*[\d一二三四五六七八九十]*\s*[）)]?$")
_DIGITS = re.compile(r"\d+")
MAX_HEADING_CHARS = 40
TITLE_SIZE_RATIO = 1.15  # lines in type this much larger than the body are headings
MARGIN_SHARE = 0.12  # page numbers sit in the top or bottom 12% of the page
INDENT = 1.5  # a line starting this many characters right of the margin opens a paragraph
SHORT_LINE = 2.0  # a line ending this many characters left of the margin closes one
MAX_TITLE_CHARS = 60
TABULAR_GAPS = 2  # a line with this many wide gaps is a table row printed without rules


@dataclass
class _Paragraph:
    page: int
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return tidy(" ".join(line.text for line in self.lines))


@dataclass
class _Margins:
    left: float
    right: float
    body_size: float


def _margins(pages: list[PageContent]) -> _Margins:
    lines = [line for p in pages for line in p.lines if len(line.chars) >= 5]
    if not lines:
        return _Margins(0.0, 0.0, 0.0)
    left = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
    rights = sorted(line.x1 for line in lines)
    return _Margins(left, rights[int(0.9 * (len(rights) - 1))], median(line.size for line in lines))


def _in_margin(line: Line, page: PageContent) -> bool:
    return line.top < page.height * MARGIN_SHARE or line.bottom > page.height * (1 - MARGIN_SHARE)


def _furniture_key(line: Line) -> str:
    """A margin line's text with its numbers blanked, so 第1页 and 第2页 match."""
    return _DIGITS.sub("#", line.text)


def _running_furniture(pages: list[PageContent]) -> set[str]:
    """Margin lines printed on several pages: running headers and footers."""
    seen = Counter(key for page in pages for key in {_furniture_key(line) for line in page.lines
                                                     if _in_margin(line, page)})
    return {key for key, count in seen.items() if count >= 2} if len(pages) >= 3 else set()


def _is_furniture(line: Line, page: PageContent, running: set[str]) -> bool:
    """Page numbers, running headers/footers and 续表 marks: not text, and no break between table parts."""
    if CONTINUED.match(line.text):
        return True
    if not _in_margin(line, page):
        return False
    return PAGE_NUMBER.match(line.text) is not None or _furniture_key(line) in running


def _is_heading(line: Line, margins: _Margins) -> bool:
    text = line.text
    if margins.body_size and line.size >= TITLE_SIZE_RATIO * margins.body_size:
        return True
    return (SECTION_HEADING.match(text) is not None and len(text) <= MAX_HEADING_CHARS
            and not text.endswith(("。", "；", ";")))


class _Builder:
    """Walks the page items in order, keeping the paragraph and table being built."""

    def __init__(self, margins: _Margins) -> None:
        self.margins = margins
        self.blocks: list[Block] = []
        self.table_parts: list[list[TablePart]] = []  # parts of each table block, in block order
        self.paragraph: _Paragraph | None = None
        self.last_part: TablePart | None = None  # the table part just seen, if nothing came after it
        self.last_heading: Line | None = None

    def line(self, line: Line, page: int) -> None:
        self.last_part = None
        m = self.margins
        if line.wide_gaps >= TABULAR_GAPS:  # a table row without rules: a line of its own, never joined
            self._flush()
            self.blocks.append(Block(kind="paragraph", text=line.text, page=page))
            self.last_heading = None
            return
        if _is_heading(line, m):
            self._flush()
            previous = self.blocks[-1] if self.blocks else None
            if (previous is not None and previous.kind == "heading" and previous.page == page
                    and self.last_heading is not None and line.size >= TITLE_SIZE_RATIO * m.body_size
                    and abs(self.last_heading.size - line.size) < 0.5):
                previous.text = tidy(previous.text + " " + line.text)  # a title wrapped over two lines
            else:
                self.blocks.append(Block(kind="heading", text=line.text, page=page))
            self.last_heading = line
            return
        self.last_heading = None
        p = self.paragraph
        size = line.size or m.body_size
        starts = (p is None or line.x0 > m.left + INDENT * size
                  or p.lines[-1].x1 < m.right - SHORT_LINE * size)
        if starts:
            self._flush()
            self.paragraph = _Paragraph(page)
        assert self.paragraph is not None
        self.paragraph.lines.append(line)

    def part(self, part: TablePart) -> None:
        self._flush()
        self.last_heading = None
        if self.last_part is not None and continues(self.last_part, part):
            self.table_parts[-1].append(part)
        else:
            previous = self.blocks[-1] if self.blocks else None
            if previous is not None and previous.kind != "table" and len(previous.text) <= MAX_TITLE_CHARS:
                part.title = previous.text
            self.blocks.append(Block(kind="table", page=part.page))
            self.table_parts.append([part])
        self.last_part = part

    def _flush(self) -> None:
        if self.paragraph is not None:
            text = self.paragraph.text
            if text:
                self.blocks.append(Block(kind="paragraph", text=text, page=self.paragraph.page))
            self.paragraph = None

    def finish(self) -> list[Block]:
        self._flush()
        tables = iter(self.table_parts)
        for block in self.blocks:
            if block.kind == "table":
                block.table = build_table(next(tables))
        return self.blocks


def build_blocks(pages: list[PageContent]) -> list[Block]:
    """All pages' lines and table parts as blocks in reading order."""
    builder = _Builder(_margins(pages))
    running = _running_furniture(pages)
    for page in pages:
        items: list[tuple[float, Line | TablePart]] = [(line.top, line) for line in page.lines
                                                       if not _is_furniture(line, page, running)]
        items += [(part.top, part) for part in page.parts]
        for _, item in sorted(items, key=lambda pair: pair[0]):
            if isinstance(item, TablePart):
                builder.part(item)
            else:
                builder.line(item, page.number)
    return builder.finish()
