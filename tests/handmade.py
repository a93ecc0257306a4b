"""Digits drawn by the tests as a person would: polylines on a 400x400 canvas."""

from __future__ import annotations

import numpy as np

from handwriting_recognizer.core.shapes import ellipse_arc, polyline

CANVAS = 400


def _slant(stroke: np.ndarray, slant: float) -> np.ndarray:
    """Lean the top of the stroke right by `slant` (x shifts by slant * height above the middle)."""
    return stroke + np.stack([slant * (200 - stroke[:, 1]), np.zeros(len(stroke))], axis=1)


def zero(scale: float = 1.0, dx: float = 0.0, dy: float = 0.0) -> list[np.ndarray]:
    return [ellipse_arc(200, 200, 70, 110, -90, 275) * scale + (dx, dy)]


def one(scale: float = 1.0, dx: float = 0.0, dy: float = 0.0) -> list[np.ndarray]:
    return [polyline([(205, 90), (195, 310)]) * scale + (dx, dy)]


def seven(scale: float = 1.0, dx: float = 0.0, dy: float = 0.0) -> list[np.ndarray]:
    return [polyline([(120, 100), (280, 100), (180, 320)]) * scale + (dx, dy)]


def crossed_seven(scale: float = 1.0, dx: float = 0.0, dy: float = 0.0, slant: float = 0.0) -> list[np.ndarray]:
    """A continental 7: with a bar across its stem."""
    strokes = [polyline([(120, 100), (280, 100), (180, 320)]), polyline([(165, 210), (265, 210)])]
    return [_slant(s, slant) * scale + (dx, dy) for s in strokes]


def european_one(scale: float = 1.0, dx: float = 0.0, dy: float = 0.0, flag: float = 1.0) -> list[np.ndarray]:
    """A continental 1: a long flag up to the top of the stem."""
    return [polyline([(200 - 80 * flag, 170 + 20 * flag), (215, 90), (200, 320)]) * scale + (dx, dy)]


DIGITS = {0: zero, 1: one, 7: seven}
