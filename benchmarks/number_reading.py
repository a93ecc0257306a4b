"""How well whole numbers are read: real pen digits of held-out writers composed into numbers.

Numbers of 2-12 characters are written with the digits of one UNIPEN writer of the held-out groups
(pen_data.TEST_GROUPS by default: writers neither trained on nor used to choose anything) the way
people write a number on a line: each digit at its own size, natural gaps (some pairs touching or
overlapping a little), a baseline that drifts and tilts, the whole number slanted, some with a
decimal point (a tap or a tick near the baseline) or a leading minus. Each is read as the app reads
it (core.numbers, from strokes) and, with --pictures, as a picture of the same ink. Handmade
drawings (tests/handmade.py) are read too.

Reports whole-string exact match and per-character accuracy (1 - edit distance / length) by
length, what the misses read as, and with --speed the time from strokes to reading of 10-character
numbers: cold (a new reader: every character rendered and read) and live (a stroke event while the
10th character is written: the reader remembers the others).

    .venv/bin/python benchmarks/number_reading.py [--model assets/model.onnx] [--numbers 1000] [--pictures] [--speed]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handwriting_recognizer.core.numbers import Character, NumberReader, NumberReading  # noqa: E402
from handwriting_recognizer.core.paths import bundled_model_path  # noqa: E402
from handwriting_recognizer.core.preprocess import render_strokes, strokes_to_input  # noqa: E402
from handwriting_recognizer.core.recognizer import Reading, Recognizer  # noqa: E402
from handwriting_recognizer.training import pen_data  # noqa: E402
from handwriting_recognizer.training.strokes import Strokes, bounds  # noqa: E402
from handwriting_recognizer.training.unipen import PenSample, load_unipen  # noqa: E402
from tests import handmade  # noqa: E402

SEED = 20261212  # no training run uses it
LENGTHS = range(2, 13)
MINUS_SHARE, POINT_SHARE = 0.15, 0.3  # numbers with a leading minus, with a decimal point
GAP = (0.22, 0.08, 0.05, 0.5)  # gap between characters in line heights: mean, spread, least, most
TOUCHING_SHARE = 0.1  # gaps that are a touch or a small overlap instead ...
TOUCHING = (-0.1, 0.0)  # ... of this many line heights
POINT_GAP = (0.08, 0.25)  # gap before and after a decimal point
MINUS_GAP = (0.15, 0.35)  # gap after a minus
SLANT = (-0.1, 0.2)  # shear added to the whole number
TILT, BOUNCE = 0.03, 0.04  # baseline slope (spread) and each character's own offset, in line heights
PEN = 0.07  # pen width in line heights (the canvas' pen on a digit filling it)
PICTURE_HEIGHT = 48  # line height in pixels when a number is drawn as a picture
SPEED_RUNS = 40  # 10-character numbers timed
EVENT_POINTS = 4  # points a coalesced stroke event adds


def writers(samples: list[PenSample]) -> dict[str, list[PenSample]]:
    out: dict[str, list[PenSample]] = defaultdict(list)
    for s in samples:
        out[s.writer].append(s)
    return dict(out)


def random_text(labels: Sequence[str], length: int, rng: np.random.Generator) -> str:
    """A number of `length` characters from the digits a writer wrote."""
    minus = length >= 2 and rng.random() < MINUS_SHARE
    point = length - minus >= 3 and rng.random() < POINT_SHARE
    digits = "".join(rng.choice(list(labels), length - minus - point))
    if point:
        at = int(rng.integers(1, len(digits)))
        digits = digits[:at] + "." + digits[at:]
    return ("-" if minus else "") + digits


def compose(text: str, pool: list[PenSample], rng: np.random.Generator) -> tuple[list[Strokes], float]:
    """The strokes of each character of `text` written with digits from `pool` (one writer), and the
    pen width."""
    height = float(np.median([np.ptp(np.concatenate(s.strokes)[:, 1]) for s in pool]))
    by_label: dict[str, list[PenSample]] = defaultdict(list)
    for s in pool:
        by_label[s.label].append(s)
    tilt = rng.normal(0.0, TILT)
    right, characters = 0.0, []
    for i, char in enumerate(text):
        x = right + _gap(text[i - 1 : i + 1], rng) * height if i else 0.0
        baseline = height + tilt * x + rng.normal(0.0, BOUNCE) * height
        if char == "-":
            xs = x + np.linspace(0.0, rng.uniform(0.3, 0.6) * height, 8)
            y = baseline - rng.uniform(0.4, 0.6) * height + np.linspace(0, rng.normal(0, 0.04) * height, 8)
            characters.append([np.stack([xs, y], 1)])
        elif char == ".":
            tick = rng.choice([0.0, rng.uniform(0.03, 0.08)]) * height
            y = baseline - 0.02 * height
            characters.append([np.array([[x, y], [x + tick * 0.5, y + tick]])])
        else:
            sample = by_label[char][int(rng.integers(len(by_label[char])))]
            lo, hi = bounds(sample.strokes)
            characters.append([s + np.array([x - lo[0], baseline - hi[1]]) for s in sample.strokes])
        right = max(float(s[:, 0].max()) for s in characters[-1])
    slant = rng.uniform(*SLANT)
    sheared = [[s + np.stack([slant * (height - s[:, 1]), np.zeros(len(s))], 1) for s in c] for c in characters]
    return sheared, PEN * height


def _gap(pair: str, rng: np.random.Generator) -> float:
    """The gap before the second character of `pair`, in line heights: around a '.' or after a
    '-' a little space, between digits a natural gap or now and then a touch."""
    if "." in pair:
        return rng.uniform(*POINT_GAP)
    if pair[0] == "-":
        return rng.uniform(*MINUS_GAP)
    if rng.random() < TOUCHING_SHARE:
        return rng.uniform(*TOUCHING)
    mean, spread, least, most = GAP
    return float(np.clip(rng.normal(mean, spread), least, most))


@dataclass(frozen=True)
class Number:
    text: str
    characters: list[Strokes]  # each character's strokes
    pen: float

    @property
    def strokes(self) -> Strokes:
        return [s for c in self.characters for s in c]


def make_numbers(samples: list[PenSample], count: int, rng: np.random.Generator) -> list[Number]:
    """`count` numbers, lengths spread evenly over LENGTHS, each by one writer with at least 3 digits."""
    pools = [pool for pool in writers(samples).values() if len(pool) >= 3]
    out = []
    for i in range(count):
        pool = pools[int(rng.integers(len(pools)))]
        text = random_text(sorted({s.label for s in pool}), LENGTHS[i % len(LENGTHS)], rng)
        out.append(Number(text, *compose(text, pool, rng)))
    return out


def picture(strokes: Strokes, pen: float) -> np.ndarray:
    """The ink drawn as a dark-on-light picture, the line PICTURE_HEIGHT pixels tall."""
    lo, hi = bounds(strokes)
    scale = PICTURE_HEIGHT / (pen / PEN)
    margin = 10.0
    shape = (int((hi[1] - lo[1]) * scale + 2 * margin), int((hi[0] - lo[0]) * scale + 2 * margin))
    ink = render_strokes(strokes, shape, pen * scale, scale, tuple(margin - lo * scale))
    return np.rint((1.0 - ink) * 255).astype(np.uint8)


def shown(result: NumberReading) -> str:
    """What a reading shows: its text, else its characters with '?' for what is not read."""
    return result.text if result.text is not None else "".join(c.char or "?" for c in result.characters) or "∅"


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def report(title: str, truths: list[str], results: list[NumberReading]) -> None:
    print(f"\n{title}\n")
    print("| length | numbers | exact | per character |")
    print("|---|---:|---:|---:|")
    rows: dict[object, list[tuple[bool, float]]] = defaultdict(list)
    for truth, result in zip(truths, results, strict=True):
        score = (result.text == truth, 1.0 - min(edit_distance(shown(result), truth), len(truth)) / len(truth))
        rows[len(truth)].append(score)
        rows["2-6" if len(truth) <= 6 else "7-12"].append(score)
        rows["all"].append(score)
    for key in [*LENGTHS, "2-6", "7-12", "all"]:
        if rows[key]:
            exact, chars = np.mean(rows[key], axis=0)
            bold = "**" if isinstance(key, str) else ""
            print(f"| {bold}{key}{bold} | {len(rows[key])} | {bold}{exact:.1%}{bold} | {chars:.1%} |")
    misses = [f"{t} -> {shown(r)} ({r.reason})" for t, r in zip(truths, results, strict=True) if r.text != t]
    if misses:
        print(f"\nmisses (first 12 of {len(misses)}): " + "; ".join(misses[:12]))


def handmade_numbers() -> list[Number]:
    """The tests' handmade numbers (tests/handmade.py), one stroke list for the whole number."""
    return [Number(text, [strokes], handmade.PEN) for text, strokes in handmade.NUMBERS.items()]


