"""Report parsers: bytes of any supported format in, canonical figures out.

Pure functions: no network, no database.  Entry point: :func:`parse_bytes`.

The entry points are loaded on first use (PEP 562), so a process that needs
only :mod:`.model`, :mod:`.sniff` or :mod:`.pool` (``nianbao reparse``'s main
process hands documents to workers) does not import every parser (~0.3 s).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nianbao.parsers.api import PARSER_VERSION, parse_bytes, parse_path

__all__ = ["PARSER_VERSION", "parse_bytes", "parse_path"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("nianbao.parsers.api"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
