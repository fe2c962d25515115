"""Plain-text renderings of reports: tab- or pipe-separated tables, markdown, bare lines.

Text copies of reports come out of converters and copy-paste: tables as
tab-separated or ``a | b | c`` lines (markdown or not), ``---`` separator
rows, headings as ``#`` lines, ``**bold**`` marks, and tables broken by
blank lines.  Cells lost or shifted by the conversion cannot be seen here,
so every table is marked ``loose``: the mapper aligns its values by the
template's arithmetic rather than by position.  A PDF's text layer prints a
row as its label and then its values separated by spaces
(``四、结转下年度继续办理 0 0 0 0 0 0 0``); a run of three or more numbers
ending a line is read as such a row.
"""

from __future__ import annotations

import re

from nianbao.parsers.encoding import decode_bytes
from nianbao.parsers.limits import guarded
from nianbao.parsers.model import Block, Document, Table

_HEADING = re.compile(r"^#{1,6}\s*(?P<text>.*?)\s*#*$")
_SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")
_MARKUP = re.compile(r"\*\*|__|\\(?=[_*#|\\])")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|<(https?://[^>]*)>")
_CAPTION_MAX_CHARS = 60
_VALUE = r"[+-]?\d[\d,]*(?:\.\d+)?"
_VALUE_RUN = re.compile(rf"^(?P<label>.*?[^\d\s.,+-])?\s*(?P<values>{_VALUE}(?:\s+{_VALUE}){{2,}})\s*$")


def _clean(text: str) -> str:
    return _MARKUP.sub("", _LINK.sub(lambda m: m.group(1) or m.group(2), text)).strip()


def _cells(line: str) -> list[str] | None:
    """The cells of a table line, or None when the line is running text."""
    if "\t" in line:
        return [_clean(c) for c in line.split("\t")]
    if line.count("|") >= 2 or line.lstrip().startswith("|"):
        cells = [_clean(c) for c in line.strip().split("|")]
        if line.strip().startswith("|"):
            cells = cells[1:]
        if line.strip().endswith("|") and cells and not cells[-1]:
            cells = cells[:-1]
        return cells
    run = _VALUE_RUN.match(line.strip())
    if run:
        label = [_clean(run.group("label"))] if run.group("label") else []
        return label + run.group("values").split()
    return None


def _is_separator(cells: list[str]) -> bool:
    return any(cells) and all(not c or _SEPARATOR_CELL.match(c) for c in cells)


def text_to_document(text: str) -> Document:
    """Blocks of a decoded text; table lines separated only by blank lines form one table."""
    doc = Document(format="text")
    rows: list[list[str]] = []

    def close_table() -> None:
        if rows and any(any(c for c in r) for r in rows):
            previous = doc.blocks[-1].text if doc.blocks else ""
            title = previous if 0 < len(previous) <= _CAPTION_MAX_CHARS else None
            doc.blocks.append(Block(kind="table", table=Table(rows=list(rows), title=title, loose=True)))
        rows.clear()

    for raw in text.splitlines():
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue  # blank lines never end a table: converters break tables with them
        cells = _cells(line)
        if cells is not None and (rows or sum(1 for c in cells if c) >= 2):  # "\t一、总体情况" is prose
            if not _is_separator(cells) and any(cells):
                rows.append(cells)
            continue
        close_table()
        heading = _HEADING.match(line.strip())
        if heading:
            text_ = _clean(heading.group("text"))
            if text_:
                doc.blocks.append(Block(kind="heading", text=text_))
        else:
            doc.blocks.append(Block(kind="paragraph", text=_clean(line.replace("\t", " "))))
    close_table()
    return doc


@guarded("text")
def extract(data: bytes) -> Document:
    text, _encoding = decode_bytes(data)
    return text_to_document(text)