def ceiling(recognizer: Recognizer, numbers: list[Number]) -> list[NumberReading]:
    """Each number as read if its characters were cut exactly where they were written: every digit
    read on its own as a single digit is ('.' and '-' taken as right), the most any grouping could
    reach with this model."""
    out = []
    for number in numbers:
        chars = [
            c if c in ".-" else _digit(recognizer.read(strokes_to_input(strokes, number.pen), strokes))
            for c, strokes in zip(number.text, number.characters, strict=True)
        ]
        text = "".join(chars)
        out.append(NumberReading(None if "?" in text else text, None, tuple(Character(c, (0, 0, 0, 0)) for c in chars)))
    return out


def _digit(reading: Reading) -> str:
    return "?" if reading.label is None else str(reading.label)


def single_digits(recognizer: Recognizer, samples: list[PenSample]) -> None:
    """Whether each real pen digit still reads exactly as a single digit did: the same reading."""
    reader = NumberReader(recognizer)
    same, texts = 0, []
    for sample in samples:
        pen = PEN * float(np.ptp(np.concatenate(sample.strokes)[:, 1]))
        result = reader.read_strokes(sample.strokes, pen)
        before = recognizer.read(strokes_to_input(sample.strokes, pen), sample.strokes)
        now = result.single
        same += (
            now is not None and now.label == before.label and np.array_equal(now.probabilities, before.probabilities)
        )
        if now is None:
            texts.append(f"{sample.label} -> {shown(result)}")
    print(f"\nSingle digits: {same} of {len(samples)} read exactly as a single digit did", end="")
    print(f"; read as several characters: {', '.join(texts[:12])}{' ...' if len(texts) > 12 else ''}" if texts else "")


