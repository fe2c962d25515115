"""RapidOCR (PP-OCRv4 detection and recognition, ONNX models inside the wheel) as characters with boxes.

The engine is loaded once per process and runs on one thread: the parse
worker pool gives each worker a core.  Every recognised character comes
back with its own box and the recogniser's confidence, so characters go to
table cells one by one, as a PDF's text layer does.  Lines the recogniser
is unsure of are kept (:data:`KEEP_SCORE`), never dropped: a blank cell
would read as "not printed", a doubtful one is shown for a person to check.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

Char = dict[str, Any]

KEEP_SCORE = 0.1  # RapidOCR drops lines scoring below 0.5 by default
MAX_SIDE = 4000  # pixels: a 200 dpi A3 page is read at full resolution


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, max_side_len=MAX_SIDE, text_score=KEEP_SCORE)


def _box(points: list[list[float]], scale: float) -> tuple[float, float, float, float]:
    """x0, top, x1, bottom in points of a box given as corner pixels."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs) / scale, min(ys) / scale, max(xs) / scale, max(ys) / scale


def read_chars(image: np.ndarray, dpi: float) -> list[Char]:
    """Every character (or Latin word, or run of digits) on a grayscale image, boxes in points."""
    scale = dpi / 72.0
    result, _ = _engine()(image, use_cls=False, return_word_box=True, text_score=KEEP_SCORE)
    chars: list[Char] = []
    for line_box, text, score, word_boxes, words, word_scores in result or []:
        _, line_top, _, line_bottom = _box(line_box, scale)
        size = line_bottom - line_top  # the detected line's height stands for the font size
        if len(words) != len(word_boxes) or not words:  # no usable word boxes: the line as one piece
            word_boxes, words, word_scores = [line_box], [text], [score]
        for points, word, word_score in zip(word_boxes, words, word_scores):
            x0, top, x1, bottom = _box(points, scale)
            chars.append({"text": word, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "size": size,
                          "confidence": round(float(min(score, word_score)), 3)})
    return chars
