"""Report parsers: bytes of any supported format in, canonical figures out.

Pure functions: no network, no database.  Entry point: :func:`parse_bytes`.
"""

from nianbao.parsers.api import PARSER_VERSION, parse_bytes, parse_path

__all__ = ["PARSER_VERSION", "parse_bytes", "parse_path"]
