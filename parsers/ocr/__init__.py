"""Offline OCR of scanned pages and table pictures (the optional ``nianbao[ocr]`` extra).

A page image is straightened (:mod:`.image`), its table rules found
(:mod:`.rules`) and its text read by RapidOCR's bundled PP-OCR models
(:mod:`.engine`); :mod:`.page` turns both into the same page data a PDF's
text layer gives, so tables, merged cells, split pages, mapping and checks
are the PDF path's own.  Without the extra, :func:`available` is False and
scans stay flagged ``needs_ocr`` with :data:`MISSING` as the reason.
"""

from __future__ import annotations

import importlib.util

# A figure read with less confidence than this is shown for a person to check against the page image.
LOW_CONFIDENCE = 0.8
MISSING = "OCR is not installed: pip install 'nianbao[ocr]' to read scanned pages and table pictures"


def available() -> bool:
    """Whether the OCR engine and its image libraries are installed."""
    return all(importlib.util.find_spec(name) is not None for name in ("rapidocr_onnxruntime", "cv2", "numpy"))
