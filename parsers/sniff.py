"""Which format a document is, from its bytes alone.

Portals serve DOC files named ``.pdf``, HTML error pages as ``.docx`` and
everything as ``application/octet-stream``, so neither the extension nor
the Content-Type is trusted.  Results: ``"html"``, ``"pdf"``, ``"docx"``,
``"doc"``, ``"wps"``, ``"text"``, ``"zip"`` (a zip that is not a DOCX),
``"image"``, ``"empty"``, ``"unknown"``.

An RTF file (Word's "save as RTF", often published with a ``.doc`` name) is
reported as ``"doc"``: the DOC extractor's converter reads it.
"""

from __future__ import annotations

import io
import re
import zipfile

import olefile

from nianbao.parsers.encoding import bom_encoding

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
_HTML_START = re.compile(
    rb"^(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html|head|body|meta|title|div|table|p|span|style"
    rb"|script|link|center|font|h[1-6]|br|b|strong)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_HTML_ANYWHERE = re.compile(rb"<(?:html|body|table)[\s>]", re.IGNORECASE)
_TEXT_SAMPLE = 64 * 1024
_MAX_BAD_TEXT_RATIO = 0.01
_WPS_APPLICATIONS = (b"wps", b"kingsoft")  # SummaryInformation "creating application" of Kingsoft WPS


def sniff_format(data: bytes) -> str:
    """The format of ``data``, judged only from its content."""
    head = data[:8192]
    if not data.strip():
        return "empty"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if head.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if head.startswith(b"{\\rtf"):
        return "doc"
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    sample = _as_utf8(data[:_TEXT_SAMPLE])
    if _looks_like_html(sample[:8192]):
        return "html"
    if _looks_like_text(sample):
        return "text"
    return "unknown"


def _as_utf8(sample: bytes) -> bytes:
    """UTF-16 or UTF-32 text with a byte-order mark, re-encoded as UTF-8 so the HTML and text checks read it."""
    encoding = bom_encoding(sample)
    if encoding in ("utf-16", "utf-32"):
        return sample.decode(encoding, "replace").encode("utf-8")
    return sample


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        # A truncated DOCX still names its parts in the first local headers.
        return "docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:200] else "zip"
    return "docx" if "word/document.xml" in names else "zip"


def _ole_kind(data: bytes) -> str:
    """DOC and WPS are both OLE containers; Kingsoft names itself in the summary information."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir()}
            application = (ole.get_metadata().creating_application or b"").lower()
    except Exception:
        return "doc"
    if "WordDocument" in streams:
        return "wps" if any(name in application for name in _WPS_APPLICATIONS) else "doc"
    if "CONTENTS" in streams:  # Microsoft Works word processor
        return "wps"
    return "unknown"


def _looks_like_html(head: bytes) -> bool:
    head = head.removeprefix(b"\xef\xbb\xbf")
    return bool(_HTML_START.match(head) or _HTML_ANYWHERE.search(head[:4096]))


def _looks_like_text(sample: bytes) -> bool:
    """Readable as UTF-8 or GB18030 with almost no damage or control characters."""
    for encoding in ("utf-8", "gb18030"):
        text = sample.decode(encoding, errors="replace")
        bad = sum(1 for ch in text if ch == "\ufffd" or (ch < " " and ch not in "\t\n\r\f"))
        # The sample may end inside a multi-byte character: allow a few bad ones at the cut.
        if bad <= _MAX_BAD_TEXT_RATIO * len(text) + 3:
            return True
    return False
