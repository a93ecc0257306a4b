"""A drawing as its pen path: what the stroke model reads beside the image model (core/recognizer.py).

Pure numpy, one implementation for the app and training. The pen-down path is resampled to POINTS
points evenly spaced along it, strokes in drawing order; the drawing's box is centred and its longer
side scaled to [-1, 1], so size and place do not matter, as for the image. Per point: x, y, the step
to it (scaled to about the size of the positions), whether the pen was lifted before it, and the
step's direction. A change to what this module makes needs a new contract.TRAJECTORY_VERSION.
"""

from __future__ import annotations

import numpy as np

from handwriting_recognizer.core.contract import TRAJECTORY_SHAPE
from handwriting_recognizer.core.preprocess import Strokes

POINTS, FEATURES = TRAJECTORY_SHAPE  # points along the pen path; x, y, dx, dy, lifted, cos, sin
STEP_SCALE = POINTS / 8  # the steps scaled to about the size of the positions
AIR_STEP = 1e-4  # how far the pen in the air travels along the path: almost nothing


def trajectory(strokes: Strokes) -> np.ndarray:
    """The strokes (x, y points) as POINTS points evenly spaced along their pen-down path, float32
    (POINTS, FEATURES); zeros for no points. Points must be finite (the readers check)."""
    kept = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes if len(s)]
    out = np.zeros(TRAJECTORY_SHAPE, np.float32)
    if not kept:
        return out
    ink = np.concatenate(kept)
    lo, hi = ink.min(axis=0), ink.max(axis=0)
    points = (ink - (lo + hi) / 2) / max(float((hi - lo).max()) / 2, 1e-6)
    stroke = np.repeat(np.arange(len(kept)), [len(s) for s in kept])
    new_stroke = stroke[1:] != stroke[:-1]
    step = np.empty(len(points))
    step[0] = 0.0
    step[1:] = np.where(new_stroke, AIR_STEP, np.hypot(*(points[1:] - points[:-1]).T))
    along = np.cumsum(step)
    at = np.arange(POINTS) * (along[-1] / (POINTS - 1))
    j = np.minimum(np.searchsorted(along, at, side="right") - 1, len(along) - 1)
    k = np.minimum(j + 1, len(along) - 1)
    share = (at - along[j]) / np.maximum(along[k] - along[j], 1e-12)
    share = np.where(stroke[k] == stroke[j], np.minimum(np.maximum(share, 0.0), 1.0), 0.0)[:, None]
    xy = points[j] * (1 - share) + points[k] * share
    d = np.zeros_like(xy)
    d[1:] = xy[1:] - xy[:-1]
    length = np.hypot(*d.T)[:, None]
    out[:, 0:2] = xy
    out[:, 2:4] = d * STEP_SCALE
    out[1:, 4] = stroke[j[1:]] != stroke[j[:-1]]
    out[:, 5:7] = np.where(length > 1e-9, d / np.maximum(length, 1e-9), 0.0)
    return out
