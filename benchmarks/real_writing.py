"""How well a model reads real pen writing of people it never saw, and how honest it is about the rest.

Everything is measured on UNIPEN's TEST_GROUPS (training/pen_data.py): contributor groups whose
writers were neither trained on nor used to choose the checkpoint, temperature or threshold (the
VALIDATION_GROUPS' figures are shown too, marked as such). Each drawing goes through the app's own
stroke pipeline and the app's own decision (`Recognizer.read` of the image and the pen path, fused
when the model has a stroke model: digit, unsure or not a digit).

- digits: per group, the share read right, rejected (unsure or "not a digit") and misread;
- styles: the test writers' own 0s, 1s, 5s and 7s made into slashed zeros, flagged ones, detached
  fives and crossed sevens (training/styles.py), and drawn open fours, cursive nines and straight
  sevens (seeds no training run uses): the share read right;
- not digits: the test writers' letters and symbols (those not written like a digit), scribbles,
  half-drawn digits and two digits side by side: the share shown as a digit;
- the trade-off between rejected digits and accepted non-digits over the unsure threshold.

    .venv/bin/python benchmarks/real_writing.py [--unipen ../shared/data/unipen] [--model assets/model.onnx]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handwriting_recognizer.core.contract import NOT_A_DIGIT_CLASS  # noqa: E402
from handwriting_recognizer.core.paths import bundled_model_path  # noqa: E402
from handwriting_recognizer.core.preprocess import InkBudgetError, strokes_to_input  # noqa: E402
from handwriting_recognizer.core.recognizer import Recognizer  # noqa: E402
from handwriting_recognizer.training import negatives, pen_data, styles  # noqa: E402
from handwriting_recognizer.training.calibration import THRESHOLDS, Decisions, tradeoff  # noqa: E402
from handwriting_recognizer.training.strokes import Strokes  # noqa: E402
from handwriting_recognizer.training.unipen import PenSample, load_unipen  # noqa: E402

SEED = 20261125  # no training run uses it: the drawn styles and scribbles here are new ones
DRAWN = 200  # drawn examples of each drawn style, scribbles, halves and pairs


def shown(recognizer: Recognizer, drawings: list[Strokes]) -> np.ndarray:
    """What the app shows for each drawing: the digit, -1 for none (unsure, not a digit, blank)."""
    out = []
    for strokes in drawings:
        try:
            reading = recognizer.read(strokes_to_input(strokes), strokes)
        except InkBudgetError:
            out.append(-1)
            continue
        out.append(-1 if reading.label is None else reading.label)
    return np.array(out)


def digit_reads(recognizer: Recognizer, samples: list[PenSample], group: str) -> tuple[np.ndarray, np.ndarray]:
    """A group's digit labels and what the app shows for each."""
    digits = pen_data.digits_of([s for s in samples if s.group == group])
    return np.array([label for _, label in digits], np.int64), shown(recognizer, [s for s, _ in digits])


def digits_row(name: str, labels: np.ndarray, read: np.ndarray, bold: bool = False) -> str:
    right = f"{(read == labels).mean():.2%}"
    return (
        f"| {name} | {len(labels)} | {f'**{right}**' if bold else right} | {(read == -1).mean():.2%} | "
        f"{((read != -1) & (read != labels)).mean():.2%} |"
    )


def style_sets(
    samples: list[PenSample], rng: np.random.Generator, writers: str
) -> list[tuple[str, str, int, list[Strokes]]]:
    """Each style's drawings: (style, made from what, the digit, drawings): every 0, 1, 5 and 7 of
    these `writers` made into its style, and DRAWN drawn examples of each drawn style."""
    digits = pen_data.digits_of(samples)
    sets = []
    for label, name, make in styles.FROM_DIGIT:
        made = [m for s, d in digits if d == label and (m := make(s, rng)) is not None]
        sets.append((name, f"{writers}' {label}s", label, made))
    for label, name, make_drawn in styles.DRAWN:
        sets.append((name, "drawn", label, [styles.drawn(make_drawn, rng) for _ in range(DRAWN)]))
    return sets


def styles_table(recognizer: Recognizer, samples: list[PenSample], rng: np.random.Generator) -> list[str]:
    rows = []
    for name, source, label, made in style_sets(samples, rng, "test writers"):
        read = shown(recognizer, made)
        rows.append(f"| {name} | {source} | {len(made)} | {(read == label).mean():.1%} |")
    return rows


