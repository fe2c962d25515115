"""WPS documents (Kingsoft WPS, Microsoft Works): read like DOC, through LibreOffice."""

from __future__ import annotations

from nianbao.parsers.extract.doc import read_legacy
from nianbao.parsers.limits import guarded
from nianbao.parsers.model import Document


@guarded("wps")
def extract(data: bytes) -> Document:
    return read_legacy(data, "wps")