def speed(recognizer: Recognizer, numbers: list[Number]) -> None:
    """Cold and live times from strokes to reading for 10-character numbers."""
    cold, live = [], []
    for number in numbers:
        start = time.perf_counter()
        NumberReader(recognizer).read_strokes(number.strokes, number.pen)
        cold.append((time.perf_counter() - start) * 1000)
        reader = NumberReader(recognizer)
        *done, last = number.strokes
        reader.read_strokes(done, number.pen)
        for end in range(EVENT_POINTS, len(last) + EVENT_POINTS, EVENT_POINTS):
            start = time.perf_counter()
            reader.read_strokes([*done, last[:end]], number.pen)
            live.append((time.perf_counter() - start) * 1000)
    print("\nSpeed: 10-character numbers, strokes to reading (ms)\n")
    print("| | runs | median | p95 |")
    print("|---|---:|---:|---:|")
    for name, ms in (("cold: every character read", cold), ("live: a stroke event of the 10th character", live)):
        print(f"| {name} | {len(ms)} | {statistics.median(ms):.2f} | {np.percentile(ms, 95):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unipen", default=None, help="UNIPEN train_r01_v07 (default: $HWR_UNIPEN, else ../shared)")
    parser.add_argument("--model", type=Path, default=bundled_model_path())
    parser.add_argument("--numbers", type=int, default=1100, help="numbers to compose (lengths 2-12 evenly)")
    parser.add_argument("--groups", default=",".join(pen_data.TEST_GROUPS), help="held-out UNIPEN groups to write with")
    parser.add_argument("--pictures", action="store_true", help="also read each number as a picture")
    parser.add_argument("--speed", action="store_true", help="time 10-character numbers")
    parser.add_argument("--image-only", action="store_true", help="leave the stroke model out (the image model alone)")
    args = parser.parse_args()
    groups = tuple(args.groups.split(","))
    if set(groups) - set(pen_data.TEST_GROUPS + pen_data.VALIDATION_GROUPS):
        parser.error(f"use held-out groups only: {', '.join(pen_data.TEST_GROUPS + pen_data.VALIDATION_GROUPS)}")
    root = pen_data.resolve_unipen(args.unipen) or ROOT.parent / "shared" / "data" / "unipen"
    recognizer = Recognizer(args.model, use_gpu=False, strokes=not args.image_only)
    samples = load_unipen(root, (pen_data.DIGITS_CATEGORY,), groups)
    numbers = make_numbers(samples, args.numbers, np.random.default_rng(SEED))
    outputs = recognizer.predict_batch(np.zeros((1, 28, 28, 1), np.float32)).shape[1]
    print(f"model {args.model} ({recognizer.info.precision}, {outputs} outputs), groups {groups}")
    reader = NumberReader(recognizer)
    truths = [n.text for n in numbers]
    report("Numbers from strokes", truths, [reader.read_strokes(n.strokes, n.pen) for n in numbers])
    report("Ceiling: each character cut where it was written, then read", truths, ceiling(recognizer, numbers))
    if args.pictures:
        pictures = [reader.read_picture(picture(n.strokes, n.pen)) for n in numbers]
        report("Numbers from pictures of the same ink", truths, pictures)
    single_digits(recognizer, samples)
    made = handmade_numbers()
    report(
        "Handmade numbers (tests/handmade.py)",
        [n.text for n in made],
        [reader.read_strokes(n.strokes, n.pen) for n in made],
    )
    if args.speed:
        rng = np.random.default_rng(SEED + 1)
        ten = [n for n in make_numbers(samples, SPEED_RUNS * len(LENGTHS), rng) if len(n.text) == 10]
        speed(recognizer, ten[:SPEED_RUNS])


if __name__ == "__main__":
    main()
