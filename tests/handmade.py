"""Digits drawn by the tests as a person would: polylines on a 400x400 canvas."""

from __future__ import annotations

import numpy as np

from handwriting_recognizer.core.preprocess import render_strokes
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


# --- numbers: digits drawn in a unit box (x right, y down, 1 tall), written side by side ----------

PEN = 8.0  # the pen numbers are written with, in canvas pixels
HEIGHT = 100.0  # a number's digits are this many canvas pixels tall


def _bowl(cx: float, cy: float, rx: float, ry: float, start: float, end: float) -> np.ndarray:
    return ellipse_arc(cx, cy, rx, ry, start, end, n=32)


UNIT_DIGITS: dict[str, list[np.ndarray]] = {
    "0": [_bowl(0.3, 0.5, 0.28, 0.5, -90, 275)],
    "1": [polyline([(0.34, 0.0), (0.3, 1.0)])],
    "2": [np.vstack([_bowl(0.3, 0.27, 0.28, 0.26, 190, 380), polyline([(0.55, 0.38), (0.02, 1.0), (0.62, 1.0)])])],
    "3": [np.vstack([_bowl(0.3, 0.25, 0.26, 0.24, 200, 450), _bowl(0.3, 0.74, 0.3, 0.26, 270, 520)])],
    # a 4 whose stem is a stroke of its own, crossing the bar
    "4": [polyline([(0.42, 0.0), (0.0, 0.65), (0.62, 0.65)]), polyline([(0.45, 0.25), (0.45, 1.0)])],
    # a 5 whose top bar is lifted apart from its body
    "5": [
        np.vstack([polyline([(0.08, 0.06), (0.05, 0.45)]), _bowl(0.3, 0.68, 0.28, 0.3, 220, 510)]),
        polyline([(0.12, 0.0), (0.58, 0.0)]),
    ],
    "6": [np.vstack([polyline([(0.5, 0.0), (0.15, 0.35), (0.03, 0.7)]), _bowl(0.3, 0.72, 0.27, 0.28, 180, 540)])],
    # a continental 7: its crossbar is a stroke of its own
    "7": [polyline([(0.0, 0.0), (0.6, 0.0), (0.2, 1.0)]), polyline([(0.12, 0.5), (0.52, 0.5)])],
    "8": [_bowl(0.3, 0.25, 0.22, 0.25, 90, 450), _bowl(0.3, 0.74, 0.28, 0.26, -90, 270)],
    "9": [np.vstack([_bowl(0.3, 0.28, 0.26, 0.28, 0, 360), polyline([(0.56, 0.28), (0.5, 1.0)])])],
}


def write(text: str, gap: float = 0.3, x: float = 20.0, baseline: float = 150.0) -> list[np.ndarray]:
    """`text` (digits, '.', '-', ' ' for a wide gap) written left to right on a line: digits
    HEIGHT tall, `gap` heights apart (negative: overlapping), '.' a tap at the baseline, '-' a short
    bar at mid-height."""
    strokes: list[np.ndarray] = []
    for char in text:
        if char == ".":
            strokes.append(np.array([[x, baseline - 2.0]]))
            x += gap * HEIGHT
        elif char == "-":
            strokes.append(polyline([(x, baseline - 0.5 * HEIGHT), (x + 0.4 * HEIGHT, baseline - 0.5 * HEIGHT)]))
            x += (0.4 + gap) * HEIGHT
        elif char == " ":
            x += 1.5 * HEIGHT
        else:
            unit = UNIT_DIGITS[char]
            left = min(float(s[:, 0].min()) for s in unit)
            right = max(float(s[:, 0].max()) for s in unit)
            strokes += [(s - (left, 1.0)) * HEIGHT + (x, baseline) for s in unit]
            x += (right - left + gap) * HEIGHT
    return strokes


NUMBERS = {text.replace(" ", ""): write(text) for text in ("2026", "3.14", "-42", "45", "1975", "8 0", "0.5", "-6.09")}


def x_mark() -> list[np.ndarray]:
    """An X: two strokes crossing in their middles (each alone reads as a 1)."""
    return [polyline([(120, 100), (280, 300)]), polyline([(280, 100), (120, 300)])]


def picture(strokes: list[np.ndarray], shape: tuple[int, int] = (250, 1400)) -> np.ndarray:
    """The strokes drawn dark on white with the numbers' PEN, as a scan of them."""
    return np.rint((1.0 - render_strokes(strokes, shape, PEN)) * 255).astype(np.uint8)
