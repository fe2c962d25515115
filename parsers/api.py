"""The parsers' public entry points."""

from __future__ import annotations

import hashlib
from pathlib import Path

from parsers.model import ParseResult

PARSER_VERSION = "0.1.0"


def parse_bytes(data: bytes, path: str | None = None) -> ParseResult:
    """Parse one document; never raises for bad input (errors go into ``errors``)."""
    result = ParseResult(path=path, sha256=hashlib.sha256(data).hexdigest(), parser_version=PARSER_VERSION)
    result.errors.append("parser not implemented yet")
    return result


def parse_path(path: str | Path) -> ParseResult:
    p = Path(path)
    return parse_bytes(p.read_bytes(), path=str(path))
