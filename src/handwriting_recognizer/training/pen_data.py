"""Real pen writing as training data: UNIPEN's digits, the styles made from them and the "not a digit"
examples, rendered to 28x28 through the app's own stroke pipeline (core.preprocess.strokes_to_input,
the function the canvas uses), so the network trains on exactly what it will be shown.

Writers are held out by whole contributor group: VALIDATION_GROUPS choose the checkpoint, the
temperature and the unsure threshold; TEST_GROUPS are only measured (benchmarks/real_writing.py).
Training uses the other groups, each digit several times with pen-level augmentation.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from handwriting_recognizer.core.contract import NOT_A_DIGIT_CLASS, SIZE, UINT8_INK
from handwriting_recognizer.core.preprocess import InkBudgetError, is_blank, strokes_to_input
from handwriting_recognizer.core.train_config import UNIPEN_ENV
from handwriting_recognizer.training import negatives, styles
from handwriting_recognizer.training.strokes import Strokes, augment
from handwriting_recognizer.training.unipen import PenSample, Progress

log = logging.getLogger(__name__)

SOURCE = (
    "UNIPEN train_r01_v07 (CC BY 4.0, doi:10.5281/zenodo.1195803; Guyon et al., ICPR 1994): digits, "
    "letters and symbols, groups other than the validation and test groups"
)
# Training takes the groups with the most writers but one (tos 57, apb 38, imp 34: ~180 writers in
# all), since the network learns a group's own writers' quirks when few write many digits (syn: 17
# writers, 4,554 digits); validation the next (ced, 42 writers); test the rest (aga, art, pri: 20).
VALIDATION_GROUPS = ("ced",)  # checkpoint, calibration and threshold: writers never trained on
TEST_GROUPS = ("aga", "art", "pri")  # reported only: writers neither trained nor chosen on
DIGITS_CATEGORY, NEGATIVE_CATEGORIES = "1a", ("1b", "1c", "1d")
COPIES = 3  # augmented renderings of each training pen digit
STYLE_SHARE = 0.35  # of the digits a style can be made from, this share also gets that style
DRAWN_STYLE_SHARE = 0.05  # drawn (control-point) examples of each such style, per pen digit
SCRIBBLE_SHARE = 0.25  # scribbles and shapes, per training pen digit (or MNIST image without pen data)
PAIR_SHARE = 0.15  # two digits side by side, per training pen digit
HALF_SHARE = 0.5  # half-drawn digits, per training pen digit that can make one (0, 3, 8)


@dataclass(frozen=True)
class PenData:
    """Rendered pen data: uint8 (N, 28, 28) images, ink = UINT8_INK, with class numbers (the digits,
    NOT_A_DIGIT_CLASS), to train on and to validate on."""

    train_x: np.ndarray
    train_y: np.ndarray
    val_x: np.ndarray
    val_y: np.ndarray
    source: str | None  # where the pen writing came from; None: scribbles only


def resolve_unipen(path: str | None) -> Path | None:
    """The UNIPEN copy to train on: `path`, else $HWR_UNIPEN, else None (no pen data)."""
    chosen = path or os.environ.get(UNIPEN_ENV)
    return Path(chosen) if chosen else None


def readable_input(strokes: Strokes) -> np.ndarray | None:
    """A drawing's model input, or None when the app would not read it (blank, over the ink budget)."""
    try:
        x = strokes_to_input(strokes)
    except InkBudgetError:
        return None
    return None if is_blank(x) else x


