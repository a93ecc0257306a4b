"""A picture's ink as marks for `core.segment`: its connected components, and pieces of the wide ones.

Ink is what `preprocess.to_ink` finds (either polarity), and a pixel counts when it is above
INK_THRESHOLD of the darkest ink, as for a single digit. Components are 8-connected, found from the
runs of ink along each row (union-find over runs that touch in neighbouring rows). Digits that touch
in a picture are one component, so a component wider than CUT_WIDTH line heights (or than CUT_RATIO
times the writer's median character: a narrow hand's pair) is also cut along paths from its top to
its bottom that cross the least ink (at most one stroke: CUT_*), found by dynamic programming over
its rows; the pieces between cuts are marks of their own that share the
component as their `source`, and the reading decides whether to keep each cut. A cut that would
leave a piece less than CUT_TALL line heights high is not made: that piece is the end of a stroke
(a 4's bar, a 3's foot), and read alone it was a '.' or a '1'. A wide component that no such path
cuts (digits that overlap or run alongside each other: a 9's tail through a 2, a 0 against a 6) is
cut once along the straight line through its middle third that crosses the least ink, whatever it
crosses: its pieces hold parts of both digits, and the reading keeps the cut only when they read as
digits more likely than the whole.

Pure numpy; every count has a budget (MAX_RUNS), checked before the work that grows with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from handwriting_recognizer.core.preprocess import INK_THRESHOLD, InkBudgetError, stroke_width
from handwriting_recognizer.core.segment import MAX_MARKS, Box, Mark, line_height, root

MAX_RUNS = 200_000  # budget: runs of ink along the rows (a number at 4 megapixels: about 20,000)
SPECK_AREA = 0.25  # components of fewer pixels than this times the stroke width squared are specks
CUT_WIDTH = 0.9  # components wider than this many line heights may be several touching digits ...
CUT_RATIO = 1.1  # ... as may those wider than this many times the writer's median character (`_cut_width`)
CUT_MARGIN = 0.25  # a cut ends at least this many line heights from the sides and from another cut
CUT_THICKNESS = 2.0  # a cut crosses at most this many stroke widths of ink (one stroke, slantwise)
CUT_STEP = 0.2  # a cut path costs this much (in pixels of ink) for each column it moves sideways
MAX_CUTS = 3  # per component
CUT_TALL = 0.5  # a slice is at least this many line heights high: a cut that leaves less is not made
CUT_MIDDLE = 1 / 3  # a straight cut (no path cuts the component) lies in its middle third ...
CUT_SLANTS = np.linspace(-0.3, 0.3, 7)  # ... at one of these slants (columns per row)


@dataclass(frozen=True)
class Runs:
    """Runs of ink along the rows: row, first column, column after the last, and the component of each."""

    row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray


@dataclass(frozen=True)
class Region:
    """A mark's pixels: those of one component between two cut paths (the first column of each row
    from the component's top row, `top`, down; None: no cut on that side)."""

    component: int
    top: int
    after: np.ndarray | None = None
    before: np.ndarray | None = None


def ink_runs(ink: np.ndarray) -> Runs:
    """The runs of the pixels that count as ink, labelled by 8-connected component (0, 1, ...)."""
    mask = ink > INK_THRESHOLD * float(ink.max(initial=0.0))
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    row, start = np.nonzero(edges == 1)
    end = np.nonzero(edges == -1)[1]
    if len(row) > MAX_RUNS:
        raise InkBudgetError(
            f"the picture's ink breaks into {len(row):,} pieces along its rows, more than a number's "
            f"(at most {MAX_RUNS:,}): too scattered to read"
        )
    return Runs(row, start, end, _label(row, start, end, mask.shape[1] + 2))


def _label(row: np.ndarray, start: np.ndarray, end: np.ndarray, stride: int) -> np.ndarray:
    """Component numbers for runs: runs in neighbouring rows that touch (diagonally too) are joined."""
    # For each run, the runs of the next row from the first that ends at or after its start to the
    # last that starts at or before its end (column after its last pixel): they touch it. Runs are
    # in row-major order, so their keys are sorted.
    first = np.searchsorted(row * stride + end, (row + 1) * stride + start, side="left")
    last = np.searchsorted(row * stride + start, (row + 1) * stride + end, side="right")
    counts = np.maximum(last - first, 0)
    a = np.repeat(np.arange(len(row)), counts)
    b = first[a] + np.arange(len(a)) - np.repeat(np.cumsum(counts) - counts, counts)
    parent = list(range(len(row)))
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        parent[root(parent, j)] = root(parent, i)
    roots = np.array([root(parent, i) for i in range(len(row))], np.int64)
    return np.unique(roots, return_inverse=True)[1].reshape(-1)


