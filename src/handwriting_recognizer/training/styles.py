"""The ways people write some digits that MNIST rarely shows, made from a real pen digit of that class.

MNIST's writers (American census staff and students) rarely slash zeros, cross sevens or put a
flag on a one; many other writers always do. Each style here adds to, or rearranges, the strokes
of a real pen-written digit, so the result keeps its writer's hand: training applies them to the
training writers' digits, the benchmark (benchmarks/real_writing.py) to held-out writers' digits.

| style | made from | what changes |
|---|---|---|
| slashed zero | a 0 | a stroke through it, lower left to upper right |
| flagged one | a 1 | an up-stroke (flag) into its top, sometimes a foot |
| crossed seven | a 7 | a short bar across its stem |
| open four | (drawn) | the two strokes of a 4 whose arms do not meet at the top |
| detached five | a 5 of 2+ strokes | its top bar lifted above and right of the body |
| cursive nine | (drawn) | a loop and a tail that curls left |
| straight seven | (drawn) | a 7 of two or three straight strokes |

Open fours, cursive nines and straight sevens are drawn from a few random control points, since
they cannot be made by adding a stroke to another 4, 9 or 7.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from handwriting_recognizer.training.strokes import Strokes, bounds, jitter, resample, slant_rotate_stretch

POINT_STEP = 0.02  # drawn strokes get a point every 2% of the digit's height


def _line(a: tuple[float, float], b: tuple[float, float], rng: np.random.Generator, bow: float = 0.03) -> np.ndarray:
    """A hand-drawn straight line from a to b: slightly bowed, points every POINT_STEP."""
    a_, b_ = np.asarray(a, float), np.asarray(b, float)
    n = max(3, int(np.hypot(*(b_ - a_)) / POINT_STEP))
    t = np.linspace(0, 1, n)[:, None]
    normal = np.array([-(b_ - a_)[1], (b_ - a_)[0]])
    return a_ + t * (b_ - a_) + np.sin(np.pi * t) * rng.uniform(-bow, bow) * normal


def _curve(points: list[tuple[float, float]]) -> np.ndarray:
    """A smooth stroke through control points (Catmull-Rom), points about every POINT_STEP."""
    p = np.asarray(points, float)
    p = np.vstack([p[0], p, p[-1]])
    out = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        n = max(2, int(np.hypot(*(p2 - p1)) / POINT_STEP))
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        out.append(
            0.5
            * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3)
        )
    out.append(p[-2][None])
    return np.concatenate(out)


def _unit(strokes: Strokes) -> tuple[Strokes, float, np.ndarray]:
    """The strokes scaled to height 1 with the top left at 0, and how to undo that."""
    lo, hi = bounds(strokes)
    height = max(float(hi[1] - lo[1]), 1e-6)
    return [(s - lo) / height for s in strokes], height, lo


def slashed_zero(zero: Strokes, rng: np.random.Generator) -> Strokes:
    lo, hi = bounds(zero)
    w, h = hi - lo
    over = rng.uniform(-0.05, 0.25, 2)
    start = (lo[0] - over[0] * w + rng.uniform(0, 0.2) * w, hi[1] + over[1] * h)
    end = (hi[0] + over[1] * w - rng.uniform(0, 0.2) * w, lo[1] - over[0] * h)
    if rng.random() < 0.3:  # some slash the other way
        start, end = (start[0], end[1]), (end[0], start[1])
    return [*zero, _line(start, end, rng) * 1.0]


def flagged_one(one: Strokes, rng: np.random.Generator) -> Strokes:
    unit, height, lo = _unit(one)
    points = np.concatenate(unit)
    top = points[np.argmin(points[:, 1])]
    length = rng.uniform(0.2, 0.45)
    angle = np.deg2rad(rng.uniform(30, 65))  # below the horizontal, to the left (flatter is a 7's bar)
    flag_start = top + length * np.array([-np.cos(angle), np.sin(angle)])
    flag = _line(tuple(flag_start), tuple(top), rng)
    strokes = [flag, *unit] if rng.random() < 0.5 else [np.vstack([flag, unit[0]]), *unit[1:]]
    if rng.random() < 0.35:  # a foot
        bottom = points[np.argmax(points[:, 1])]
        half = rng.uniform(0.15, 0.3)
        strokes.append(_line((bottom[0] - half, bottom[1]), (bottom[0] + half, bottom[1]), rng))
    return [s * height + lo for s in strokes]


def crossed_seven(seven: Strokes, rng: np.random.Generator) -> Strokes:
    unit, height, lo = _unit(seven)
    points = np.concatenate(unit)
    y = rng.uniform(0.4, 0.65)
    near = points[np.abs(points[:, 1] - y) < 0.12]
    x = float(near[:, 0].mean()) if len(near) else float(points[:, 0].mean())
    half = rng.uniform(0.15, 0.35)
    bar = _line((x - half, y + rng.normal(0, 0.03)), (x + half * rng.uniform(0.7, 1.2), y + rng.normal(0, 0.03)), rng)
    return [s * height + lo for s in [*unit, bar]]


def detached_five(five: Strokes, rng: np.random.Generator) -> Strokes | None:
    """The 5 with its top bar (the flattest stroke in its upper half) moved up and right; None for
    a 5 written in one stroke."""
    if len(five) < 2:
        return None
    unit, height, lo = _unit(five)

    def flatness(s: np.ndarray) -> float:
        span = s.max(axis=0) - s.min(axis=0)
        return float(span[1] / max(span[0], 1e-6)) + float(s[:, 1].mean())

    bar = min(range(len(unit)), key=lambda i: flatness(unit[i]))
    shift = np.array([rng.uniform(0.0, 0.2), -rng.uniform(0.08, 0.2)])
    moved = [s + shift if i == bar else s for i, s in enumerate(unit)]
    return [s * height + lo for s in moved]


def _wobble(
    rng: np.random.Generator, points: list[tuple[float, float]], amount: float = 0.04
) -> list[tuple[float, float]]:
    return [(x + rng.normal(0, amount), y + rng.normal(0, amount)) for x, y in points]


def open_four(rng: np.random.Generator) -> Strokes:
    """A 4 whose slanted arm and stem do not meet at the top, in two strokes (arm+bar, stem)."""
    stem_x = rng.uniform(0.45, 0.65)
    bar_y = rng.uniform(0.5, 0.7)
    arm = _wobble(
        rng, [(rng.uniform(0.05, 0.3), 0.0), (rng.uniform(-0.05, 0.1), bar_y), (rng.uniform(0.75, 0.95), bar_y)]
    )
    first = np.vstack([_line(arm[0], arm[1], rng), _line(arm[1], arm[2], rng)])
    stem = _line((stem_x + rng.normal(0, 0.04), rng.uniform(0.0, 0.25)), (stem_x + rng.normal(0, 0.05), 1.0), rng)
    return [first, stem]


def cursive_nine(rng: np.random.Generator) -> Strokes:
    """A 9 in one stroke: a loop drawn anticlockwise from its right, then a tail down that curls left."""
    loop = _wobble(
        rng,
        [(0.7, 0.1), (0.4, 0.0), (0.15, 0.15), (0.2, 0.35), (0.5, 0.42), (0.72, 0.25), (0.7, 0.1)],
        0.03,
    )
    curl = rng.uniform(0.1, 0.35)
    tail = _wobble(rng, [(0.7, 0.5), (0.62, 0.8), (0.4, 1.0), (0.4 - curl, 0.9)], 0.03)
    return [_curve([*loop, *tail])]


def straight_seven(rng: np.random.Generator) -> Strokes:
    """A 7 of two (or three, with a crossbar) straight strokes, as dragged with a mouse."""
    left, right = rng.uniform(0.0, 0.2), rng.uniform(0.7, 0.95)
    top = rng.uniform(-0.05, 0.05)
    foot = rng.uniform(0.2, 0.5)
    strokes = [
        _line((left, top), (right, top + rng.normal(0, 0.04)), rng, 0.01),
        _line((right, top), (foot, 1.0), rng, 0.01),
    ]
    if rng.random() < 0.3:
        y = rng.uniform(0.45, 0.6)
        x = right + (foot - right) * (y - top)
        strokes.append(_line((x - 0.2, y), (x + 0.2, y), rng, 0.01))
    return strokes


# Styles made from a real digit of the label: (label, name, function).
FROM_DIGIT: tuple[tuple[int, str, Callable[[Strokes, np.random.Generator], Strokes | None]], ...] = (
    (0, "slashed zero", slashed_zero),
    (1, "flagged one", flagged_one),
    (7, "crossed seven", crossed_seven),
    (5, "detached five", detached_five),
)
# Styles drawn from control points: (label, name, function).
DRAWN: tuple[tuple[int, str, Callable[[np.random.Generator], Strokes]], ...] = (
    (4, "open four", open_four),
    (9, "cursive nine", cursive_nine),
    (7, "straight seven", straight_seven),
)
STYLE_NAMES = tuple(name for _, name, _ in FROM_DIGIT) + tuple(name for _, name, _ in DRAWN)


def drawn(make: Callable[[np.random.Generator], Strokes], rng: np.random.Generator) -> Strokes:
    """A drawn style in a random hand: slanted, rotated, resampled and wobbly like a real one."""
    strokes = slant_rotate_stretch(make(rng), rng, rotation=10.0, shear=0.3, stretch=0.15)
    return jitter([resample(s, 0.015) for s in strokes], rng, 0.004)
