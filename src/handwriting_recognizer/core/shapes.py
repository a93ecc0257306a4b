"""Strokes drawn by program as a hand would draw them: the self-test's built-in digits and the tests'
drawings share these, so both feed the recognizer the same kind of input as the app's canvas."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def polyline(points: ArrayLike, n: int = 12) -> np.ndarray:
    """A stroke through `points` (x, y), sampled like mouse moves: n points per segment."""
    pts = np.asarray(points, np.float64)
    steps = np.linspace(0, 1, n, endpoint=False)[:, None]
    parts = [a + (b - a) * steps for a, b in zip(pts[:-1], pts[1:], strict=True)]
    return np.vstack([*parts, pts[-1:]])


def ellipse_arc(
    cx: float, cy: float, rx: float, ry: float, start_deg: float, end_deg: float, n: int = 48
) -> np.ndarray:
    """A stroke along the ellipse centred on (cx, cy) with radii rx, ry, from `start_deg` to `end_deg`
    (0 is to the right, 90 down: canvas y grows downwards), in n points."""
    t = np.radians(np.linspace(start_deg, end_deg, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)
