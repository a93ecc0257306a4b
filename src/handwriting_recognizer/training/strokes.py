"""Pen-level changes to a drawing's strokes: how the same digit comes out of different hands and pens.

Each function takes strokes (a list of (n, 2) float arrays, x right, y down, any units) and a numpy
Generator, and returns new strokes; none changes its input. They are used to augment real pen
digits before they are rendered through the app's own pipeline (core.preprocess.strokes_to_input),
to make the writing styles people use (training.styles) and to make things that are not digits
(training.negatives). Pure numpy: no TensorFlow, no Qt.
"""

from __future__ import annotations

import numpy as np

Strokes = list[np.ndarray]


def bounds(strokes: Strokes) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest (x, y) of all points."""
    points = np.concatenate(strokes)
    return points.min(axis=0), points.max(axis=0)


def extent(strokes: Strokes) -> float:
    """The longer side of the strokes' bounding box (at least a tiny positive number)."""
    lo, hi = bounds(strokes)
    return max(float((hi - lo).max()), 1e-6)


def travel(stroke: np.ndarray) -> np.ndarray:
    """The distance travelled along `stroke` up to each of its points (starts at 0)."""
    return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(stroke, axis=0).T))])


def resample(stroke: np.ndarray, step: float) -> np.ndarray:
    """Points every `step` along the stroke (the first and last kept): tablet, mouse and touch
    sample at different densities."""
    along = travel(stroke)
    if len(stroke) < 2 or along[-1] <= step:
        return stroke.copy()
    at = np.append(np.arange(0.0, along[-1], step), along[-1])
    return np.stack([np.interp(at, along, stroke[:, 0]), np.interp(at, along, stroke[:, 1])], axis=1)


def affine(strokes: Strokes, matrix: np.ndarray) -> Strokes:
    """The strokes through a 2x2 linear map about their centre."""
    lo, hi = bounds(strokes)
    centre = (lo + hi) / 2
    return [(s - centre) @ matrix.T + centre for s in strokes]


def slant_rotate_stretch(
    strokes: Strokes, rng: np.random.Generator, rotation: float, shear: float, stretch: float
) -> Strokes:
    """A random rotation (+-`rotation` degrees), slant (+-`shear`) and width change (x1/(1+-`stretch`))."""
    angle = np.deg2rad(rng.uniform(-rotation, rotation))
    cos, sin = np.cos(angle), np.sin(angle)
    rotate = np.array([[cos, -sin], [sin, cos]])
    slant = np.array([[1.0, rng.uniform(-shear, shear)], [0.0, 1.0]])
    widen = np.diag([np.exp(rng.uniform(-stretch, stretch)), 1.0])
    return affine(strokes, rotate @ slant @ widen)


def jitter(strokes: Strokes, rng: np.random.Generator, amount: float) -> Strokes:
    """Smooth random wobble of up to about `amount` of the drawing's size: an unsteady hand or mouse."""
    size = extent(strokes)
    out = []
    for s in strokes:
        noise = rng.normal(0.0, amount * size, s.shape)
        if len(s) > 4:  # a moving average keeps the wobble smooth, as a hand's is
            kernel = np.ones(3) / 3
            noise = np.stack([np.convolve(noise[:, i], kernel, mode="same") for i in range(2)], axis=1)
        out.append(s + noise)
    return out


def straighten(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """Each stroke as a few straight segments through points along it: a 7 or 4 dragged with a mouse
    in long straight moves."""
    out = []
    for s in strokes:
        keep = max(2, min(len(s), int(rng.integers(4, 9))))
        at = np.linspace(0, len(s) - 1, keep).round().astype(int)
        out.append(s[at])
    return out


def lift_pen(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """One stroke broken in two with a small gap, where people lift the pen (a corner of a 4, 5 or 7)."""
    candidates = [i for i, s in enumerate(strokes) if len(s) >= 8]
    if not candidates:
        return [s.copy() for s in strokes]
    i = int(rng.choice(candidates))
    s = strokes[i]
    cut = int(rng.integers(len(s) // 4, 3 * len(s) // 4))
    gap = int(rng.integers(0, 3))
    return [*strokes[:i], s[: cut + 1], s[cut + 1 + gap :], *strokes[i + 1 :]]


def prefix(strokes: Strokes, fraction: float) -> Strokes:
    """The first `fraction` of the ink's travel, in drawing order: a digit half drawn."""
    lengths = [float(travel(s)[-1]) for s in strokes]
    budget = fraction * sum(lengths)
    out = []
    for s, length in zip(strokes, lengths, strict=True):
        if budget <= 0:
            break
        if length <= budget:
            out.append(s.copy())
        else:
            along = travel(s)
            keep = int(np.searchsorted(along, budget)) + 1
            out.append(s[: max(2, keep)].copy())
        budget -= length
    return out


def side_by_side(left: Strokes, right: Strokes, rng: np.random.Generator) -> Strokes:
    """Two drawings written next to each other at the same height, with a natural gap: a number."""
    size = max(extent(left), extent(right))
    left = [s / size for s in left]
    right = [s / size for s in right]
    llo, lhi = bounds(left)
    rlo, rhi = bounds(right)
    gap = rng.uniform(0.05, 0.5)
    shift = np.array([lhi[0] + gap - rlo[0], (llo[1] + lhi[1]) / 2 - (rlo[1] + rhi[1]) / 2 + rng.normal(0, 0.05)])
    return [*left, *(s + shift for s in right)]


def augment(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A real pen digit as another hand and device might have drawn it: resampled at another
    density, slanted, rotated, wider or narrower, wobbly, sometimes in straight mouse moves or with
    the pen lifted at a corner. Size and position need nothing: preprocessing normalises them."""
    size = extent(strokes)
    out = [resample(s, size * rng.uniform(0.01, 0.08)) for s in strokes]
    out = slant_rotate_stretch(out, rng, rotation=12.0, shear=0.3, stretch=0.2)
    if rng.random() < 0.5:
        out = jitter(out, rng, rng.uniform(0.0, 0.015))
    if rng.random() < 0.1:
        out = straighten(out, rng)
    if rng.random() < 0.15:
        out = lift_pen(out, rng)
    return out
