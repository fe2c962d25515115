"""Test scans: a PDF printed, scanned and saved as an image-only PDF, as county offices publish them.

Pages are rendered at the scanner's resolution, turned a little (paper is
never fed straight), given sensor noise and JPEG compression, and written
as a PDF holding one picture per page and no text layer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
from PIL import Image


@dataclass(frozen=True)
class ScanSettings:
    dpi: int = 200
    degrees: float = 0.0  # counter-clockwise turn of the paper
    noise: float = 0.0  # standard deviation of the grey-level noise (0-255)
    jpeg_quality: int = 90
    seed: int = 0

    @property
    def name(self) -> str:
        return f"{self.dpi}dpi-{self.degrees:+.1f}deg-noise{self.noise:g}-q{self.jpeg_quality}"


def page_images(pdf: bytes, settings: ScanSettings) -> list[Image.Image]:
    """Each page as the scanner saw it (grayscale)."""
    rng = np.random.default_rng(settings.seed)
    document = pdfium.PdfDocument(pdf)
    images = []
    for page in document:
        image = page.render(scale=settings.dpi / 72.0, grayscale=True).to_pil().convert("L")
        if settings.degrees:
            image = image.rotate(settings.degrees, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
        if settings.noise:
            pixels = np.asarray(image, dtype=np.float32) + rng.normal(0.0, settings.noise, (image.height, image.width))
            image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        images.append(image)
    document.close()
    return images


def image_pdf(images: list[Image.Image], settings: ScanSettings) -> bytes:
    """The pictures as a PDF of JPEG pages, nothing else on them."""
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=float(settings.dpi),
                   quality=settings.jpeg_quality)
    return out.getvalue()


def scan(pdf: bytes, settings: ScanSettings) -> bytes:
    """``pdf`` printed and scanned: an image-only PDF."""
    return image_pdf(page_images(pdf, settings), settings)


def table_pictures(pdf: bytes, dpi: int = 120, margin: float = 4.0) -> list[bytes]:
    """Each ruled table of each page cut out as a PNG, as a web editor pastes tables as pictures
    (a table split over two pages gives two pictures)."""
    from nianbao.parsers.extract.pdf_pdfium import PdfiumSource
    from nianbao.parsers.extract.pdf_rules import table_cells

    source = PdfiumSource(pdf)
    document = pdfium.PdfDocument(pdf)
    pictures = []
    scale = dpi / 72.0
    for number in range(source.page_count):
        page_image = document[number].render(scale=scale).to_pil().convert("RGB")
        for cells in table_cells(source.page(number)):
            x0 = min(c[0] for c in cells) - margin
            top = min(c[1] for c in cells) - margin
            x1 = max(c[2] for c in cells) + margin
            bottom = max(c[3] for c in cells) + margin
            out = io.BytesIO()
            page_image.crop((round(x0 * scale), round(top * scale), round(x1 * scale), round(bottom * scale))).save(
                out, "PNG")
            pictures.append(out.getvalue())
    source.close()
    document.close()
    return pictures


def cell_accuracy(expected: dict, read: dict) -> float:
    """The share of the printed figures read with their printed value (a figure not read counts as wrong)."""
    printed = {k: v for k, v in expected.items() if v is not None}
    return sum(1 for k, v in printed.items() if read.get(k) == v) / max(1, len(printed))
