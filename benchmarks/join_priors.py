"""Measure core.segment.JOIN_PRIOR: how often two neighbouring pieces of ink are one character.

Numbers are composed as `benchmarks/number_reading.py` composes them, from the digits of the
VALIDATION_GROUPS' writers (never the test groups), plus each of those digits alone (a digit drawn
in several strokes is several pieces too). Every number knows which strokes each character has, so
each pair of neighbouring pieces `core.segment.layout` finds is either one character or two. Pairs
are counted by their `link` (how the shorter stands, whether the ink touches, whether they overlap);
pairs further apart than `link` looks (JOIN_GAP, FLOATING_GAP when one floats) are counted by how
far apart they are, since the segmentation never joins them.

    .venv/bin/python benchmarks/join_priors.py [--unipen ../shared/data/unipen] [--numbers 2200]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.number_reading import SEED, Number, make_numbers  # noqa: E402

from handwriting_recognizer.core.numbers import stroke_mark  # noqa: E402
from handwriting_recognizer.core.segment import JOIN_PRIOR, Piece, layout, link  # noqa: E402
from handwriting_recognizer.training import pen_data  # noqa: E402
from handwriting_recognizer.training.unipen import load_unipen  # noqa: E402

PRIOR_RANGE = (0.01, 0.99)  # a prior a reading can always overrule
APART_BANDS = (0.1, 0.2, 0.3, 0.5)  # gaps, in line heights, that pairs too far apart to join are counted by


def pairs(number: Number) -> list[tuple[object, bool]]:
    """Each pair of neighbouring digit pieces of `number`: its `link` (or the band of its gap when
    too far apart), and whether its two pieces are one character."""
    owner = [i for i, strokes in enumerate(number.characters) for s in strokes if len(s)]
    marks = [stroke_mark(np.asarray(s, np.float64)) for s in number.strokes if len(s)]
    lay = layout(marks)

    def character(piece: Piece) -> int | None:
        owners = {owner[m] for m in piece.marks}
        return owners.pop() if len(owners) == 1 else None

    out: list[tuple[object, bool]] = []
    for k in range(len(lay.pieces) - 1):
        a, b = lay.pieces[k], lay.pieces[k + 1]
        one = character(a) is not None and character(a) == character(b)
        features = link(a, b, lay.floating[k] or lay.floating[k + 1], marks, lay.height)
        if features is None:
            gap = (max(a.box[0], b.box[0]) - min(a.box[2], b.box[2])) / lay.height
            features = ("apart", next((band for band in APART_BANDS if gap <= band), np.inf))
        out.append((features, one))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unipen", default=None, help="UNIPEN train_r01_v07 (default: $HWR_UNIPEN, else ../shared)")
    parser.add_argument("--numbers", type=int, default=2200, help="numbers to compose (lengths 2-12 evenly)")
    parser.add_argument("--seed", type=int, default=SEED + 2, help="composition (number_reading.py: SEED, SEED + 1)")
    args = parser.parse_args()
    root = pen_data.resolve_unipen(args.unipen) or ROOT.parent / "shared" / "data" / "unipen"
    samples = load_unipen(root, (pen_data.DIGITS_CATEGORY,), pen_data.VALIDATION_GROUPS)
    numbers = make_numbers(samples, args.numbers, np.random.default_rng(args.seed))
    alone = [Number(s.label, [s.strokes], 1.0) for s in samples]
    total, joined = Counter[object](), Counter[object]()
    for number in numbers + alone:
        for features, one in pairs(number):
            total[features] += 1
            joined[features] += one
    print(f"{len(numbers)} numbers and {len(alone)} digits of {', '.join(pen_data.VALIDATION_GROUPS)}\n")
    print("| how they stand | touch | overlap | pairs | one character | prior | JOIN_PRIOR now |")
    print("|---|---|---|---:|---:|---:|---:|")
    for features in JOIN_PRIOR:
        n = total[features]
        share = joined[features] / n if n else float("nan")
        prior = float(np.clip(round(share, 2), *PRIOR_RANGE)) if n else float("nan")
        stands = " | ".join(str(f) for f in features)
        print(f"| {stands} | {n} | {share:.1%} | {prior:.2f} | {JOIN_PRIOR[features]:.2f} |")
    print("\nToo far apart to be joined (gap in line heights): pairs, and how many were one character")
    for band in (*APART_BANDS, np.inf):
        n = total[("apart", band)]
        print(f"- gap up to {band}: {n} pairs, {joined[('apart', band)]} one character")


if __name__ == "__main__":
    main()
