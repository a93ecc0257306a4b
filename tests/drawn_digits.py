"""MNIST digits replayed as drawings: skeleton -> pen strokes -> placed on a canvas like a user would.

Pure numpy (no Qt, no TensorFlow), shared by the tests and `benchmarks/robustness.py`:
- `mnist_to_strokes`: binarize, Zhang-Suen thinning, trace the 1-px skeleton into polylines;
- `place`: scale/move/slant the strokes on a canvas, resample them at mouse-like point density and
  add hand jitter;
- `naive_input`: the "tutorial app" baseline that shrinks the whole canvas to 28x28.

Coordinates are x, y in pixels; a pixel (row r, column c) has its centre at (c + 0.5, r + 0.5), the
convention of `handwriting_recognizer.core.preprocess.render_strokes`. Canvas sizes are (width, height).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from handwriting_recognizer.core.preprocess import render_strokes, resize

# 8-neighbourhood in Zhang-Suen order P2..P9 (N, NE, E, SE, S, SW, W, NW) as (dy, dx).
_RING = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))


UPSAMPLE = 3  # thin at 3x: Zhang-Suen at 28x28 eats 2-px diagonal strokes and stroke ends


def binarize(image: np.ndarray, threshold: int = 128, upsample: int = UPSAMPLE) -> np.ndarray:
    """A 28x28 uint8 MNIST digit -> boolean ink mask, `upsample` times larger (bilinear, then
    thresholded: smooth outlines instead of 3x3 blocks)."""
    a = np.asarray(image)
    if a.ndim != 2:
        raise ValueError(f"expected a 2-D grey image, got shape {a.shape}")
    a = a.astype(np.float32)
    if upsample > 1:
        a = resize(a, a.shape[0] * upsample, a.shape[1] * upsample)
    return a > threshold


def zhang_suen(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a boolean mask to a 1-px wide skeleton (each sub-pass vectorized)."""
    img = np.pad(np.asarray(mask, bool), 1).astype(np.uint8)
    h, w = img.shape
    while True:
        changed = False
        for step in (0, 1):
            p = [img[1 + dy : h - 1 + dy, 1 + dx : w - 1 + dx] for dy, dx in _RING]  # P2..P9
            centre = img[1:-1, 1:-1]
            b = sum(q.astype(np.int32) for q in p)  # number of ink neighbours
            ring = p + p[:1]
            a = sum(((ring[i] == 0) & (ring[i + 1] == 1)).astype(np.int32) for i in range(8))  # 0->1
            p2, p4, p6, p8 = p[0], p[2], p[4], p[6]
            if step == 0:
                c1, c2 = p2 * p4 * p6, p4 * p6 * p8
            else:
                c1, c2 = p2 * p4 * p8, p2 * p6 * p8
            remove = (centre == 1) & (b >= 2) & (b <= 6) & (a == 1) & (c1 == 0) & (c2 == 0)
            if remove.any():
                centre[remove] = 0
                changed = True
        if not changed:
            return img[1:-1, 1:-1].astype(bool)


def _neighbours(skel: np.ndarray, y: int, x: int) -> list[tuple[int, int]]:
    """m-adjacent skeleton neighbours: 4-neighbours, plus diagonals not already joined through a
    4-neighbour (this removes the little triangles 8-connectivity makes at corners)."""
    h, w = skel.shape

    def on(yy: int, xx: int) -> bool:
        return 0 <= yy < h and 0 <= xx < w and bool(skel[yy, xx])

    out = [(y + dy, x + dx) for dy, dx in ((-1, 0), (0, 1), (1, 0), (0, -1)) if on(y + dy, x + dx)]
    for dy, dx in ((-1, 1), (1, 1), (1, -1), (-1, -1)):
        if on(y + dy, x + dx) and not on(y + dy, x) and not on(y, x + dx):
            out.append((y + dy, x + dx))
    return out


def trace_skeleton(skel: np.ndarray) -> list[np.ndarray]:
    """Trace a 1-px skeleton into polylines of pixel centres (x, y).

    Chains are walked from endpoints and junctions (pixels whose degree is not 2) to the next such
    pixel; what is left afterwards are cycles (a "0", the loop of a "6"), walked back to their start.
    Isolated pixels become one-point strokes.
    """
    pixels = [tuple(int(v) for v in p) for p in np.argwhere(skel)]
    adj = {p: _neighbours(skel, *p) for p in pixels}
    used: set[frozenset] = set()
    chains: list[list[tuple[int, int]]] = []

    def walk(start: tuple[int, int], nxt: tuple[int, int]) -> list[tuple[int, int]]:
        path = [start, nxt]
        used.add(frozenset((start, nxt)))
        prev, cur = start, nxt
        while len(adj[cur]) == 2:
            step = [q for q in adj[cur] if q != prev and frozenset((cur, q)) not in used]
            if not step:
                break
            prev, cur = cur, step[0]
            used.add(frozenset((prev, cur)))
            path.append(cur)
        return path

    # Endpoints first (so strokes start at a free end, like a pen), then junctions, then cycles.
    order = sorted(pixels, key=lambda p: (len(adj[p]) != 1, p))
    for p in order:
        if len(adj[p]) == 0:
            chains.append([p])
        elif len(adj[p]) != 2:
            for q in adj[p]:
                if frozenset((p, q)) not in used:
                    chains.append(walk(p, q))
    for p in pixels:  # leftover cycles: every pixel has degree 2
        for q in adj[p]:
            if frozenset((p, q)) not in used:
                chains.append(walk(p, q))
    return [np.array([(x + 0.5, y + 0.5) for y, x in chain], np.float64) for chain in chains]


