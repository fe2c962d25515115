"""A page image into the page content the PDF extractor builds from a text layer.

The image is straightened, its rules found and its characters recognised;
they fill a :class:`~parsers.extract.pdf_source.PageData` in points, and
:func:`~parsers.extract.pdf_page.read_page` does the rest: characters go to
the ruled cell holding their middle, the rest becomes running text.
"""

from __future__ import annotations

import numpy as np

from nianbao.parsers.extract.pdf_page import PageContent, read_page
from nianbao.parsers.extract.pdf_source import PageData
from nianbao.parsers.ocr.engine import read_chars
from nianbao.parsers.ocr.image import straighten
from nianbao.parsers.ocr.rules import ruling_lines


def read_image(image: np.ndarray, number: int, dpi: float) -> PageContent:
    """Page ``number`` (1-based) from a grayscale image scanned or rendered at ``dpi``."""
    image = straighten(image)
    height, width = image.shape[:2]
    data = PageData(width * 72.0 / dpi, height * 72.0 / dpi, chars=read_chars(image, dpi),
                    lines=ruling_lines(image, dpi), image_shares=[1.0])
    content = read_page(data, number)
    content.ocr = True
    return content
