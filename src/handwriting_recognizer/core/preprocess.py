"""MNIST-style preprocessing as pure numpy: strokes or pictures -> the model's 28x28 input.

One implementation for the app, the CLI and training. MNIST's recipe: crop to the ink, fit the
longer side into 20 px keeping the aspect ratio (anti-aliased), then put the centre of mass at the
centre of a 28x28 field. On top of it, what makes real drawings look like MNIST:
- stroke width normalisation: strokes are re-drawn with a pen of MNIST's width relative to the
  digit's size, and pictures are thinned or thickened towards it;
- a tap or a tiny scribble stays a small dot instead of being blown up to fill the field;
- a "1" (or any very narrow digit) keeps its aspect ratio: it is fitted by its height;
- a photo's paper is found around its strokes, so uneven light, shadows and a desk are not ink.
Images follow the model contract (core/contract.py): float32 in 0..1 with ink = 1 on a 0 background.
A change to what this module makes of a drawing needs a new contract.PREPROCESSING_VERSION.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from handwriting_recognizer.core.contract import SIZE
from handwriting_recognizer.core.morphology import closing

BOX = 20  # MNIST fits the digit's longer side into BOX pixels
WORK = 4  # supersampling factor: work at 4x and average down, for anti-aliasing
STROKE_WIDTH = 2.0  # MNIST's typical stroke width in 28x28 pixels (2*area/perimeter of ink > 0.5)
INK_THRESHOLD = 0.2  # a pixel counts as ink above this fraction of the darkest ink
MIN_DIGIT_EXTENT = 6  # pixels (of 28): ink spanning less than this is a dot, not a digit
DOT_EXTENT = 2.8  # ink spanning fewer stroke widths than this is a dot (a disk spans ~2.6, a 2:1 bar 3.0)
UNKNOWN_PEN = 1.0  # strokes' units: the pen of strokes whose pen is not known (pen data, made drawings)
MIN_STEP = 1.5  # when rendering, one stroke point is kept per this many pixels travelled
MAX_INK_TRAVEL = 100  # budget: the pen may travel at most this many times the digit's size (a digit: 3-6)
RENDER_CHUNK = 1 << 20  # pixels evaluated at once when rendering: bounds the memory of any drawing
# Pictures: finding the paper behind the ink (`to_ink`).
FLAT = 0.1  # a picture whose edge is within this of one grey ...
FLAT_EDGE = 0.9  # ... for this share of its pixels, with ink ...
FLAT_INK = 0.5  # ... on less than this share of the picture (further than half the range from that grey), is flat
INK_TAIL = 0.1  # percent: the darkest and lightest tones of a picture, a stray pixel or two left out
CLEAN_SHARE = 0.3  # a picture without grain whose commonest grey holds this share of it was made, not photographed
PHOTO_SIDE = 96  # pictures with a shorter side than this (pixels) are read as having one grey of paper
PAPER_SIDE = 160  # the strokes' width and the ink's tone are measured on a copy whose shorter side ...
PAPER_LONGEST = 1024  # ... is at most this long, and its longer side at most this
PAPER_RADII = (1, 2, 3, 4, 6, 8, 11, 16, 23, 32)  # window radii tried on that copy (pixels)
SETTLED = 1.15  # every stroke is filled in once a wider window fills in less than 15 % more
UNFILLED = 1.5  # strokes are wider than every window tried when each wider one fills in this much more
POLARITY_WINDOW = 1 / 20  # the ink's tone is told with windows up to this share of the copy's shorter side ...
POLARITY_MIN_WINDOW = 5  # ... or this many pixels (a small picture's strokes are a few pixels wide)
POLARITY_CLEAR = 1.2  # one tone fills in clearly more than the other when by this factor
STROKE_MARGIN = 2.0  # the paper is found with windows this many times the strokes' fill radius
SURROUND = 0.6  # a side of a photo darker than this share of its median tone frames the sheet (a desk)
PHOTO_INK = 0.25  # in a photo, ink is at least this share of its paper's brightness darker (pencil: 0.3-0.5)
SHADE = 0.3  # ink is a share of its paper's brightness, paper counting at least this share of the brightest
GRAIN_BOX = 3  # grain is averaged over squares this wide (a stroke is wider): a third of its noise is left
GRAIN = 6.0  # ink less than this many noise levels (of the averaged grain) above the paper's grain is paper
BLANK_GRAIN = 18.0  # a picture with no pixel this many noise levels (of the averaged grain) above it is blank
MAD_TO_SIGMA = 1.4826  # normal noise's standard deviation, per unit of its median absolute deviation
BEND_TO_SIGMA = math.sqrt(6.0)  # a pixel's difference to its two neighbours' sum has sqrt(6) times the noise
STATISTICS_SAMPLE = 250_000  # pixels a picture's grain and brightness are measured on
MIN_GRAIN = 1.5 / 255  # less noise than this is the rounding of a clean picture's greys, not a camera's grain
UNCLIPPED = 0.25  # grain is measured on the pixels not clipped to black or white where they are this share

Strokes = Sequence[np.ndarray]  # each stroke: float array (K, 2) of x, y points


class InkBudgetError(ValueError):
    """The strokes travel so far that reading them would cost more than a drawing may: a scribble
    that covers the canvas many times over, not a digit."""


def empty_input() -> np.ndarray:
    """The input for a blank canvas."""
    return np.zeros((SIZE, SIZE), np.float32)


def is_blank(x: np.ndarray) -> bool:
    """True when an input holds no digit: no ink, or only a dot (a tap, a speck) a few pixels across.

    The network has only digits to choose from and reads a dot as a confident "1"; a dot is not one.
    """
    rows, cols = _ink_bounds(x, INK_THRESHOLD)
    return len(rows) == 0 or max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 < MIN_DIGIT_EXTENT


# --- strokes --------------------------------------------------------------------------------------


def render_strokes(
    strokes: Strokes, shape: tuple[int, int], width: float, scale: float = 1.0, offset: tuple[float, float] = (0.0, 0.0)
) -> np.ndarray:
    """Anti-aliased round-capped polylines of `width` pixels, drawn at point * scale + offset.

    Each pixel's ink is its coverage by the pen (distance to the nearest segment, 1 px soft edge).
    All segments are handled in one vectorised pass over the pixels near each of them, so that the
    cost stays low for the long, densely sampled strokes a mouse produces.
    """
    h, w = shape
    image = np.zeros(shape, np.float32)
    radius = width / 2.0
    reach = radius + 1.0
    a, b = _split_long(*_segments(strokes, scale, offset), max(2.0 * reach, 4.0))
    if len(a) == 0:
        return image
    lo, hi = np.minimum(a, b) - reach, np.maximum(a, b) + reach
    x0 = np.clip(np.floor(lo[:, 0]).astype(np.int64), 0, w)
    x1 = np.clip(np.ceil(hi[:, 0]).astype(np.int64) + 1, 0, w)
    y0 = np.clip(np.floor(lo[:, 1]).astype(np.int64), 0, h)
    y1 = np.clip(np.ceil(hi[:, 1]).astype(np.int64) + 1, 0, h)
    boxes = np.stack([x0, np.maximum(x1 - x0, 0), y0, np.maximum(y1 - y0, 0)], axis=1)
    drawn = np.flatnonzero(boxes[:, 1] * boxes[:, 3] > 0)  # a segment wholly off the image inks nothing
    if len(drawn) == 0:
        return image
    grid = int(boxes[drawn, 1].max() * boxes[drawn, 3].max())  # pixels `_cover` evaluates per segment
    step = max(1, RENDER_CHUNK // grid)
    for start in range(0, len(drawn), step):  # about RENDER_CHUNK pixels at once: bounded memory
        chosen = drawn[start : start + step]
        _cover(image, a[chosen], b[chosen], boxes[chosen], radius)
    return image


def _cover(image: np.ndarray, a: np.ndarray, b: np.ndarray, boxes: np.ndarray, radius: float) -> None:
    """Ink the pixels of `boxes` (x0, width, y0, height per segment) by their pen coverage: each
    segment's pixels laid over a grid the size of the largest box, the cells beyond its own box
    left out (one array operation for all segments, no per-pixel indexing)."""
    x0, bw, y0, bh = boxes.T
    cols, rows = np.arange(bw.max()), np.arange(bh.max())
    px, py = x0[:, None] + cols, y0[:, None] + rows  # (segments, columns), (segments, rows)
    d = b - a
    length2 = np.maximum((d * d).sum(axis=1), 1e-12)[:, None, None]
    dx, dy = d[:, 0, None, None], d[:, 1, None, None]
    rx = (px + 0.5 - a[:, :1])[:, None, :]  # from the segment start to pixel centres
    ry = (py + 0.5 - a[:, 1:])[:, :, None]
    t = np.clip((rx * dx + ry * dy) / length2, 0.0, 1.0)
    dist = np.hypot(rx - t * dx, ry - t * dy)
    coverage = np.clip(radius + 0.5 - dist, 0.0, 1.0).astype(np.float32)
    inside = (rows[None, :, None] < bh[:, None, None]) & (cols[None, None, :] < bw[:, None, None])
    index = py[:, :, None] * image.shape[1] + px[:, None, :]
    np.maximum.at(image.reshape(-1), index[inside], coverage[inside])


def _split_long(a: np.ndarray, b: np.ndarray, piece: float) -> tuple[np.ndarray, np.ndarray]:
    """Cut segments longer than `piece` into equal pieces: a long diagonal segment's bounding box
    is mostly empty pixels, a short piece's is not, so the work follows the ink."""
    parts = np.maximum(np.ceil(np.hypot(*(b - a).T) / piece).astype(np.int64), 1)
    if int(parts.max(initial=1)) == 1:
        return a, b
    seg = np.repeat(np.arange(len(a)), parts)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(parts) - parts, parts)
    d = (b - a)[seg] / parts[seg, None]
    start = a[seg] + d * k[:, None]
    return start, start + d