def non_digits_table(
    recognizer: Recognizer, samples: list[PenSample], rng: np.random.Generator
) -> tuple[list[str], list[Strokes]]:
    digits = pen_data.digits_of(samples)
    kinds: dict[str, list[Strokes]] = {
        "letters and symbols (test writers)": pen_data.negatives_of(samples),
        "scribbles and shapes": [negatives.scribble(rng) for _ in range(DRAWN)],
        "half-drawn 3s": [negatives.half_digit(s, rng) for s, d in digits if d in negatives.PARTIAL_DIGITS][:DRAWN],
        "two digits side by side": [
            negatives.two_digits(digits[a][0], digits[b][0], rng) for a, b in rng.integers(len(digits), size=(DRAWN, 2))
        ],
    }
    rows, everything = [], []
    for name, drawings in kinds.items():
        read = shown(recognizer, drawings)
        rows.append(f"| {name} | {len(drawings)} | {(read != -1).mean():.1%} |")
        everything += drawings
    return rows, everything


def curve_table(recognizer: Recognizer, digits: list[tuple[Strokes, int]], others: list[Strokes]) -> list[str]:
    drawings = [s for s, _ in digits] + others
    images, usable = pen_data.render(drawings)
    y = np.array([d for _, d in digits] + [NOT_A_DIGIT_CLASS] * len(others))[usable]
    kept = [s for s, ok in zip(drawings, usable, strict=True) if ok]
    x = images.astype(np.float32)[..., None] / 255.0
    probabilities = np.concatenate(
        [
            recognizer.predict_batch(x[i : i + 500], recognizer.trajectories(kept[i : i + 500]))
            for i in range(0, len(x), 500)
        ]
    )
    points = tradeoff(Decisions.of(probabilities), y)
    chosen = recognizer.unsure_below(drawn=True)
    return [
        f"| {p['threshold']:.2f}{' (shipped)' if abs(p['threshold'] - chosen) < 1e-9 else ''} | "
        f"{p['digits_rejected']:.2%} | {p['digits_misread']:.2%} | {p['non_digits_shown']:.1%} |"
        for p in points
        if p["threshold"] in THRESHOLDS[::2] or abs(p["threshold"] - chosen) < 1e-9
    ]


def section(title: str, header: str, rows: list[str]) -> None:
    print(f"\n{title}\n")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    print("\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unipen", default=None, help="UNIPEN train_r01_v07 (default: $HWR_UNIPEN, else ../shared)")
    parser.add_argument("--model", type=Path, default=bundled_model_path())
    parser.add_argument("--image-only", action="store_true", help="leave the stroke model out (the image model alone)")
    args = parser.parse_args()
    root = pen_data.resolve_unipen(args.unipen) or ROOT.parent / "shared" / "data" / "unipen"
    model = args.model
    recognizer = Recognizer(model, use_gpu=False, strokes=not args.image_only)
    held_out = pen_data.TEST_GROUPS + pen_data.VALIDATION_GROUPS
    samples = load_unipen(root, (pen_data.DIGITS_CATEGORY, *pen_data.NEGATIVE_CATEGORIES), held_out)
    test = [s for s in samples if s.group in pen_data.TEST_GROUPS]
    rng = np.random.default_rng(SEED)
    fused = "" if recognizer.info.fusion is None else f", fused with its stroke model ({recognizer.info.fusion})"
    print(f"model {model} ({recognizer.info.precision}{fused}), drawings unsure below {recognizer.unsure_below(True)}")
    reads = {g: digit_reads(recognizer, samples, g) for g in held_out}
    rows = [digits_row(f"{g} (test)", *reads[g]) for g in pen_data.TEST_GROUPS if len(reads[g][0])]
    labels, read = (np.concatenate(parts) for parts in zip(*(reads[g] for g in pen_data.TEST_GROUPS), strict=True))
    rows.append(digits_row("**all test groups**", labels, read, bold=True))
    rows += [digits_row(f"{g} (validation)", *reads[g]) for g in pen_data.VALIDATION_GROUPS if len(reads[g][0])]
    test_digits = pen_data.digits_of(test)
    section("Pen digits of held-out writers", "| group | digits | read right | rejected | misread |", rows)
    section("Styles", "| style | made from | drawings | read right |", styles_table(recognizer, test, rng))
    rows, others = non_digits_table(recognizer, test, rng)
    section("Not digits (test writers and new scribbles)", "| kind | drawings | shown as a digit |", rows)
    section(
        "Trade-off over the unsure threshold (test groups)",
        "| threshold | digits rejected | digits misread | non-digits shown as a digit |",
        curve_table(recognizer, test_digits, others),
    )


if __name__ == "__main__":
    main()