def render(drawings: Iterable[Strokes], each: Callable[[], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Drawings -> uint8 inputs, and which drawings were usable (not blank, within the ink budget);
    `each` is called after each drawing (about 1.5 ms each on one core: tens of thousands take minutes)."""
    images, usable = [], []
    for strokes in drawings:
        x = readable_input(strokes)
        if each is not None:
            each()
        usable.append(x is not None)
        if x is not None:
            images.append(np.rint(x * UINT8_INK).astype(np.uint8))
    stack = np.stack(images) if images else np.zeros((0, SIZE, SIZE), np.uint8)
    return stack, np.array(usable, bool)


def _labelled(
    drawings: list[tuple[Strokes, int]], each: Callable[[], None] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    x, usable = render((strokes for strokes, _ in drawings), each)
    y = np.array([label for _, label in drawings], np.int64)[usable] if drawings else np.zeros(0, np.int64)
    return x, y


def digits_of(samples: list[PenSample]) -> list[tuple[Strokes, int]]:
    return [(s.strokes, int(s.label)) for s in samples if s.category == DIGITS_CATEGORY and s.label.isdigit()]


def negatives_of(samples: list[PenSample]) -> list[Strokes]:
    return [
        s.strokes for s in samples if s.category in NEGATIVE_CATEGORIES and negatives.is_negative_character(s.label)
    ]


def styled(digits: list[tuple[Strokes, int]], rng: np.random.Generator, share: float) -> list[tuple[Strokes, int]]:
    """The styles made from real digits (for `share` of those of each style's class) and the drawn styles."""
    out: list[tuple[Strokes, int]] = []
    for label, _, make in styles.FROM_DIGIT:
        for strokes, digit in digits:
            if digit == label and rng.random() < share:
                made = make(strokes, rng)
                if made is not None:
                    out.append((made, label))
    return out


def drawn_styles(rng: np.random.Generator, copies: int) -> list[tuple[Strokes, int]]:
    return [(styles.drawn(make, rng), label) for label, _, make in styles.DRAWN for _ in range(copies)]


def made_negatives(digits: list[tuple[Strokes, int]], rng: np.random.Generator, scribbles: int) -> list[Strokes]:
    """Scribbles and shapes, half-drawn digits and pairs of digits side by side."""
    out = [negatives.scribble(rng) for _ in range(scribbles)]
    halves = [s for s, label in digits if label in negatives.PARTIAL_DIGITS]
    out += [negatives.half_digit(s, rng) for s in halves if rng.random() < HALF_SHARE]
    if len(digits) >= 2:
        for _ in range(int(PAIR_SHARE * len(digits))):
            a, b = rng.integers(len(digits), size=2)
            out.append(negatives.two_digits(digits[a][0], digits[b][0], rng))
    return out


def drawings(
    samples: list[PenSample], rng: np.random.Generator, copies: int, augmenting: Callable[[Strokes], Strokes]
) -> list[tuple[Strokes, int]]:
    """What a part of the pen data is drawn from, with class numbers: each digit `copies` times,
    the styles made from them and drawn, the writers' letters and symbols and the made negatives,
    each but the drawn styles through `augmenting`."""
    digits = digits_of(samples)
    out = [(augmenting(s), label) for _ in range(copies) for s, label in digits]
    out += [(augmenting(s), label) for s, label in styled(digits, rng, STYLE_SHARE)]
    out += drawn_styles(rng, max(1, int(DRAWN_STYLE_SHARE * len(digits))))
    others = negatives_of(samples) + made_negatives(digits, rng, int(SCRIBBLE_SHARE * len(digits)))
    return out + [(augmenting(s), NOT_A_DIGIT_CLASS) for s in others]


def build(samples: list[PenSample], seed: int, limit: int | None = None, progress: Progress | None = None) -> PenData:
    """Training and validation data from UNIPEN samples (digits and negatives): training groups
    augmented COPIES times, VALIDATION_GROUPS as written (plus their styles and negatives);
    TEST_GROUPS left out. `limit` caps the digits of each part (quick runs). `progress` is told the
    drawings rendered so far of all there are, once they are made (the whole corpus: 50,000 drawings
    made in about 14 s, rendered in about 70 s on one core)."""
    start = time.monotonic()
    rng = np.random.default_rng(seed)
    train = [s for s in samples if s.group not in VALIDATION_GROUPS + TEST_GROUPS]
    val = [s for s in samples if s.group in VALIDATION_GROUPS]
    if limit is not None:
        train, val = _capped(train, limit, rng), _capped(val, max(1, limit // 5), rng)
    train_drawings = drawings(train, rng, COPIES, lambda s: augment(s, rng))
    val_drawings = drawings(val, np.random.default_rng(seed + 1), 1, lambda s: s)
    each = _counter(progress, len(train_drawings) + len(val_drawings))
    train_x, train_y = _labelled(train_drawings, each)
    val_x, val_y = _labelled(val_drawings, each)
    log.info(
        "pen data: %d training images (%d not digits), %d validation (%d not digits) in %.0f s",
        len(train_y),
        int((train_y == NOT_A_DIGIT_CLASS).sum()),
        len(val_y),
        int((val_y == NOT_A_DIGIT_CLASS).sum()),
        time.monotonic() - start,
    )
    return PenData(train_x, train_y, val_x, val_y, SOURCE)


def scribbles_only(count: int, seed: int, progress: Progress | None = None) -> PenData:
    """Without pen data: scribbles and shapes as the only "not a digit" examples, so a model trained
    on MNIST alone still has that class. `progress` is told the scribbles drawn so far of all."""
    rng = np.random.default_rng(seed)
    val_count = max(1, count // 10)
    each = _counter(progress, count + val_count)
    x, _ = render((negatives.scribble(rng) for _ in range(count)), each)
    vx, _ = render((negatives.scribble(rng) for _ in range(val_count)), each)
    none = NOT_A_DIGIT_CLASS
    return PenData(x, np.full(len(x), none, np.int64), vx, np.full(len(vx), none, np.int64), None)


def _capped(samples: list[PenSample], limit: int, rng: np.random.Generator) -> list[PenSample]:
    """At most `limit` digits and `limit` negatives, chosen at random."""
    digits = [s for s in samples if s.category == DIGITS_CATEGORY]
    others = [s for s in samples if s.category != DIGITS_CATEGORY]
    pick = [digits[i] for i in rng.permutation(len(digits))[:limit]]
    return pick + [others[i] for i in rng.permutation(len(others))[:limit]]


def _counter(progress: Progress | None, total: int) -> Callable[[], None] | None:
    """What counts one of `total` done for `progress` (None without one)."""
    if progress is None:
        return None
    done = 0

    def each() -> None:
        nonlocal done
        done += 1
        progress(done, total)

    return each