def picture_marks(ink: np.ndarray, runs: Runs) -> tuple[list[Mark], list[Region]]:
    """The marks of a picture (components that are not specks, wide ones also cut in pieces) and
    the pixels of each."""
    width = stroke_width(ink / max(float(ink.max(initial=0.0)), 1e-6))
    order = np.argsort(runs.label, kind="stable")
    parts = np.split(order, np.flatnonzero(np.diff(runs.label[order])) + 1) if len(order) else []
    parts = [part for part in parts if (runs.end[part] - runs.start[part]).sum() >= SPECK_AREA * width**2]
    if len(parts) > MAX_MARKS:
        raise InkBudgetError(
            f"the picture holds {len(parts):,} separate marks, more than a number's "
            f"(at most {MAX_MARKS:,}): too scattered to read"
        )
    wholes = [Region(int(runs.label[part[0]]), int(runs.row[part].min())) for part in parts]
    whole_marks = [_mark(runs, part, region, width) for part, region in zip(parts, wholes, strict=True)]
    boxes = np.array([mark.box for mark in whole_marks], np.float64).reshape(-1, 4)
    height = line_height(boxes)
    wide = _cut_width(boxes, height)
    marks: list[Mark] = []
    regions: list[Region] = []
    for part, whole, whole_mark in zip(parts, wholes, whole_marks, strict=True):
        box = whole_mark.box
        pieces = [whole]
        if box[2] - box[0] > wide:
            mask = _mask(runs, part, box)
            pieces = _slices(runs, part, whole, _cuts(mask, box, height, width), CUT_TALL * height)
            if len(pieces) == 1:
                pieces = _slices(runs, part, whole, [_straight_cut(mask, box)], CUT_TALL * height)
        if len(pieces) == 1:  # uncut (or every cut left out): the component's own mark
            marks.append(whole_mark)
            regions.append(pieces[0])
            continue
        for region in pieces:
            marks.append(_mark(runs, part, region, width, whole.component))
            regions.append(region)
    return marks, regions


def _cut_width(boxes: np.ndarray, height: float) -> float:
    """How wide a component may be before it is cut: CUT_WIDTH line heights, or CUT_RATIO times
    the median width of the components at least CUT_TALL high (the writer's characters) when that
    is less: two touching digits of a narrow hand are narrower than a wide hand's one."""
    tall = boxes[boxes[:, 3] - boxes[:, 1] >= CUT_TALL * height]
    typical = float(np.median(tall[:, 2] - tall[:, 0])) if len(tall) else height
    return min(CUT_WIDTH, CUT_RATIO * typical / height) * height


