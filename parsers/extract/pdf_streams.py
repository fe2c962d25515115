"""Refuse a PDF whose streams inflate beyond reason, before any PDF reader decodes them.

PDFium and pdfminer inflate a page's content streams whole, in memory, with
no limit: a 1 MB file whose stream is Flate-compressed zeros inflates to
1 GiB (and takes more than twice that while it is read).  This check
inflates every Flate stream of the file once, in 1 MiB pieces that are
counted and dropped, and stops at the first stream beyond
:data:`~nianbao.parsers.limits.MAX_PDF_STREAM_BYTES` or once the streams
together pass :data:`~nianbao.parsers.limits.MAX_PDF_INFLATED_BYTES`; a
picture's declared size is held to
:data:`~nianbao.parsers.limits.MAX_IMAGE_PIXELS`.  Streams are found by
their ``stream`` keyword (a hostile file can hide one from a scan like this
one, e.g. in a way only a lenient reader accepts: the parse worker's memory
cap, ``parsers.pool``, is the backstop).
"""

from __future__ import annotations

import re
import zlib

from nianbao.parsers.limits import (
    MAX_IMAGE_PIXELS,
    MAX_PDF_INFLATED_BYTES,
    MAX_PDF_STREAM_BYTES,
    Deadline,
    LimitExceeded,
)

PIECE = 1 << 20
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_WIDTH = re.compile(rb"/Width\s+(\d{1,12})\b")
_HEIGHT = re.compile(rb"/Height\s+(\d{1,12})\b")
DICTIONARY_REACH = 4096  # how far before ``stream`` its dictionary is looked for


def inflated_size(data: memoryview, cap: int) -> int:
    """Bytes the zlib stream at the start of ``data`` inflates to, counting at most just past ``cap``.

    0 for data that is not zlib (another filter, or none); a truncated or corrupt stream counts what
    inflated before the damage, as lenient readers decode it."""
    inflater = zlib.decompressobj()
    size, offset = 0, 0
    try:
        while not inflater.eof and size <= cap:
            if inflater.unconsumed_tail:
                size += len(inflater.decompress(inflater.unconsumed_tail, PIECE))
            elif offset < len(data):
                size += len(inflater.decompress(data[offset:offset + PIECE], PIECE))
                offset += PIECE
            else:
                break
    except zlib.error:
        pass
    return size


def _check_picture(dictionary: bytes, where: str) -> None:
    width, height = _WIDTH.search(dictionary), _HEIGHT.search(dictionary)
    if width and height and int(width.group(1)) * int(height.group(1)) > MAX_IMAGE_PIXELS:
        raise LimitExceeded(f"a picture {where} is {int(width.group(1)):,} × {int(height.group(1)):,} pixels, "
                            f"over the {MAX_IMAGE_PIXELS:,}-pixel limit (decompression bomb?)")


def check_streams(data: bytes, deadline: Deadline | None = None) -> None:
    """Raise :class:`LimitExceeded` when a stream or all of them inflate past the limits."""
    view = memoryview(data)
    total = 0
    for match in _STREAM.finditer(data):
        where = f"at byte {match.start():,}"
        dictionary = data[max(0, match.start() - DICTIONARY_REACH):match.start()]
        dictionary = dictionary[dictionary.rfind(b"obj") + 1:]  # from the object's start, when in reach
        if _IMAGE.search(dictionary):
            _check_picture(dictionary, where)
        size = inflated_size(view[match.end():], MAX_PDF_STREAM_BYTES)
        if size > MAX_PDF_STREAM_BYTES:
            raise LimitExceeded(f"a stream {where} inflates to more than {MAX_PDF_STREAM_BYTES:,} bytes "
                                f"(decompression bomb?)")
        total += size
        if total > MAX_PDF_INFLATED_BYTES:
            raise LimitExceeded(f"its streams inflate to more than {MAX_PDF_INFLATED_BYTES:,} bytes together "
                                f"(decompression bomb?)")
        if deadline:
            deadline.check()
