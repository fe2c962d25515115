"""Page images: decoded to grayscale and straightened, so table rules run along the pixel axes.

A scan is rarely square to the page.  The skew is the angle at which the
rows of ink line up best: the horizontal projection of a straight page has
sharp peaks (text lines, rules) and deep valleys, so its variance is
largest.  Angles are tried on a reduced copy, coarse then fine.
"""

from __future__ import annotations

import cv2
import numpy as np

MAX_SKEW_DEGREES = 5.0
COARSE_STEP = 0.5
FINE_STEP = 0.05
SEARCH_WIDTH = 600  # pixels: the reduced copy the angle is searched on
MIN_SKEW_DEGREES = 0.05  # below this the page is left as it is


def decode(data: bytes) -> np.ndarray:
    """PNG, JPEG, TIFF, BMP ... bytes into a grayscale array; ValueError if the bytes are not an image."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError("not an image OpenCV can decode")
    return image


def rotate(image: np.ndarray, degrees: float, fill: int = 255) -> np.ndarray:
    """The image turned ``degrees`` counter-clockwise about its centre, the corners filled with ``fill``."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)


def _sharpness(ink: np.ndarray, degrees: float) -> float:
    return float(np.var(rotate(ink, degrees, fill=0).sum(axis=1, dtype=np.float64)))


def skew(image: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise) that straightens the page."""
    scale = min(1.0, SEARCH_WIDTH / image.shape[1])
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)

    def best(centre: float, half: float, step: float) -> float:
        angles = np.arange(centre - half, centre + half + step / 2, step)
        return float(max(angles, key=lambda a: _sharpness(ink, float(a))))

    coarse = best(0.0, MAX_SKEW_DEGREES, COARSE_STEP)
    return best(coarse, COARSE_STEP, FINE_STEP)


def straighten(image: np.ndarray) -> np.ndarray:
    """The page deskewed (unchanged when it is already straight)."""
    angle = skew(image)
    return image if abs(angle) < MIN_SKEW_DEGREES else rotate(image, angle)