def mnist_to_strokes(image: np.ndarray) -> list[np.ndarray]:
    """A 28x28 uint8 MNIST digit -> pen strokes: (K, 2) float arrays of x, y in 28x28 pixel units.

    Binarize (at `UPSAMPLE` x resolution), thin to a 1-px skeleton (Zhang-Suen) and trace it
    (`trace_skeleton`); points are the skeleton's pixel centres scaled back to 28x28 units. Isolated
    single pixels are dropped when there are other strokes. A blank image gives no strokes.

    Thinning at 28x28 directly loses whole 2-px diagonal strokes (e.g. the top of some "6"s):
    on 200 test digits the round trip's correlation with the original is 0.68 (min 0.19) at 1x
    and 0.72 (min 0.39) at 3x.
    """
    strokes = [s / UPSAMPLE for s in trace_skeleton(zhang_suen(binarize(image)))]
    longer = [s for s in strokes if len(s) > 1]
    return longer if longer else strokes


def _resample(points: np.ndarray, points_per_px: float) -> np.ndarray:
    """Evenly spaced points along a polyline, about `points_per_px` per pixel of its length."""
    if len(points) < 2:
        return points.copy()
    seg = np.hypot(*np.diff(points, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(seg)])
    length = float(along[-1])
    if length == 0:
        return points[:1].copy()
    n = max(2, int(np.ceil(length * points_per_px)) + 1)
    t = np.linspace(0.0, length, n)
    return np.stack([np.interp(t, along, points[:, 0]), np.interp(t, along, points[:, 1])], axis=1)


def _smooth(points: np.ndarray, passes: int) -> np.ndarray:
    """[1, 2, 1] / 4 smoothing with fixed ends (closed loops stay closed): takes the pixel staircase
    out of a traced skeleton, as a hand draws a curve rather than steps."""
    p = points.copy()
    if len(p) < 3:
        return p
    for _ in range(passes):
        p[1:-1] = (p[:-2] + 2 * p[1:-1] + p[2:]) / 4.0
    return p


def place(
    strokes: Sequence[np.ndarray],
    canvas: tuple[int, int],
    height_frac: float,
    centre: tuple[float, float],
    rng: np.random.Generator,
    jitter: float = 0.0,
    slant_deg: float = 0.0,
    points_per_px: float = 0.5,
    smooth: int = 2,
) -> list[np.ndarray]:
    """Strokes in any units -> the same digit drawn on a (width, height) canvas, in canvas pixels.

    The digit is slanted by `slant_deg` (positive leans right: the top moves right), scaled so that
    its height is `height_frac` of the canvas height, and its bounding-box centre put at `centre`
    (fractions of width, height) -- moved inwards if the digit would stick out of the canvas. Each
    polyline is smoothed (`smooth` passes), resampled to about `points_per_px` points per pixel of
    length (a mouse's event density) and given Gaussian `jitter` (pixels) per point.
    """
    width, height = canvas
    polys = [_smooth(np.asarray(s, np.float64).reshape(-1, 2), smooth) for s in strokes]
    polys = [p for p in polys if len(p)]
    if not polys:
        return []
    allpts = np.concatenate(polys)
    lo, hi = allpts.min(axis=0), allpts.max(axis=0)
    mid = (lo + hi) / 2.0
    shear = np.tan(np.radians(slant_deg))
    polys = [np.stack([p[:, 0] - mid[0] - shear * (p[:, 1] - mid[1]), p[:, 1] - mid[1]], axis=1) for p in polys]
    allpts = np.concatenate(polys)
    lo, hi = allpts.min(axis=0), allpts.max(axis=0)
    scale = height_frac * height / max(float(hi[1] - lo[1]), 1e-6)
    size = (hi - lo) * scale
    target = np.array([centre[0] * width, centre[1] * height], np.float64)
    target = np.clip(target, size / 2.0, np.array([width, height]) - size / 2.0)  # stay on the canvas
    offset = target - (lo + hi) / 2.0 * scale
    out = []
    for p in polys:
        q = _resample(p * scale + offset, points_per_px)
        if jitter > 0:
            q = q + rng.normal(0.0, jitter, q.shape)
        out.append(np.clip(q, 0.0, [width, height]))
    return out


def render(strokes: Sequence[np.ndarray], canvas: tuple[int, int], pen_width: float) -> np.ndarray:
    """The canvas as a picture: ink in 0..1 (float32, height x width), light on dark."""
    width, height = canvas
    return render_strokes(strokes, (height, width), pen_width)


def naive_input(strokes: Sequence[np.ndarray], canvas: tuple[int, int], pen_width: float) -> np.ndarray:
    """The "tutorial app" baseline: render the whole (width, height) canvas and shrink it to 28x28,
    no cropping, no centering, no stroke-width care. float32 28x28 in 0..1, ink = 1."""
    return np.clip(resize(render(strokes, canvas, pen_width), 28, 28), 0.0, 1.0).astype(np.float32)
