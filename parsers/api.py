"""The parsers' public entry points: bytes or a path in, a ParseResult out, never an exception."""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path

from nianbao.parsers.model import Document, ParseResult, Picture
from nianbao.parsers.ocr import MISSING, available
from nianbao.parsers.report import build_report
from nianbao.parsers.sniff import sniff_format

PARSER_VERSION = "0.2.0"

# Formats sniffed from the bytes that no extractor reads, and what to tell the user.
UNREADABLE = {
    "empty": "empty file: there are no bytes to parse",
    "unknown": "not a format nianbao reads (HTML, PDF, DOCX, DOC/WPS/RTF or plain text)",
    "zip": "a zip archive that is not a Word document (DOCX)",
}


def extract_document(data: bytes, ocr: bool = True) -> Document:
    """Sniff the format from the bytes and run its extractor; with ``ocr`` (and the OCR extra installed),
    pictures the extractor marked as the report's tables, and a report that is one picture, are read by OCR."""
    fmt = sniff_format(data)
    if fmt == "image":
        doc = Document(format=fmt, needs_ocr=True, pictures=[Picture(0, data)])
    elif fmt in UNREADABLE:
        return Document(format=fmt, errors=[UNREADABLE[fmt]])
    else:
        name = f"{__package__}.extract.{fmt}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise  # a dependency of the extractor is missing: say so, do not call it an unknown format
            return Document(format=fmt, errors=[f"no extractor for format '{fmt}' yet"])
        doc = module.extract(data)
        doc.format = fmt
    if ocr and doc.needs_ocr and doc.pictures:
        _read_pictures(doc)
    return doc


def _read_pictures(doc: Document) -> None:
    if not available():
        doc.errors.append(f"{doc.format}: the report is a scan or its tables are pictures; {MISSING}")
        return
    from nianbao.parsers.ocr.pictures import read_table_pictures

    read_table_pictures(doc)


def parse_bytes(data: bytes, path: str | None = None) -> ParseResult:
    """Parse one document; never raises for bad input (errors go into ``errors``)."""
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        result = build_report(extract_document(data))
    except Exception as exc:
        result = ParseResult(format="", errors=[f"parser failed: {type(exc).__name__}: {exc}"])
    result.path, result.sha256, result.parser_version = path, sha256, PARSER_VERSION
    return result


def parse_path(path: str | Path) -> ParseResult:
    p = Path(path)
    return parse_bytes(p.read_bytes(), path=str(path))
