"""Per-document limits, so one hostile or broken file cannot take a crawl down.

Every limit turns into a :class:`LimitExceeded` with a message a person can
act on; :func:`guarded` turns that (and any other failure of an extractor)
into a :class:`~parsers.model.Document` with ``errors`` filled, so callers
never see an exception for bad input.  What is limited, and how:

- input size: :data:`MAX_INPUT_BYTES`, checked before any parsing;
- zip members (DOCX): read with a hard cap of :data:`MAX_ZIP_MEMBER_BYTES`
  decompressed bytes, whatever the zip header claims (zip bombs);
- XML (DOCX parts): a DTD is refused outright (a DOCX never needs one, and
  entity expansion needs one), entities are never resolved, nothing is
  fetched, and lxml's ``huge_tree`` stays off;
- HTML nesting: libxml2's parser stops at :data:`HTML_MAX_DEPTH` levels
  (``huge_tree`` off); the HTML extractor reports it;
- table size: :data:`MAX_SPAN` for one rowspan/colspan and
  :data:`MAX_TABLE_CELLS` per table grid;
- PDF streams: every Flate stream is inflated once, counted and dropped,
  before a reader decodes it: one stream may inflate to at most
  :data:`MAX_PDF_STREAM_BYTES`, all of them to :data:`MAX_PDF_INFLATED_BYTES`,
  and a picture may declare at most :data:`MAX_IMAGE_PIXELS`
  (``parsers.extract.pdf_streams``);
- wall clock: :class:`Deadline`, checked by extractors between blocks and
  rows, and for PDFs between pages (:data:`PAGE_TIME_SECONDS` a page);
  external converters (LibreOffice) get a subprocess timeout.

What no check inside the process can stop (a reader's C code allocating or
looping) the parse pool stops: each worker has an address-space cap and a
wall-time limit (``parsers.pool``).
"""

from __future__ import annotations

import functools
import time
import zipfile
from collections.abc import Callable
from typing import Any

from lxml import etree

from nianbao.parsers.model import Document

MAX_INPUT_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBER_BYTES = 64 * 1024 * 1024
HTML_MAX_DEPTH = 256  # libxml2's own limit without XML_PARSE_HUGE
MAX_SPAN = 500
MAX_TABLE_CELLS = 200_000
TIME_BUDGET_SECONDS = 60.0
PAGE_TIME_SECONDS = 20.0
MAX_PDF_STREAM_BYTES = 128 * 1024 * 1024  # a 35-megapixel colour scan page inflates to ~105 MB
MAX_PDF_INFLATED_BYTES = 512 * 1024 * 1024
MAX_IMAGE_PIXELS = 100_000_000  # an A3 page scanned at 600 dpi is 70 megapixels
CONVERTER_TIMEOUT_SECONDS = 120.0


class LimitExceeded(Exception):
    """The document is beyond a limit; the message says which."""


class Deadline:
    """A wall-clock budget for one document (or one ``what``); ``check()`` raises once it is spent."""

    def __init__(self, seconds: float = TIME_BUDGET_SECONDS, what: str = "document") -> None:
        self.seconds = seconds
        self.what = what
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise LimitExceeded(f"took longer than the {self.seconds:g} s budget per {self.what}")


def check_input_size(data: bytes) -> None:
    if len(data) > MAX_INPUT_BYTES:
        raise LimitExceeded(f"input is {len(data):,} bytes, over the {MAX_INPUT_BYTES:,}-byte limit")


def read_zip_member(archive: zipfile.ZipFile, name: str, cap: int = MAX_ZIP_MEMBER_BYTES) -> bytes:
    """Read one member, stopping after ``cap`` decompressed bytes (the header's size may lie)."""
    with archive.open(name) as member:
        data = member.read(cap + 1)
    if len(data) > cap:
        raise LimitExceeded(f"zip member {name} decompresses to more than {cap:,} bytes (zip bomb?)")
    return data


_SAFE_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, dtd_validation=False
)


def parse_xml(data: bytes, name: str = "XML") -> etree._Element:
    """Parse untrusted XML: no DTD (so no entity expansion), no network, no huge trees."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
        raise LimitExceeded(f"{name} declares a DTD/entities; refused (entity expansion attack?)")
    try:
        return etree.fromstring(data, _SAFE_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"{name} is not well-formed XML: {exc}") from exc


def guarded(fmt: str) -> Callable[[Callable[..., Document]], Callable[..., Document]]:
    """Wrap an extractor so it checks the input size and never raises for bad input.

    Any failure becomes ``Document(format=fmt, errors=[reason])``; the raw
    bytes are the archive's to keep.
    """

    def wrap(extract: Callable[..., Document]) -> Callable[..., Document]:
        @functools.wraps(extract)
        def safe_extract(data: bytes, *args: Any, **kwargs: Any) -> Document:
            try:
                check_input_size(data)
                return extract(data, *args, **kwargs)
            except LimitExceeded as exc:
                return Document(format=fmt, errors=[f"{fmt}: limit exceeded: {exc}"])
            except RecursionError:
                return Document(format=fmt, errors=[f"{fmt}: document nested too deeply to read"])
            except MemoryError:
                return Document(format=fmt, errors=[f"{fmt}: ran out of memory reading the document"])
            except Exception as exc:
                return Document(format=fmt, errors=[f"{fmt}: could not read the document: {type(exc).__name__}: {exc}"])

        return safe_extract

    return wrap
