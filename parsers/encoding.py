"""Bytes to text for Chinese portal pages, which often lie about their charset.

Order of trust: a byte-order mark; valid UTF-8 (multi-byte GBK text is
practically never valid UTF-8, so a page that decodes cleanly as UTF-8 is
UTF-8 whatever its header says); the charset the server declared; the
page's own ``<meta charset>`` / ``http-equiv``; then charset-normalizer.
A declared charset is only believed when the bytes decode with it (almost)
cleanly, which is how a lying header is caught.  GBK and GB2312 are read as
GB18030, their superset, so rare characters outside GB2312 survive.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Names portals use for the GB family; all read as GB18030.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "csgb2312", "euc-cn", "hz-gb-2312"}
# UTF-32 before UTF-16: the UTF-32 little-endian mark starts with the UTF-16 one.
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_MAX_BAD_RATIO = 0.001  # one bad byte in a thousand characters is damage, not a wrong charset
_DETECT_SAMPLE = 256 * 1024


def normalize_charset(name: str | None) -> str | None:
    """The Python codec for a declared charset name, or None if unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return "gb18030" if codec in _GB_FAMILY else codec


def bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def meta_charset(data: bytes) -> str | None:
    """The charset named by ``<meta charset>`` or ``<meta http-equiv=Content-Type>`` in the head."""
    match = _META_CHARSET.search(data[:8192])
    return match.group(1).decode("ascii") if match else None


def decodes_cleanly(data: bytes, encoding: str) -> str | None:
    """The text if ``data`` decodes with at most a trace of errors, else None."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    text = data.decode(encoding, errors="replace")
    return text if text.count("\ufffd") <= _MAX_BAD_RATIO * max(len(text), 1) else None


def _guess(data: bytes) -> str:
    """charset-normalizer's guess, but GB18030 (the portals' legacy encoding) whenever it fits.

    On short Chinese texts the detector sometimes names Big5 or a Japanese
    code page; mainland portals use the GB family, so that wins if the bytes
    decode with it.
    """
    best = from_bytes(data[:_DETECT_SAMPLE]).best()
    guess = normalize_charset(best.encoding) if best else None
    if guess in ("gb18030", "utf-8"):
        return guess
    if decodes_cleanly(data, "gb18030") is not None or not guess:
        return "gb18030"
    return guess


def decode_bytes(data: bytes, *declared: str | None) -> tuple[str, str]:
    """Decode ``data`` trying the given declared charsets in order; returns (text, encoding)."""
    bom = bom_encoding(data)
    if bom:
        return data.decode(bom, errors="replace"), bom
    candidates = ["utf-8", *(normalize_charset(d) for d in declared)]
    for encoding in dict.fromkeys(c for c in candidates if c):
        text = decodes_cleanly(data, encoding)
        if text is not None:
            return text, encoding
    encoding = _guess(data)
    return data.decode(encoding, errors="replace"), encoding


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode an HTML page; ``declared`` is the HTTP Content-Type charset, if any."""
    return decode_bytes(data, declared, meta_charset(data))
