"""Where the characters of a handwritten number are: its ink grouped into characters by geometry.

The ink comes as marks (a drawing's strokes, a picture's connected components or slices of one),
each with its box and points. One line of writing, left to right, is assumed. All sizes are
relative to the writing's height (`line_height`), so the rules hold for any canvas, pen or scan:

- a dot (a mark under TINY of the height) that touches other ink is part of it (a pen lifted for
  an instant); a dot on its own is a '.' when it lies near the baseline between two digits, or
  close before the first or after the last (decided once the digits are known: `dots`), else a
  stray tap that is not read, as a tap alone is not;
- marks that are certainly one character are merged into pieces: their x-ranges overlap and
  either one is partial (shorter than PARTIAL) and their ink touches or crosses (the bar of a 4, 5
  or 7, a detached top of a 5, a 1's base), or they cross in the middle of both (an X, a plus);
- a flat piece at mid-height (DASH_*) that overlaps no neighbour is a dash: '-';
- neighbouring pieces that may be one character or two (a 4's L drawn apart from its stem, digits
  written close, slanted or touching) get the prior that they are one (`JOIN_PRIOR`, by whether
  one floats above the baseline, whether they touch and overlap, measured on held-out writers);
  `runs` are the candidate characters and `best_runs` picks the grouping whose readings and priors
  are most likely (dynamic programming).

Pure numpy and Python: the app, the CLI and the benchmarks share it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Box = tuple[float, float, float, float]  # x0, y0, x1, y1

# Budgets: grouping compares marks pairwise, so both bound its time (a long number: about 40 marks).
MAX_MARKS = 128  # strokes or picture components in one reading: 4 for each of 32 characters
MAX_MARK_POINTS = 256  # points of one mark that distances are measured on (a long stroke is thinned)

# Every size below is a share of the line height.
TALL = 0.3  # columns at least this share of the tallest one's height measure the line height
STACK_GAP = 0.5  # marks of a column further apart up and down than this share of the taller part are two stacks
TINY = 0.2  # a mark spanning less than this is a dot, not a stroke of a digit
NARROW = 0.2  # a narrower mark counts as this wide when overlaps are compared (a "1" is a line)
MERGE_OVERLAP = 0.5  # marks overlapping by this share of the narrower one's width ... (JOIN_PRIOR)
JOIN_GAP = 0.05  # pieces further apart than this are two characters ...
FLOATING_GAP = 0.15  # ... unless one of them floats and they are no further apart than this
TOUCH = 0.06  # ink this close (or crossing) touches
CROSS_SLACK = 0.01  # a crossing this close to the middle of a stroke's box is in it (a straight bar's box has no width)
PARTIAL = 0.75  # a piece shorter than this may be part of a character (a bar, an L, a detached top)
FLOAT = 0.2  # a piece whose bottom is this far above the baseline floats: it is part of a character ...
FLOATING_ALONE = 0.03  # ... but for this share of them (a superscript, a small digit written high; 1.3% in validation)
# The prior that two neighbouring pieces are one character, by (how the shorter one stands: it
# floats, it is partial and sits on the baseline, or it is whole; their ink touches; they overlap by
# MERGE_OVERLAP), kept within 0.01-0.99 so that a reading can always overrule it. Marks that are
# partial, touch and overlap (the bar of a 4, 5 or 7) are merged before (`_merged`).
# `benchmarks/join_priors.py` measures these shares on numbers composed of the validation writers'
# digits and prints them beside these: today's shares differ (most by 0.05-0.3), and with them the
# validation writers' numbers read the same (85.5 % exact of 1,100), so these stay.
JOIN_PRIOR = {
    ("floats", True, True): 0.99,
    ("floats", True, False): 0.74,
    ("floats", False, True): 0.98,
    ("floats", False, False): 0.22,
    ("sits", True, True): 0.92,
    ("sits", True, False): 0.06,
    ("sits", False, True): 0.58,
    ("sits", False, False): 0.03,
    ("whole", True, True): 0.54,
    ("whole", True, False): 0.01,
    ("whole", False, True): 0.25,  # a guess (5 validation pairs, none one character): a 0 drawn as two arcs
    ("whole", False, False): 0.01,
}
SLICE_PRIOR = 0.5  # prior that two slices cut from one picture component are one character
WIDE = 1.0  # a candidate character wider than this is unlikely ...
WIDE_PENALTY = 4.0  # ... by exp(-WIDE_PENALTY) per line height beyond it
MAX_WIDTH = 1.8  # and one wider than this is never one character
MAX_RUN = 4  # at most this many pieces make one character
ATTACH = 0.08  # a dot this close to a piece's ink belongs to it
DOT_CLUSTER = 0.12  # dots this close to each other are one dot
DOT_BASELINE = (0.4, 0.3)  # a '.' lies at most this far above, and below, its neighbours' baseline
END_GAP = (0.15, 0.6)  # a '.' before the first character or after the last lies this far from it
# (nearer, it is a tick of the pen beside a digit: 3 of the validation writers' 1,369 single digits)
FLAT = 0.35  # a dash is at most this share of its width tall ...
DASH_HEIGHT = 0.3  # ... and of the line height
DASH_WIDTH = (0.2, 1.2)  # its width
DASH_BAND = (0.15, 0.85)  # its middle, from the top (0) to the bottom (1) of the ink beside it ...
DASH_NEAR = 1.5  # ... no further from it than this


@dataclass(frozen=True)
class Mark:
    """A piece of ink: its box, points along it (a polyline for a stroke, pixels for a component)
    and which mark it was cut from (`source`: marks cut from one component share it). At most
    MAX_MARK_POINTS points are kept, evenly spaced along the given ones, so that the pairwise
    distances stay small whatever the pen recorded."""

    box: Box
    points: np.ndarray
    polyline: bool = True
    source: int | None = None
    ink_width: float = 0.0  # the pen's width within the box: a picture's stroke width (a stroke's box is its path)

    def __post_init__(self) -> None:
        if len(self.points) > MAX_MARK_POINTS:
            keep = np.linspace(0, len(self.points) - 1, MAX_MARK_POINTS).round().astype(np.int64)
            object.__setattr__(self, "points", self.points[keep])


@dataclass(frozen=True)
class Piece:
    """Marks that are one character or part of one, by geometry alone."""

    marks: tuple[int, ...]
    box: Box


@dataclass(frozen=True)
class Layout:
    """What geometry says: the pieces that may be digits (left to right) with the prior that each
    two neighbours are one character, the dashes, the dots and the line height."""

    height: float
    pieces: tuple[Piece, ...]
    join: tuple[float, ...]  # len(pieces) - 1 priors
    floating: tuple[bool, ...]  # for each piece: whether it ends above the baseline (part of a character)
    dashes: tuple[Piece, ...]
    dots: tuple[Piece, ...]
    ink_width: float = 0.0  # the pen's width around the marks' points (a picture's; 0 for strokes)


def layout(marks: Sequence[Mark]) -> Layout:
    """Group `marks` into pieces, dashes and dots (see the module's rules)."""
    boxes = np.array([m.box for m in marks], np.float64).reshape(-1, 4)
    height = line_height(boxes)
    extent = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    tiny = extent < TINY * height
    big = np.flatnonzero(~tiny)
    pieces = [_piece(group, marks) for group in _merged(big, marks, boxes, height)]
    pieces, dots = _attach_dots(pieces, np.flatnonzero(tiny), marks, height)
    pieces.sort(key=lambda p: p.box[0] + p.box[2])
    dashes = _dashes(pieces, marks, height)
    digits = [p for p in pieces if p not in dashes]
    floating = _floating(digits, height)
    join = tuple(
        _join_prior(digits[k], digits[k + 1], floating[k] or floating[k + 1], marks, height)
        for k in range(len(digits) - 1)
    )
    ink_width = float(np.median([m.ink_width for m in marks])) if len(marks) else 0.0
    return Layout(height, tuple(digits), join, floating, tuple(dashes), tuple(dots), ink_width)


def line_height(boxes: np.ndarray) -> float:
    """The writing's character height: the median height of its columns (marks whose x-ranges
    overlap) that are at least TALL of the tallest, so dots and dashes do not count. A column's
    marks far apart up and down are stacks of their own (`_stack_heights`): a tap far below or
    above a digit is not part of its height (it made that column the tallest, and every digit a
    dot beside it)."""
    if len(boxes) == 0:
        return 1.0
    order, starts = _columns(boxes)
    heights = np.array([h for column in np.split(order, starts[1:]) for h in _stack_heights(boxes[column])])
    return max(float(np.median(heights[heights >= TALL * heights.max()])), 1e-6)


def _stack_heights(boxes: np.ndarray) -> list[float]:
    """The heights of a column's stacks, from the top: the next mark down starts a stack of its
    own when the gap to it is wider than STACK_GAP of the taller of the stack above and the mark."""
    spans = boxes[np.argsort(boxes[:, 1], kind="stable")][:, [1, 3]].tolist()
    stacks = [spans[0]]
    for y0, y1 in spans[1:]:
        top, bottom = stacks[-1]
        if y0 - bottom > STACK_GAP * max(bottom - top, y1 - y0):
            stacks.append([y0, y1])
        else:
            stacks[-1][1] = max(bottom, y1)
    return [bottom - top for top, bottom in stacks]


def _columns(boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The marks in order of their left edges, and where each column (a run of overlapping
    x-ranges) starts in that order."""
    order = np.argsort(boxes[:, 0], kind="stable")
    reach = np.maximum.accumulate(boxes[order, 2])
    return order, np.flatnonzero(np.r_[True, boxes[order[1:], 0] > reach[:-1]])


def overlap_ratio(a: Box, b: Box, height: float) -> float:
    """How far two boxes overlap horizontally (`overlap_ratios`); negative for a gap."""
    return float(overlap_ratios(np.array([a], np.float64), np.array([b], np.float64), height)[0, 0])


def overlap_ratios(a: np.ndarray, b: np.ndarray, height: float) -> np.ndarray:
    """How far each box of `a` overlaps each box of `b` horizontally, as a share of the narrower
    one's width, a box narrower than NARROW of the height counting as that wide about its middle
    (a "1" is a line)."""
    (a0, a1), (b0, b1) = _widened(a, height), _widened(b, height)
    overlap = np.minimum(a1[:, None], b1[None, :]) - np.maximum(a0[:, None], b0[None, :])
    return overlap / np.minimum((a1 - a0)[:, None], (b1 - b0)[None, :])


def _widened(boxes: np.ndarray, height: float) -> tuple[np.ndarray, np.ndarray]:
    grow = np.maximum(NARROW * height - (boxes[:, 2] - boxes[:, 0]), 0.0) / 2
    return boxes[:, 0] - grow, boxes[:, 2] + grow


def _merged(indices: np.ndarray, marks: Sequence[Mark], boxes: np.ndarray, height: float) -> list[list[int]]:
    """The marks in `indices` grouped where they are certainly one character: they overlap by
    MERGE_OVERLAP and either one is partial and their ink touches (99.9% one character in
    validation), or they cross in the middle of both (an X, a plus; numbers of the validation
    writers read the same with this rule as without). Slices of one picture component never merge
    this way."""
    chosen = boxes[indices]
    partial = chosen[:, 3] - chosen[:, 1] < PARTIAL * height
    sources = np.array([-1 - i if marks[i].source is None else marks[i].source for i in indices])
    candidates = overlap_ratios(chosen, chosen, height) >= MERGE_OVERLAP
    candidates &= sources[:, None] != sources[None, :]
    parent = list(range(len(indices)))
    reach = TOUCH * height
    for a, b in zip(*np.nonzero(np.triu(candidates, 1)), strict=True):
        m, n = marks[indices[a]], marks[indices[b]]
        if _marks_touch(m, n, reach) if partial[a] or partial[b] else _cross_in_the_middle(m, n, CROSS_SLACK * height):
            parent[root(parent, int(a))] = root(parent, int(b))
    groups: dict[int, list[int]] = {}
    for position, i in enumerate(indices):
        groups.setdefault(root(parent, position), []).append(int(i))
    return list(groups.values())


def root(parent: list[int], i: int) -> int:
    """Union-find: the representative of `i`'s set (halving the path on the way)."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _piece(indices: Sequence[int], marks: Sequence[Mark]) -> Piece:
    return Piece(tuple(sorted(int(i) for i in indices)), union_box(marks[int(i)].box for i in indices))


def union_box(boxes: Iterable[Box]) -> Box:
    """The box around boxes."""
    x0, y0, x1, y1 = zip(*boxes, strict=True)
    return (min(x0), min(y0), max(x1), max(y1))


def _attach_dots(
    pieces: list[Piece], tiny: np.ndarray, marks: Sequence[Mark], height: float
) -> tuple[list[Piece], list[Piece]]:
    """Dots touching a piece join it; the others, clustered, are returned as dots."""
    loose: list[int] = []
    members = [list(p.marks) for p in pieces]
    for dot in (int(i) for i in tiny):
        home = next((i for i, p in enumerate(pieces) if _touches(marks[dot], p, marks, ATTACH * height)), None)
        if home is None:
            loose.append(dot)
        else:
            members[home].append(dot)
    clusters: list[list[int]] = []
    for dot in loose:
        # Dots are tiny: the gap between their boxes is the gap between their ink, and far cheaper.
        near = [c for c in clusters if min(_box_gap(marks[dot].box, marks[m].box) for m in c) <= DOT_CLUSTER * height]
        if near:
            near[0].append(dot)
        else:
            clusters.append([dot])
    return [_piece(m, marks) for m in members], [_piece(c, marks) for c in clusters]


def _touches(mark: Mark, piece: Piece, marks: Sequence[Mark], reach: float) -> bool:
    """Whether `mark` comes within `reach` of the piece's ink (a slice of a picture component
    always touches the others: it was cut from them, and the reading decides about it)."""
    others = [marks[m] for m in piece.marks if mark.source is None or marks[m].source != mark.source]
    return _box_gap(piece.box, mark.box) <= reach and any(
        _point_distance(mark.points, other) <= _path_reach(mark, other, reach) for other in others
    )


def _box_gap(a: Box, b: Box) -> float:
    """The distance between two boxes (0 when they overlap)."""
    return math.hypot(max(a[0] - b[2], b[0] - a[2], 0.0), max(a[1] - b[3], b[1] - a[3], 0.0))


def _path_reach(m: Mark, n: Mark, reach: float) -> float:
    """`reach` between two pens' paths, as the distance between the marks' points measures it: a
    picture's points lie on its ink's edges, half its stroke width from the path."""
    return reach - (m.ink_width + n.ink_width) / 2


def _point_distance(points: np.ndarray, other: Mark) -> float:
    """The least distance from `points` to `other`'s polyline (or its points)."""
    a = other.points
    b = a[1:] if other.polyline and len(a) > 1 else a
    a = a[:-1] if other.polyline and len(a) > 1 else a
    d = b - a
    rel = points[:, None, :] - a[None, :, :]
    length2 = np.maximum((d * d).sum(axis=1), 1e-12)
    t = np.clip((rel * d[None]).sum(axis=2) / length2, 0.0, 1.0)
    return float(np.hypot(*(rel - t[..., None] * d[None]).transpose(2, 0, 1)).min())


def _dashes(pieces: Sequence[Piece], marks: Sequence[Mark], height: float) -> list[Piece]:
    """The dashes among `pieces`: flat, short, at the middle height of the ink beside them and
    overlapping no other piece (all overlaps measured at once)."""
    if len(pieces) < 2:
        return []
    boxes = np.array([p.box for p in pieces], np.float64)
    overlapping = overlap_ratios(boxes, boxes, height) > 0
    np.fill_diagonal(overlapping, False)
    return [p for i, p in enumerate(pieces) if not overlapping[i].any() and _is_dash(i, pieces, marks, height)]


def _is_dash(index: int, pieces: Sequence[Piece], marks: Sequence[Mark], height: float) -> bool:
    """Whether piece `index`, which overlaps no other, is flat, short and at the middle height of the
    ink beside it (within DASH_NEAR; else of the nearest piece). Flat is the pen's path: a thick
    pen's short dash in a picture (43 x 16 px) is as tall as its pen, not a box a third as tall as wide."""
    x0, y0, x1, y1 = pieces[index].box
    width, tall = x1 - x0, y1 - y0
    pen = min(max(marks[m].ink_width for m in pieces[index].marks), tall)
    flat = tall - pen <= FLAT * (width - pen) and width >= 2 * pen
    if not (flat and tall <= DASH_HEIGHT * height and DASH_WIDTH[0] <= width / height <= DASH_WIDTH[1]):
        return False
    others = [p for i, p in enumerate(pieces) if i != index]
    # The ink within DASH_NEAR line heights, not one piece: the L of a 4 drawn apart from its stem
    # is not the digit's height.
    near = [o.box for o in others if max(o.box[0] - x1, x0 - o.box[2]) <= DASH_NEAR * height]
    top, bottom = union_box(near or [min(others, key=lambda o: abs(o.box[0] + o.box[2] - x0 - x1)).box])[1::2]
    middle = ((y0 + y1) / 2 - top) / max(bottom - top, 1e-9)
    return DASH_BAND[0] <= middle <= DASH_BAND[1]


def _floating(pieces: Sequence[Piece], height: float) -> tuple[bool, ...]:
    """Which pieces end FLOAT above the baseline (the line through the bottoms of the whole pieces,
    their lowest bottom when there are fewer than two) or above the foot of a neighbour no further
    than FLOATING_GAP (by FLOAT of that neighbour's height when it is shorter than the line, a small
    digit, unless it is flat like a dash or a tick): the top of a 5 or the L of a 4 drawn apart, a
    loop of a 9."""
    whole = [p for p in pieces if p.box[3] - p.box[1] >= PARTIAL * height]
    x = [(p.box[0] + p.box[2]) / 2 for p in whole]
    bottom = [p.box[3] for p in whole]
    mx, my = (sum(x) / len(x), sum(bottom) / len(bottom)) if whole else (0.0, math.inf)
    spread = sum((v - mx) ** 2 for v in x)
    slope = sum((u - mx) * (v - my) for u, v in zip(x, bottom, strict=True)) / spread if spread > 0 else 0.0
    level = my - slope * mx if spread > 0 else max(bottom, default=math.inf)

    def above(p: Piece, q: Piece) -> bool:
        near = max(p.box[0], q.box[0]) - min(p.box[2], q.box[2]) <= FLOATING_GAP * height
        tall = q.box[3] - q.box[1]
        foot = height if tall < FLAT * (q.box[2] - q.box[0]) else min(height, tall)  # a flat tick is no digit
        return near and q.box[3] - p.box[3] > FLOAT * foot

    return tuple(
        slope * (p.box[0] + p.box[2]) / 2 + level - p.box[3] > FLOAT * height
        or any(above(p, q) for q in pieces[max(k - 1, 0) : k + 2] if q is not p)
        for k, p in enumerate(pieces)
    )


def _join_prior(a: Piece, b: Piece, floats: bool, marks: Sequence[Mark], height: float) -> float:
    """The prior that neighbouring pieces `a` and `b` are one character: JOIN_PRIOR of their
    `link`, 0 when they are too far apart, SLICE_PRIOR for slices of one picture component."""
    shared = {marks[m].source for m in a.marks} & {marks[m].source for m in b.marks}
    if shared - {None}:
        return SLICE_PRIOR
    features = link(a, b, floats, marks, height)
    return 0.0 if features is None else JOIN_PRIOR[features]


def link(a: Piece, b: Piece, floats: bool, marks: Sequence[Mark], height: float) -> tuple[str, bool, bool] | None:
    """What decides whether two neighbouring pieces are one character: how they stand ("floats"
    when one of them `floats`, "sits" when the shorter is partial, else "whole"), whether their ink
    touches and whether they overlap by MERGE_OVERLAP. None when they are further apart than
    JOIN_GAP (FLOATING_GAP when one floats)."""
    if max(a.box[0], b.box[0]) - min(a.box[2], b.box[2]) > (FLOATING_GAP if floats else JOIN_GAP) * height:
        return None
    partial = min(a.box[3] - a.box[1], b.box[3] - b.box[1]) < PARTIAL * height
    stands = "floats" if floats else "sits" if partial else "whole"
    return stands, _contact(a, b, marks, TOUCH * height), overlap_ratio(a.box, b.box, height) >= MERGE_OVERLAP


def _contact(a: Piece, b: Piece, marks: Sequence[Mark], reach: float) -> bool:
    """Whether the ink of two pieces crosses or comes within `reach`."""
    pairs = ((marks[i], marks[j]) for i in a.marks for j in b.marks)
    return any(_box_gap(m.box, n.box) <= reach and _marks_touch(m, n, reach) for m, n in pairs)


def _marks_touch(m: Mark, n: Mark, reach: float) -> bool:
    """Whether two marks cross or come within `reach` (path to path), looking only at the points near the other."""
    reach = _path_reach(m, n, reach)
    near_n, near_m = _near(m.points, n.box, reach), _near(n.points, m.box, reach)
    if (len(near_n) and _point_distance(near_n, n) <= reach) or (len(near_m) and _point_distance(near_m, m) <= reach):
        return True
    return m.polyline and n.polyline and _cross(m.points, n.points)


def _near(points: np.ndarray, box: Box, reach: float) -> np.ndarray:
    x, y = points[:, 0], points[:, 1]
    inside = (x >= box[0] - reach) & (x <= box[2] + reach) & (y >= box[1] - reach) & (y <= box[3] + reach)
    return points[inside]


def _cross_in_the_middle(m: Mark, n: Mark, slack: float) -> bool:
    """Whether two strokes cross inside the middle of both their boxes (within `slack`: a ruler-
    straight bar has a box of no width), as an X's or a plus' do; neighbouring digits that overlap
    cross near their edges, if at all."""
    if not (m.polyline and n.polyline):
        return False
    points = _crossings(m.points, n.points, proper=False)
    return bool((_in_middle(points, m.box, slack) & _in_middle(points, n.box, slack)).any())


def _in_middle(points: np.ndarray, box: Box, slack: float) -> np.ndarray:
    """Which points lie in the middle half of `box` (of its width and of its height), give or take `slack`."""
    x0, y0, x1, y1 = box
    w, h = (x1 - x0) / 4 - slack, (y1 - y0) / 4 - slack
    x, y = points[:, 0], points[:, 1]
    return (x >= x0 + w) & (x <= x1 - w) & (y >= y0 + h) & (y <= y1 - h)


def _cross(p: np.ndarray, q: np.ndarray) -> bool:
    """Whether two polylines cross (a segment of one properly intersects a segment of the other)."""
    return bool(len(_crossings(p, q, proper=True)))


def _crossings(p: np.ndarray, q: np.ndarray, proper: bool) -> np.ndarray:
    """Where segments of polyline `p` meet segments of `q`, as [K, 2] points: `proper` crossings
    only (inside both segments), or touching at an end too. Parallel and zero-length segments never meet."""
    if len(p) < 2 or len(q) < 2:
        return np.zeros((0, 2))
    p0, p1 = _reaching(p, q), _reaching(q, p)  # segments out of the other's box meet none of it
    if not (p0.any() and p1.any()):
        return np.zeros((0, 2))
    a, d = p[:-1][p0, None], (p[1:] - p[:-1])[p0, None]  # segment i of p: a + t d, 0 <= t <= 1
    b, e = q[:-1][None, p1], (q[1:] - q[:-1])[None, p1]  # segment j of q: b + u e
    ab = b - a
    denominator = d[..., 0] * e[..., 1] - d[..., 1] * e[..., 0]
    parallel = denominator == 0
    safe = np.where(parallel, 1.0, denominator)
    t = (ab[..., 0] * e[..., 1] - ab[..., 1] * e[..., 0]) / safe
    u = (ab[..., 0] * d[..., 1] - ab[..., 1] * d[..., 0]) / safe
    inside = ((t > 0) & (t < 1) & (u > 0) & (u < 1)) if proper else ((t >= 0) & (t <= 1) & (u >= 0) & (u <= 1))
    hit = inside & ~parallel
    return np.broadcast_to(a, hit.shape + (2,))[hit] + t[hit][:, None] * np.broadcast_to(d, hit.shape + (2,))[hit]


def _reaching(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Which segments of polyline `p` reach into the box around `q`'s points (ends included)."""
    start, end = p[:-1], p[1:]
    lo, hi = q.min(axis=0), q.max(axis=0)
    return ((np.maximum(start, end) >= lo) & (np.minimum(start, end) <= hi)).all(axis=1)


def runs(lay: Layout) -> list[tuple[int, int]]:
    """The candidate characters: runs [i, j) of neighbouring pieces that may be one character."""
    out = []
    for i in range(len(lay.pieces)):
        out.append((i, i + 1))
        for j in range(i + 2, min(i + MAX_RUN, len(lay.pieces)) + 1):
            if lay.join[j - 2] == 0.0 or _width(lay, i, j) > MAX_WIDTH * lay.height:
                break
            out.append((i, j))
    return out


def _width(lay: Layout, i: int, j: int) -> float:
    return max(p.box[2] for p in lay.pieces[i:j]) - min(p.box[0] for p in lay.pieces[i:j])


def best_runs(lay: Layout, log_likelihood: Mapping[tuple[int, int], float]) -> list[tuple[int, int]]:
    """The grouping of all pieces into candidate runs with the highest total: each run's reading
    log-likelihood and prior (`_prior`), and the prior of each link cut between two runs (`_cut`)."""
    best: dict[tuple[int, int], float] = {}  # run -> the best total of pieces up to it, ending with it
    back: dict[tuple[int, int], tuple[int, int] | None] = {}
    for (i, j), value in sorted(log_likelihood.items()):  # every run ending at i comes before those starting at i
        own = value + _prior(lay, i, j)
        before = [(best[run] + _cut(lay, run, (i, j)), run) for run in best if run[1] == i]
        if i == 0:
            best[(i, j)], back[(i, j)] = own, None
        elif before:
            total, previous = max(before)
            best[(i, j)], back[(i, j)] = total + own, previous
    ends = [run for run in best if run[1] == len(lay.pieces)]
    chosen: list[tuple[int, int]] = []
    last = max(ends, key=lambda run: best[run]) if ends else None
    while last is not None:
        chosen.append(last)
        last = back[last]
    return chosen[::-1]


def _prior(lay: Layout, i: int, j: int) -> float:
    """log prior of run [i, j): its links kept, its width, and a floating piece left alone."""
    kept = sum(math.log(lay.join[k]) for k in range(i, j - 1))
    wide = max(0.0, _width(lay, i, j) / lay.height - WIDE) * WIDE_PENALTY
    alone = math.log(FLOATING_ALONE) if j == i + 1 and lay.floating[i] else 0.0
    return kept - wide + alone


def _cut(lay: Layout, left: tuple[int, int], right: tuple[int, int]) -> float:
    """log prior of cutting the link between two neighbouring runs; nothing when a floating piece
    at the cut is joined on its other side (a 5's detached top that touches the next digit too: it
    is part of one character, not of two)."""
    k = right[0] - 1
    partnered = (lay.floating[k] and left[1] - left[0] > 1) or (lay.floating[k + 1] and right[1] - right[0] > 1)
    return 0.0 if partnered else math.log1p(-lay.join[k])


def dots(lay: Layout, characters: Sequence[Box]) -> list[tuple[Piece, bool]]:
    """Each dot, and whether it is a decimal point: near the baseline, between two characters'
    centres (boxes, left to right), or just before the first or after the last (".5", "5.": the
    reading then says where the point is out of place, rather than dropping it); the others are
    stray taps."""
    out = []
    for dot in lay.dots:
        x = (dot.box[0] + dot.box[2]) / 2
        y = (dot.box[1] + dot.box[3]) / 2
        left = [b for b in characters if (b[0] + b[2]) / 2 < x]
        right = [b for b in characters if (b[0] + b[2]) / 2 > x]
        if left and right:
            baseline = (left[-1][3] + right[0][3]) / 2
            near = True
        elif left or right:
            beside = left[-1] if left else right[0]
            baseline = beside[3]
            # between the pen's paths, as for strokes: a picture's boxes are its ink's edges
            gap = (dot.box[0] - beside[2] if left else beside[0] - dot.box[2]) + lay.ink_width
            near = END_GAP[0] * lay.height <= gap <= END_GAP[1] * lay.height
        else:
            baseline, near = 0.0, False
        point = near and -DOT_BASELINE[0] * lay.height <= y - baseline <= DOT_BASELINE[1] * lay.height
        out.append((dot, point))
    return out