def _slices(
    runs: Runs, part: np.ndarray, whole: Region, cuts: list[tuple[np.ndarray, int]], tall: float
) -> list[Region]:
    """The regions between cuts (paths, and the ink each crosses), the cuts that would leave a slice
    less than `tall` high (the end of a stroke, not a character) left out: the inkier of the two
    beside the shortest slice first."""
    cuts = list(cuts)
    while True:
        bounds = [None, *(path for path, _ in cuts), None]
        regions = [Region(whole.component, whole.top, a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
        rows = [_clipped(runs, part, region)[0] for region in regions]
        heights = [int(r.max() - r.min() + 1) if len(r) else 0 for r in rows]
        shortest = int(np.argmin(heights))
        if not cuts or heights[shortest] >= max(tall, 1):  # an empty slice (two cuts meet) never stays
            return regions
        del cuts[max((k for k in (shortest - 1, shortest) if 0 <= k < len(cuts)), key=lambda k: cuts[k][1])]


def _clipped(runs: Runs, part: np.ndarray, region: Region) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows, starts and ends of a component's runs (`part`) within a region, empty ones left out."""
    row, start, end = runs.row[part], runs.start[part], runs.end[part]
    if region.after is not None:
        start = np.maximum(start, region.after[row - region.top])
    if region.before is not None:
        end = np.minimum(end, region.before[row - region.top])
    keep = end > start
    return row[keep], start[keep], end[keep]


def _mark(runs: Runs, part: np.ndarray, region: Region, ink_width: float, source: int | None = None) -> Mark:
    """The mark of a region: its box (pixel edges), the ends of its runs (pixel centres), which are
    enough to measure distances to it, and the picture's stroke width, which its box includes."""
    row, start, end = _clipped(runs, part, region)
    box = (float(start.min()), float(row.min()), float(end.max()), float(row.max() + 1))
    ends = np.concatenate([np.stack([start, row], 1), np.stack([end - 1, row], 1)]) + 0.5
    return Mark(box, ends.astype(np.float64), polyline=False, source=source, ink_width=ink_width)


def _mask(runs: Runs, part: np.ndarray, box: Box) -> np.ndarray:
    """A component's pixels within its box."""
    x0, y0, x1, y1 = (int(v) for v in box)
    mask = np.zeros((y1 - y0, x1 - x0), bool)
    for row, start, end in zip(runs.row[part], runs.start[part], runs.end[part], strict=True):
        mask[row - y0, start - x0 : end - x0] = True
    return mask


def _cuts(mask: np.ndarray, box: Box, height: float, width: float) -> list[tuple[np.ndarray, int]]:
    """Paths from the top row to the bottom row of a component (one column per row, moving at most
    one column from row to row) that cross at most CUT_THICKNESS stroke widths of ink (the CUT_STEP
    of their moves, which keeps them straight, is no ink), ending at least CUT_MARGIN from its sides
    and from each other, and the ink each crosses (pixels): the cheapest first, left to right."""
    rows, columns = mask.shape
    allowed = CUT_THICKNESS * width
    cost = np.full(columns + 2, np.inf)  # padded: no path leaves the component's box
    cost[1:-1] = 0.0
    step = np.zeros((rows, columns), np.int8)  # the move (-1, 0, 1) from the row above
    for r in range(rows):
        left, middle, right = cost[:-2] + CUT_STEP, cost[1:-1], cost[2:] + CUT_STEP
        best = np.minimum(np.minimum(left, middle), right)
        step[r] = np.where(left == best, -1, np.where(middle == best, 0, 1))  # ties: leftmost
        cost[1:-1] = best + mask[r]
    cost = cost[1:-1]
    margin = int(np.ceil(CUT_MARGIN * height))
    ends: dict[int, tuple[np.ndarray, int]] = {}
    for c in np.argsort(cost, kind="stable"):
        if cost[c] > allowed + rows * CUT_STEP:  # what is left crosses more ink
            break
        if margin <= c < columns - margin and all(abs(c - e) >= margin for e in ends):
            path = _path(step, int(c))
            crossed = int(mask[np.arange(rows), path].sum())
            if crossed <= allowed:  # the ink, not the moves
                ends[int(c)] = (path + int(box[0]), crossed)
                if len(ends) == MAX_CUTS:
                    break
    return [ends[c] for c in sorted(ends)]


def _straight_cut(mask: np.ndarray, box: Box) -> tuple[np.ndarray, int]:
    """The straight line from a component's top row to its bottom row, through the middle third of
    its width at one of CUT_SLANTS, that crosses the least ink (the least slanted, then the one
    nearest the middle, of equals), and the ink it crosses (pixels). Digits that overlap leave no
    clean path, but their inks meet least where one ends and the next begins."""
    rows, columns = mask.shape
    first = min(int(columns * CUT_MIDDLE), columns - 1)
    middle = np.arange(first, max(columns - first, first + 1))
    centre = (columns - 1) / 2
    offsets = np.rint(np.outer(np.arange(rows) - (rows - 1) / 2, CUT_SLANTS)).astype(np.int64)
    lines = []
    for shift in offsets.T:
        paths = np.clip(middle[None, :] + shift[:, None], 0, columns - 1)
        crossed = mask[np.arange(rows)[:, None], paths].sum(axis=0)
        k = int(np.argmin(crossed + np.abs(middle - centre) / columns))  # of equals, the nearest the middle
        lines.append((int(crossed[k]), abs(float(shift[-1] - shift[0])), abs(middle[k] - centre), paths[:, k]))
    crossed, _, _, path = min(lines, key=lambda line: line[:3])
    return path + int(box[0]), crossed


def _path(step: np.ndarray, end: int) -> np.ndarray:
    """The columns of a cut path, row by row, traced back from its column in the last row."""
    columns = np.empty(len(step), np.int64)
    columns[-1] = end
    for r in range(len(step) - 1, 0, -1):
        columns[r - 1] = columns[r] + step[r][columns[r]]
    return columns


def region_ink(ink: np.ndarray, runs: Runs, regions: list[Region]) -> np.ndarray:
    """The ink of some regions alone, cropped to them with a margin: a pixel around their ink (its
    anti-aliased edge, below the ink threshold) comes with it, the rest of the picture does not."""
    mask = np.zeros(ink.shape, bool)
    for region in regions:
        part = np.flatnonzero(runs.label == region.component)
        for row, start, end in zip(*_clipped(runs, part, region), strict=True):
            mask[row, start:end] = True
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    top, bottom = max(rows[0] - 1, 0), min(rows[-1] + 2, ink.shape[0])
    left, right = max(cols[0] - 1, 0), min(cols[-1] + 2, ink.shape[1])
    near = mask[top:bottom, left:right]
    grown = near.copy()
    grown[1:] |= near[:-1]
    grown[:-1] |= near[1:]
    wide = grown.copy()
    wide[:, 1:] |= grown[:, :-1]
    wide[:, :-1] |= grown[:, 1:]
    return np.pad(ink[top:bottom, left:right] * wide, 2)