def _segments(strokes: Strokes, scale: float, offset: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Start and end points of every segment (a single point is a zero-length segment), keeping
    one point per MIN_STEP pixels travelled: denser points add cost, not ink."""
    starts, ends = [], []
    for stroke in strokes:
        points = np.asarray(stroke, np.float64).reshape(-1, 2) * scale + offset
        if len(points) == 0:
            continue
        travelled = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
        step = np.floor(travelled / MIN_STEP)
        keep = np.flatnonzero(np.diff(step, prepend=-1.0) > 0)  # first point of each MIN_STEP of travel
        points = points[np.union1d(keep, [len(points) - 1])]
        if len(points) == 1:
            points = np.vstack([points, points])
        starts.append(points[:-1])
        ends.append(points[1:])
    if not starts:
        return np.zeros((0, 2)), np.zeros((0, 2))
    return np.concatenate(starts), np.concatenate(ends)


def strokes_to_raster(strokes: Strokes, pen_width: float | None = None) -> np.ndarray:
    """Redraw the strokes at the working scale (the digit's longer side = BOX * WORK px) with MNIST's
    relative stroke width, whatever pen and size they were drawn with.

    `pen_width` is the width the user drew with, in the strokes' units: a drawing smaller than
    its own pen is scaled as if it were that big, and one whose ink spans fewer than DOT_EXTENT
    pen widths (a tap, a short dab of a wide pen) is a dot, as in a picture, drawn at most one
    MNIST pen long so that it stays one. None: the pen is not known (UNKNOWN_PEN, and no dot rule).
    """
    points = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes]
    points = [p for p in points if len(p)]
    if any(not np.isfinite(p).all() for p in points):
        raise ValueError("a stroke has a point that is not a finite number")
    side = SIZE * WORK
    if not points:
        return np.zeros((side, side), np.float32)
    allpts = np.concatenate(points)
    lo, hi = allpts.min(axis=0), allpts.max(axis=0)
    extent = float(max(hi - lo))
    pen = STROKE_WIDTH * WORK
    size = max(extent, UNKNOWN_PEN if pen_width is None else pen_width, 1e-6)
    if pen_width is not None and extent + pen_width < DOT_EXTENT * pen_width:
        size = max(size, extent * (BOX * WORK - pen) / pen)
    travel = sum(float(np.hypot(*np.diff(p, axis=0).T).sum()) for p in points)
    if travel > MAX_INK_TRAVEL * size:
        raise InkBudgetError(
            f"the strokes travel {travel / size:.0f} times the drawing's size "
            f"(at most {MAX_INK_TRAVEL}): too much ink to read as a digit"
        )
    scale = (BOX * WORK - pen) / size
    centre = (lo + hi) / 2.0
    offset = side / 2.0 - centre * scale
    return render_strokes(points, (side, side), pen, scale, (float(offset[0]), float(offset[1])))


def strokes_to_input(strokes: Strokes, pen_width: float | None = None) -> np.ndarray:
    """Strokes -> the model's 28x28 input: `strokes_to_raster` (which already fitted the size, so
    a dot stays small), averaged down to 28x28, centre of mass at the centre."""
    small = resize(strokes_to_raster(strokes, pen_width), SIZE, SIZE)
    if float(small.max(initial=0.0)) <= 0.0:
        return empty_input()
    return center(_crop(small / float(small.max())))


# --- pictures -------------------------------------------------------------------------------------


def to_ink(pixels: np.ndarray) -> np.ndarray:
    """Any picture (HxW gray, HxWx3 RGB or HxWx4 RGBA; uint8 or 0..1 floats) -> ink in 0..1,
    read-only: the last picture's ink is remembered (`_find_ink`), since opening a picture finds
    it twice (to check the picture, then to read it) and a 4-megapixel photo's takes 0.3 s."""
    a = np.ascontiguousarray(pixels)
    key = (a.shape, a.dtype.str, hashlib.blake2b(a.data, digest_size=16).digest())
    ink = _last_ink.get(key)
    if ink is None:
        ink = _find_ink(a)
        ink.setflags(write=False)
        _last_ink.clear()
        _last_ink[key] = ink
    return ink


_last_ink: dict[tuple[object, ...], np.ndarray] = {}  # at most one picture's: `to_ink`


def _find_ink(pixels: np.ndarray) -> np.ndarray:
    """A picture's ink (`to_ink`).

    A scan, a screenshot or a drawing app's file has one grey of paper all round its edge (or is a
    tight crop, or has no grain at all): the ink is how far each pixel is from that grey, on the
    side the picture's tones reach further to. A photo's paper is not one grey: light falls off
    across the sheet, a hand's shadow crosses it, a dark desk shows round it. Its paper is found
    pixel by pixel, as the picture with its strokes filled in (`paper_behind`), and ink is how
    much darker than its own paper each pixel is, as a share of that paper's brightness (a stroke
    in a shadow is as black as one in the light). A photo's grain (sensor noise) is not ink, and
    one with no mark above its grain holds none. Transparent pixels count as background.
    """
    gray, alpha = _gray_and_alpha(pixels)
    behind = _backdrop(gray, alpha)
    if behind is not None and alpha is not None:
        gray = gray * alpha + behind * (1.0 - alpha)
    edge = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    flat = float(np.median(edge))
    sample = _sample(gray)
    low, high = (float(v) for v in np.percentile(sample, [INK_TAIL, 100.0 - INK_TAIL]))
    one_grey = np.mean(np.abs(edge - flat) <= FLAT) >= FLAT_EDGE
    if one_grey:  # that grey is the paper: the ink is the tone more of the picture departs to
        darker, lighter = float(np.mean(sample < flat - FLAT)), float(np.mean(sample > flat + FLAT))
    else:  # ink at the edge (a tight crop): the tone the picture's tones reach further to
        darker, lighter = flat - low, high - flat
    light = darker > lighter if darker != lighter else flat > 0.5  # a glare spot, a label: smaller than the writing
    inked = np.mean(np.abs(sample - flat) > max(flat - low, high - flat) / 2)
    page = gray if light else 1.0 - gray  # from here on, dark ink on light paper
    paper: np.ndarray = np.full_like(page, flat if light else 1.0 - flat)
    large = min(gray.shape) >= PHOTO_SIDE  # a few dozen pixels across: an icon or a crop, no photo
    noise = _noise(gray) if large else 0.0
    commonest = np.bincount(np.rint(sample * 255).astype(np.intp).ravel(), minlength=256).max() / sample.size
    clean = noise == 0 and commonest >= CLEAN_SHARE  # paper of one exact grey and no grain: made, not photographed
    # Not one grey all round the edge with ink on a minority of the picture, or light "ink" where
    # the thin marks are clearly dark: a photo (a denoised one has no grain, but no paper of one
    # exact grey either). A sheet on a desk has one grey all round too, but its "ink" would be the
    # whole sheet; so would a card on a desk, or a lamp's bright patch (QA). Only a clear verdict
    # overrules: chalk or white strokes wider than the windows that tell thin marks are dark by
    # default (review), and so is a marker's dark ink on one grey.
    uneven = not one_grey or inked >= FLAT_INK
    tone = _ink_tone_and_width(gray) if large and not clean and (uneven or not light) else None
    if tone is not None and (uneven or (tone.dark and tone.clearly)):
        photo, light = True, tone.dark
        page = gray if light else 1.0 - gray
        paper = paper_behind(page, tone.radius)
    else:
        photo = False
    above = paper - page
    if noise > 0:
        above = _box_mean(above, GRAIN_BOX)
        noise /= GRAIN_BOX
    grain = float(np.median(_sample(above)))
    if noise > 0 and float(above.max()) < grain + BLANK_GRAIN * noise:
        return np.zeros_like(page)  # a blank page: nothing stands out from its grain
    floor = max(grain + GRAIN * noise, 0.0) if noise > 0 else 0.0  # a clean picture's faintest ink is ink
    shade = np.maximum(paper, max(SHADE * float(np.percentile(_sample(paper), 99)), 1e-6))
    ink = np.clip((above - floor) / np.maximum(shade - floor, 1e-6), 0.0, 1.0)
    if photo:  # the found paper follows light and shadow to within PHOTO_INK of its brightness
        ink = np.clip((ink - PHOTO_INK) / (1.0 - PHOTO_INK), 0.0, 1.0)
    return ink


def _box_mean(image: np.ndarray, width: int) -> np.ndarray:
    """The mean of each pixel's square of `width` pixels (the edge repeated beyond the image)."""
    h, w = image.shape
    padded = np.pad(image, width // 2, mode="edge")
    total = np.zeros_like(image)
    for i in range(width):
        for j in range(width):
            total += padded[i : i + h, j : j + w]
    return total / float(width * width)


def _noise(gray: np.ndarray) -> float:
    """The standard deviation of a picture's grain (sensor noise), robustly: from each pixel's
    difference to the mean of its neighbours along the row, which smooth light, blur and the
    insides of strokes leave near zero and grain does not (a median over the picture: most of it
    is paper). Pixels clipped to black or white (an overexposed sheet) show no grain: where the
    others are UNCLIPPED of the picture, they alone are measured. 0 for a clean picture, whose
    greys are only rounded (less than MIN_GRAIN)."""
    bends = _sample(gray[:, 2:] - 2.0 * gray[:, 1:-1] + gray[:, :-2])
    inside = (gray > 0.0) & (gray < 1.0)
    unclipped = _sample(inside[:, 2:] & inside[:, 1:-1] & inside[:, :-2])
    if np.mean(unclipped) >= UNCLIPPED:  # else the few unclipped pixels are a clean picture's ink edges
        bends = bends[unclipped]
    noise = MAD_TO_SIGMA * float(np.median(np.abs(bends - np.median(bends)))) / BEND_TO_SIGMA
    return noise if noise >= MIN_GRAIN else 0.0


def _sample(values: np.ndarray) -> np.ndarray:
    """At most about STATISTICS_SAMPLE of a picture's pixels, evenly spread: its medians and
    percentiles, at a fraction of the cost on a photo of millions."""
    step = max(1, math.isqrt(values.size // STATISTICS_SAMPLE))
    return values[::step, ::step]


@dataclass(frozen=True)
class Tone:
    """A photo's ink as its thin marks tell it (`_ink_tone_and_width`)."""

    dark: bool  # the ink is darker than its paper
    clearly: bool  # ... and the thin marks say so clearly: not only by default
    radius: int  # of the windows that find the paper behind it (STROKE_MARGIN times the strokes')


def _ink_tone_and_width(gray: np.ndarray) -> Tone:
    """The ink's tone and the windows that find its paper, measured on a small copy of the picture."""
    scale = max(1.0, min(gray.shape) / PAPER_SIDE, max(gray.shape) / PAPER_LONGEST)
    small = resize(gray, *(max(1, round(n / scale)) for n in gray.shape)) if scale > 1 else gray
    filled = {light: _filled(small if light else 1.0 - small) for light in (True, False)}
    at, dark, light = _tone_fills(filled, min(small.shape))
    is_dark = dark >= light or light < POLARITY_CLEAR * dark
    radius = math.ceil(STROKE_MARGIN * _stroke_radius(filled[is_dark]) * scale)
    # Clearly dark: by far more, or more and done at that window (thin pen marks are filled in by
    # then; chalk wider than it is not). A small card on a desk fills in hardly more (review).
    fills = [fill for _, fill in filled[True]]
    settled = at + 1 < len(fills) and fills[at + 1] <= SETTLED * fills[at]
    return Tone(is_dark, dark >= POLARITY_CLEAR * light or (dark >= light and settled), radius)


def paper_behind(page: np.ndarray, radius: int) -> np.ndarray:
    """The paper of a dark-on-light page: its strokes, narrower than 2*radius+1 pixels, filled in
    by the paper around them. A side of the picture darker than the page (a desk round the sheet)
    is taken to go on beyond it, so no strip of it between the sheet and that side is taken for a
    stroke; the other sides go on as the page does (writing near them is kept)."""
    middle = float(np.median(_sample(page)))
    sides = [page[0], page[-1], page[:, 0], page[:, -1]]
    dark = [radius if float(np.median(side)) < SURROUND * middle else 0 for side in sides]
    if not any(dark):
        return closing(page, radius)
    padded = np.pad(page, ((dark[0], dark[1]), (dark[2], dark[3])), constant_values=0.0)
    h, w = page.shape
    return closing(padded, radius)[dark[0] : dark[0] + h, dark[2] : dark[2] + w]


def _filled(page: np.ndarray) -> list[tuple[int, float]]:
    """How much dark a closing fills in (the sum of the paper above the page) with each of
    PAPER_RADII, as far as windows a quarter of the page's shorter side."""
    radii = [r for r in PAPER_RADII if 2 * r + 1 <= min(page.shape) / 4] or [PAPER_RADII[0]]
    return [(r, float((closing(page, r) - page).sum())) for r in radii]


def _tone_fills(filled: dict[bool, list[tuple[int, float]]], side: int) -> tuple[int, float, float]:
    """Which of the windows is about a stroke wide, and how much it fills in of the dark tone and of
    the light one. Strokes are thinner than the paper between them, so the ink's tone fills in
    clearly more; when neither does clearly (a blank sheet, a marker's strokes wider than the
    windows), the photo is of dark writing on paper, as nearly every photo of writing is (chalk on
    a board is told by its fill)."""
    widest = max(POLARITY_MIN_WINDOW, POLARITY_WINDOW * side)
    fits = [i for i, (r, _) in enumerate(filled[True]) if 2 * r + 1 <= widest]
    at = fits[-1] if fits else 0
    return at, filled[True][at][1], filled[False][at][1]


def _stroke_radius(filled: list[tuple[int, float]]) -> int:
    """The window radius that fills the strokes in: the last before the sums stop growing fast
    (they settle once every stroke is filled), else the one before the slowest growth; but when
    every wider window still fills in UNFILLED times more, the strokes are wider than them all (a
    tight crop of a thick digit, enlarged: that one left most of its ink as paper), and the
    widest is taken."""
    steps = list(zip(filled, filled[1:], strict=False))
    for (r, before), (_, after) in steps:
        if after <= SETTLED * before:
            return r
    if not steps:
        return filled[0][0]
    slowest = min(steps, key=lambda step: step[1][1] / max(step[0][1], 1e-12))
    if slowest[1][1] >= UNFILLED * slowest[0][1]:
        return filled[-1][0]
    return slowest[0][0]


def on_backdrop(rgba: np.ndarray) -> np.ndarray:
    """An (H, W, 4) uint8 picture with its see-through parts laid on the grey `to_ink` reads them
    against (white behind dark ink, black behind light): shown so, it looks as it is read (a white
    digit drawn only in alpha showed as nothing on a light theme's white paper, in the window and in
    the history). An opaque picture comes back as it is."""
    if rgba[..., 3].min() >= 0.98 * 255:
        return rgba  # opaque: no grey of the whole picture to make
    grey = _backdrop(*_gray_and_alpha(rgba))
    if grey is None:
        return rgba
    alpha = rgba[..., 3:].astype(np.float32) / 255.0
    rgb = rgba[..., :3] * alpha + 255.0 * grey * (1.0 - alpha)
    return np.concatenate([np.round(rgb), np.full_like(alpha, 255.0)], axis=2).astype(np.uint8)


def _gray_and_alpha(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """A picture's grey in 0..1 and its alpha, if it has one; ValueError for what is not a picture."""
    a = np.asarray(pixels)
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)) or min(a.shape[:2]) < 1:
        raise ValueError(f"expected a gray, RGB or RGBA image, got an array of shape {a.shape}")
    a = a.astype(np.float32) / (255.0 if a.dtype == np.uint8 else 1.0)
    if not np.isfinite(a).all():
        raise ValueError("the image has pixels that are not finite numbers")
    if a.ndim == 2:
        a = a[..., None]
    alpha = a[..., 3] if a.shape[2] == 4 else None
    gray = a[..., 0] if a.shape[2] == 1 else a[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
    return gray, alpha


def _backdrop(gray: np.ndarray, alpha: np.ndarray | None) -> float | None:
    if alpha is None or alpha.min() >= 0.98:
        return None
    visible = alpha > 0.5
    content = float(gray[visible].mean()) if visible.any() else 0.0
    return 1.0 if content < 0.5 else 0.0


def image_to_input(pixels: np.ndarray) -> np.ndarray:
    """A picture of one digit -> the model's 28x28 input (its ink, then `ink_to_input`)."""
    return ink_to_input(to_ink(pixels))


def ink_to_input(ink: np.ndarray) -> np.ndarray:
    """A picture's ink (`to_ink`, or a part of it) -> the model's 28x28 input (crop, stroke width,
    fit, centre)."""
    peak = float(ink.max(initial=0.0))
    if peak < 0.1:
        return empty_input()
    ink = _crop(ink / peak)
    h, w = ink.shape
    width = stroke_width(ink)
    if width and max(h, w) < DOT_EXTENT * width:
        # A dot or blob, not a digit: keep it the size of a pen tip, do not blow it up.
        scale = (STROKE_WIDTH + 1.0) / max(h, w)
        return center(resize(ink, max(1, round(h * scale)), max(1, round(w * scale))))
    scale = BOX * WORK / max(h, w)
    work = resize(ink, max(1, round(h * scale)), max(1, round(w * scale)))
    work = np.pad(work / max(float(work.max()), 1e-6), WORK * 4)  # a hairline fades when shrunk: restore it
    return fit_and_center(normalize_stroke_width(work, STROKE_WIDTH * WORK))


def stroke_width(ink: np.ndarray) -> float:
    """Typical stroke width in pixels: 2 * area / perimeter of the ink above half strength."""
    mask = ink > 0.5
    area = int(mask.sum())
    perimeter = int((mask[1:] != mask[:-1]).sum() + (mask[:, 1:] != mask[:, :-1]).sum())
    perimeter += int(mask[0].sum() + mask[-1].sum() + mask[:, 0].sum() + mask[:, -1].sum())
    return 0.0 if perimeter == 0 else 2.0 * area / perimeter


def normalize_stroke_width(ink: np.ndarray, target: float) -> np.ndarray:
    """Thin (erode) or thicken (dilate) the strokes when they are far from `target` pixels wide."""
    width = stroke_width(ink)
    if width == 0:
        return ink
    radius = int(round(abs(width - target) / 2.0))
    if width > target * 1.4 and radius:
        return _filter(ink, radius, np.min)
    if width < target / 1.4 and radius:
        return _filter(ink, radius, np.max)
    return ink


def _filter(image: np.ndarray, radius: int, reduce) -> np.ndarray:
    """Grey-scale erosion (np.min) or dilation (np.max) with a disk of `radius` pixels."""
    k = 2 * radius + 1
    padded = np.pad(image, radius)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k))
    yy, xx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    disk = (yy**2 + xx**2) <= radius**2 + radius
    return reduce(windows[..., disk], axis=-1)


# --- shared: the MNIST recipe ---------------------------------------------------------------------


def _ink_bounds(ink: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the rows and of the columns that hold a pixel above `level`."""
    mask = ink > level
    return np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))


def _crop(ink: np.ndarray) -> np.ndarray:
    """Crop to the bounding box of the pixels that count as ink."""
    rows, cols = _ink_bounds(ink, INK_THRESHOLD * ink.max())
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def fit_and_center(ink: np.ndarray) -> np.ndarray:
    """MNIST's recipe on an ink image of any size: crop, fit into BOX x BOX, centre of mass at 14,14."""
    if float(ink.max(initial=0.0)) <= 0.0:
        return empty_input()
    glyph = _crop(ink)
    h, w = glyph.shape
    scale = BOX / max(h, w)
    glyph = resize(glyph, max(1, round(h * scale)), max(1, round(w * scale)))
    return center(np.clip(glyph / max(float(glyph.max()), 1e-6), 0.0, 1.0))


def center(glyph: np.ndarray) -> np.ndarray:
    """Place a glyph (at most SIZE x SIZE) in the 28x28 field with its centre of mass at the centre,
    as far as the field allows."""
    out = empty_input()
    gh, gw = glyph.shape
    total = float(glyph.sum())
    cy = float((glyph.sum(axis=1) * np.arange(gh)).sum() / total)
    cx = float((glyph.sum(axis=0) * np.arange(gw)).sum() / total)
    top = int(np.clip(round((SIZE - 1) / 2.0 - cy), 0, SIZE - gh))
    left = int(np.clip(round((SIZE - 1) / 2.0 - cx), 0, SIZE - gw))
    out[top : top + gh, left : left + gw] = glyph
    return out


def resize(image: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """Anti-aliased resampling (triangle filter widened when shrinking, like PIL's BILINEAR)."""
    return _weights(out_h, image.shape[0]) @ image.astype(np.float32) @ _weights(out_w, image.shape[1]).T


@lru_cache(maxsize=64)
def _weights(n_out: int, n_in: int) -> np.ndarray:
    """Row-normalised (n_out, n_in) interpolation matrix for one axis, made once per pair of sizes
    (a drawing's 112 -> 28 comes back on every stroke event) and read-only, since it is shared."""
    scale = n_in / n_out
    support = max(scale, 1.0)
    centres = (np.arange(n_out) + 0.5) * scale
    sources = np.arange(n_in) + 0.5
    weights = np.clip(1.0 - np.abs(sources[None, :] - centres[:, None]) / support, 0.0, None)
    sums = weights.sum(axis=1, keepdims=True)
    nearest = np.clip(centres.astype(int), 0, n_in - 1)
    weights[sums[:, 0] == 0, nearest[sums[:, 0] == 0]] = 1.0
    matrix = (weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)).astype(np.float32)
    matrix.setflags(write=False)
    return matrix
