"""The data every extractor produces and every later stage consumes.

Extractors (``parsers.extract.*``) turn bytes of one format into a
:class:`Document`: blocks in reading order, tables as grids with merged
cells expanded.  ``parsers.report`` turns a Document into a
:class:`ParseResult`, the object behind ``nianbao parse --json``
(``../shared/spec/parse-output.md``).  Nothing here touches the network
or a database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "table"]


@dataclass
class Table:
    """A table as printed: a grid of cell texts.

    A merged cell's text is repeated in every position it covers, so a row
    label spanning 20 rows appears in each of them.  Rows may be ragged when
    the source lost cells (plain-text renderings); nothing is padded or
    guessed here.
    """

    rows: list[list[str]]
    page: int | None = None  # 1-based page where the table starts (PDF), else None
    title: str | None = None  # the heading or caption printed just before it
    row_pages: list[int | None] | None = None  # page of each row, for tables split over pages
    # True when cells may have been lost or shifted (plain-text renderings): the
    # mapper then aligns values by the template's arithmetic, not by position.
    loose: bool = False
    # The merged cells as the source drew them: [row, col, rowspan, colspan] of each
    # merged cell's top-left position, only cells covering more than one position;
    # [] when the source has cells and none is merged, None when it does not say
    # (plain text, antiword): a repeated text may then be one cell or several.
    spans: list[list[int]] | None = None
    # Read by OCR from a picture: the recogniser's confidence (0-1) in each position's text, None
    # where the position is blank; the whole field is None for tables read from text.
    confidence: list[list[float | None]] | None = None


@dataclass
class Block:
    kind: BlockKind
    text: str = ""  # heading/paragraph text; for a table, empty
    table: Table | None = None
    page: int | None = None


@dataclass
class Picture:
    """A picture in the running text of an HTML or DOCX report: where it stands and its bytes."""

    position: int  # how many blocks come before it
    data: bytes | None  # None: linked from elsewhere (an HTML <img src> URL), not inside the file


@dataclass
class Document:
    """What an extractor read from one file, before any template knowledge."""

    format: str  # "html", "pdf", "docx", "doc", "wps", "text"
    blocks: list[Block] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # e.g. HTML <title>, PDF info
    needs_ocr: bool = False  # image-only PDF or scan: no usable text layer
    ocr: bool = False  # some pages or pictures were read by OCR
    errors: list[str] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)  # HTML/DOCX: pictures in reading order

    @property
    def tables(self) -> list[Table]:
        return [b.table for b in self.blocks if b.kind == "table" and b.table is not None]

    @property
    def text(self) -> str:
        """The running text (headings and paragraphs), one block per line."""
        return "\n".join(b.text for b in self.blocks if b.kind != "table" and b.text)


@dataclass
class Provenance:
    """Where a figure was read: table index in ``ParseResult.tables``, row, column, page."""

    table: int
    row: int
    col: int
    page: int | None = None
    text: str = ""  # the cell text as printed
    source: str | None = None  # "ocr" when the cell was read from a picture by OCR, else None (text)
    confidence: float | None = None  # the OCR recogniser's confidence in the cell's text (0-1)


@dataclass
class ParseResult:
    """One parsed report; ``to_json()`` is the ``nianbao parse --json`` line."""

    path: str | None = None
    sha256: str = ""
    format: str = ""
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: str | None = None
    template: str = "unknown"
    figures: dict[str, int | float | None] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    sections: list[dict[str, str]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Beyond the contract's fields: where each figure came from, and notes
    # such as money printed without a unit.
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    needs_ocr: bool = False
    ocr: bool = False  # some text or tables were read by OCR from pictures (see each figure's provenance)
    parser_version: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def failed_checks(self) -> list[str]:
        return [c["rule"] for c in self.checks if not c.get("ok")]
