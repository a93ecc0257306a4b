"""What is not a digit, to train the "not a digit" class: real letters and symbols, scribbles and
shapes, half-drawn digits and numbers written as several digits side by side.

Some letters and symbols are written the same way as a digit by many people; as "not a digit" they
would teach the network that a real digit is not one. They are left out (LOOKS_LIKE_A_DIGIT):

| left out | looks like |
|---|---|
| O o Q D U C c | 0 (a C is left out too: a hurried 0 is open at the top right) |
| I l i j J ! \\| / \\\\ ( ) [ ] { } 1 | 1 |
| Z z ? | 2 |
| S s $ | 5 |
| b G | 6 |
| T > | 7 (a T with a short left arm, a > is a 7's turn) |
| B & | 8 |
| g q a P p e | 9 (a closed loop on a stem) |
| A y h n u r t | 4 (open fours, crossed sevens' stems) |
| , ' ` . ; : " | a dot or a short line: scaled up to a digit's size, a 1 |

Everything else of UNIPEN's 1b (upper case), 1c (lower case) and 1d (symbols) is a real negative.
"""

from __future__ import annotations

import numpy as np

from handwriting_recognizer.training.strokes import Strokes, prefix, resample, side_by_side

LOOKS_LIKE_A_DIGIT = frozenset("OoQDUCcIlijJ!|/\\()[]{}Zz?Ss$bGT>B&gqaPpeAyhnurt" + ",'`.;:\"")

# Digits whose first part, drawn in the usual order, is no digit: the top hook of a 3. Others are
# not used: the first part of a 0 is a C (an open 0), of an 8 an S (a 5), of a 9 a 0, of a 7 a 7,
# of a 1 a 1, and of a 4 an L, or a 1 for those who draw the stem first.
PARTIAL_DIGITS = frozenset({3})
PARTIAL_FRACTION = (0.3, 0.5)


def is_negative_character(label: str) -> bool:
    """Whether a written character is a negative (not a digit and not written like one)."""
    return len(label) == 1 and not label.isdigit() and label not in LOOKS_LIKE_A_DIGIT


def half_digit(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """The first 30-55% of a digit's ink."""
    return prefix(strokes, rng.uniform(*PARTIAL_FRACTION))


def two_digits(left: Strokes, right: Strokes, rng: np.random.Generator) -> Strokes:
    """Two digits side by side: a number, not a digit (until numbers are read as numbers)."""
    return side_by_side(left, right, rng)


def zigzag(rng: np.random.Generator) -> Strokes:
    """Back and forth, 4 to 12 turns, in one stroke."""
    turns = int(rng.integers(4, 13))
    x = np.cumsum(rng.uniform(0.3, 1.0, turns + 1) * np.where(np.arange(turns + 1) % 2, 1, -1))
    y = np.linspace(0, rng.uniform(0.5, 2.0), turns + 1) + rng.normal(0, 0.15, turns + 1)
    points = np.stack([x, y], axis=1)
    if rng.random() < 0.5:
        points = points[:, ::-1]
    return [resample(points, 0.05)]


def scrawl(rng: np.random.Generator) -> Strokes:
    """A random smooth scrawl through 6 to 14 points."""
    n = int(rng.integers(6, 15))
    points = np.cumsum(rng.normal(0, 1, (n, 2)), axis=0)
    t = np.linspace(0, n - 1, n * 8)
    smooth = np.stack([np.interp(t, np.arange(n), points[:, i]) for i in range(2)], axis=1)
    kernel = np.ones(7) / 7
    smooth = np.stack([np.convolve(smooth[:, i], kernel, mode="valid") for i in range(2)], axis=1)
    return [smooth]


def hatching(rng: np.random.Generator) -> Strokes:
    """Three to six roughly parallel lines."""
    angle = rng.uniform(0, np.pi)
    direction = np.array([np.cos(angle), np.sin(angle)])
    normal = np.array([-direction[1], direction[0]])
    lines = []
    for i in range(int(rng.integers(3, 7))):
        centre = normal * i * rng.uniform(0.15, 0.4) + rng.normal(0, 0.05, 2)
        half = direction * rng.uniform(0.4, 0.7)
        lines.append(resample(np.stack([centre - half, centre + half]), 0.05))
    return lines


def cross(rng: np.random.Generator) -> Strokes:
    """An X or a +, or a star of three or four lines."""
    lines = []
    base = rng.uniform(0, np.pi)
    count = int(rng.choice([2, 2, 3, 4]))
    for i in range(count):
        angle = base + i * np.pi / count + rng.normal(0, 0.1)
        half = np.array([np.cos(angle), np.sin(angle)]) * rng.uniform(0.4, 0.6)
        lines.append(resample(np.stack([-half, half]) + rng.normal(0, 0.05, 2), 0.05))
    return lines


def dash(rng: np.random.Generator) -> Strokes:
    """A short, nearly horizontal line (or two: an equals sign)."""
    angle = rng.normal(0, 0.12)
    half = np.array([np.cos(angle), np.sin(angle)]) * 0.5
    line = resample(np.stack([-half, half]), 0.05)
    if rng.random() < 0.3:
        return [line, line + np.array([rng.normal(0, 0.03), rng.uniform(0.15, 0.4)])]
    return [line]


def spiral(rng: np.random.Generator) -> Strokes:
    """A coil of 2 to 4 turns, or a loopy line of 3 to 6 loops."""
    turns = rng.uniform(2, 4)
    t = np.linspace(0, turns * 2 * np.pi, int(turns * 40))
    if rng.random() < 0.5:
        radius = np.linspace(0.1, 1.0, len(t))
        return [np.stack([radius * np.cos(t), radius * np.sin(t)], axis=1)]
    loops = rng.uniform(3, 6)
    t = np.linspace(0, loops * 2 * np.pi, int(loops * 40))
    return [np.stack([t / (2 * np.pi) * rng.uniform(0.3, 0.6) + 0.4 * np.cos(t), 0.5 * np.sin(t)], axis=1)]


SCRIBBLES = (zigzag, scrawl, hatching, cross, dash, spiral)  # no closed shapes: a 0 dragged with a mouse is one


def scribble(rng: np.random.Generator) -> Strokes:
    """One random scribble or shape."""
    return SCRIBBLES[int(rng.integers(len(SCRIBBLES)))](rng)
