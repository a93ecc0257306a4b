"""How well the model reads digits *drawn on a canvas*, not just MNIST's own pictures.

MNIST test digits are thinned into pen strokes (tests/drawn_digits.py) and replayed on a 400x400
canvas under varied conditions (size, place, pen width, slant, hand jitter). For each condition the
same digits go through:
  (a) nothing: the original MNIST test images (a reference, printed above the table);
  (b) strokes: our stroke pipeline, `strokes_to_input(strokes, pen_width)` (the app's canvas);
  (c) picture: the canvas rendered with the pen (`render_strokes`) and saved as an 8-bit picture,
      through `image_to_input` -- light on dark, and dark on light (inverted), as when a user opens
      a PNG;
  (d) naive: the "tutorial app" that shrinks the whole canvas to 28x28 (no crop, no centering).

    python benchmarks/robustness.py --model assets/model.onnx --data PATH --n 1000 --seed 0

Prints a markdown table of accuracy per condition and pipeline, with each condition's worst cases
(the most frequent confusions of the stroke pipeline, true->read x count, and its weakest digit).
The default (--n 300, the default conditions) takes about a minute on 2 CPU cores; `--grid` runs
every combination of the factors (108 conditions, much longer).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# One BLAS thread: the matrices here are small, and OpenBLAS's thread pool on a busy machine makes
# `resize` of a 400x400 canvas ~60x slower (20 ms instead of 0.3 ms on 2 loaded cores).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT, ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from drawn_digits import mnist_to_strokes, place, render  # noqa: E402
from handwriting_recognizer.core.preprocess import image_to_input, resize, strokes_to_input  # noqa: E402
from handwriting_recognizer.core.recognizer import Recognizer  # noqa: E402

CANVAS = (400, 400)
CENTRED = (0.5, 0.5)
CORNER = (0.2, 0.25)


@dataclass(frozen=True)
class Condition:
    """How a digit is drawn on the canvas."""

    height: float  # digit height as a fraction of the canvas height
    corner: bool  # centred at (0.5, 0.5) or near the top-left corner at CORNER
    pen: float  # pen width in canvas pixels
    slant: float = 0.0  # degrees, positive leans right
    jitter: float = 0.0  # Gaussian hand/mouse jitter per point, canvas pixels

    @property
    def label(self) -> str:
        parts = [f"h{round(self.height * 100)}%", "corner" if self.corner else "centred", f"pen {self.pen:g}"]
        if self.slant:
            parts.append(f"slant {self.slant:+g}°")
        if self.jitter:
            parts.append(f"jitter {self.jitter:g}")
        return ", ".join(parts)


# One factor at a time around a typical drawing, then combinations that stress several at once.
BASE = Condition(0.40, False, 12)
DEFAULT_CONDITIONS = [
    BASE,
    Condition(0.15, False, 12),
    Condition(0.85, False, 12),
    Condition(0.40, True, 12),
    Condition(0.40, False, 2),
    Condition(0.40, False, 30),
    Condition(0.40, False, 12, slant=15),
    Condition(0.40, False, 12, slant=-15),
    Condition(0.40, False, 12, jitter=1.5),
    Condition(0.15, True, 2, jitter=1.5),  # small in a corner, thin mouse, shaky
    Condition(0.85, False, 30, slant=15),  # large marker, slanted
    Condition(0.85, True, 2, slant=-15, jitter=1.5),  # large, thin, off-centre, slanted, shaky
    Condition(0.15, False, 30),  # small with a marker: a blob (hard even for people)
]


def grid_conditions() -> list[Condition]:
    """Every combination of the factors: 3 heights x 2 places x 3 pens x 3 slants x 2 jitters."""
    return [
        Condition(h, c, p, s, j)
        for h, c, p, s, j in itertools.product((0.15, 0.40, 0.85), (False, True), (2, 12, 30), (-15, 0, 15), (0.0, 1.5))
    ]


def to_picture(ink: np.ndarray, dark_on_light: bool) -> np.ndarray:
    """Rendered ink (0..1, light on dark) -> an 8-bit grey picture, as a PNG file would hold it."""
    gray = 1.0 - ink if dark_on_light else ink
    return np.round(np.clip(gray, 0, 1) * 255).astype(np.uint8)


def accuracy(model: Recognizer, inputs: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Accuracy of the model on (N,28,28) inputs, and what it read for each."""
    read = model.predict_batch(inputs.reshape(-1, 28, 28, 1)).argmax(axis=1)
    return float((read == labels).mean()), read


def worst_cases(labels: np.ndarray, read: np.ndarray, top: int = 3) -> str:
    """The most frequent confusions (true->read x count) and the digit read worst."""
    wrong = Counter((int(t), int(r)) for t, r in zip(labels, read, strict=False) if t != r)
    parts = [f"{t}→{r}×{n}" for (t, r), n in wrong.most_common(top)]
    per_class = [(float((read[labels == d] == d).mean()), d) for d in range(10) if (labels == d).any()]
    acc, digit = min(per_class)
    if acc < 1.0:
        parts.append(f"worst digit {digit}: {acc:.0%}")
    return ", ".join(parts) if parts else "none"


def run_condition(
    cond: Condition, strokes: list[list[np.ndarray]], seed: int, index: int, with_pictures: bool
) -> dict[str, np.ndarray]:
    """The inputs of every pipeline for all digits drawn under one condition."""
    rng = np.random.default_rng([seed, index])
    out: dict[str, list[np.ndarray]] = {"strokes": [], "picture": [], "inverted": [], "naive": []}
    for digit in strokes:
        drawn = place(
            digit,
            CANVAS,
            cond.height,
            CORNER if cond.corner else CENTRED,
            rng,
            jitter=cond.jitter,
            slant_deg=cond.slant,
        )
        out["strokes"].append(strokes_to_input(drawn, cond.pen))
        ink = render(drawn, CANVAS, cond.pen)
        out["naive"].append(np.clip(resize(ink, 28, 28), 0, 1))  # == drawn_digits.naive_input
        if with_pictures:
            out["picture"].append(image_to_input(to_picture(ink, dark_on_light=False)))
            out["inverted"].append(image_to_input(to_picture(ink, dark_on_light=True)))
    return {k: np.asarray(v, np.float32) for k, v in out.items() if v}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(ROOT / "assets" / "model.onnx"), help="ONNX model")
    parser.add_argument(
        "--data", default=os.environ.get("HWR_MNIST"), help="MNIST .npz in Keras layout (default: $HWR_MNIST)"
    )
    parser.add_argument("--n", type=int, default=300, help="test digits per condition (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="which digits, and the jitter")
    parser.add_argument("--grid", action="store_true", help="all 108 combinations of the factors")
    parser.add_argument("--no-pictures", action="store_true", help="skip the picture pipeline (faster)")
    args = parser.parse_args(argv)
    if not args.data or not Path(args.data).is_file():
        parser.error("MNIST not found: pass --data PATH or set HWR_MNIST to the .npz file")
    if not Path(args.model).is_file():
        parser.error(f"model not found: {args.model}")

    start = time.perf_counter()
    model = Recognizer(args.model, use_gpu=False)
    with np.load(args.data) as data:
        x_test, y_test = data["x_test"], data["y_test"]
    rng = np.random.default_rng(args.seed)
    idx = np.sort(rng.choice(len(x_test), size=min(args.n, len(x_test)), replace=False))
    images, labels = x_test[idx], y_test[idx].astype(np.int64)
    strokes = [mnist_to_strokes(img) for img in images]

    acc_a, read_a = accuracy(model, images.astype(np.float32) / 255.0, labels)
    traced = np.asarray([strokes_to_input(s) for s in strokes], np.float32)
    acc_t, read_t = accuracy(model, traced, labels)

    conditions = grid_conditions() if args.grid else DEFAULT_CONDITIONS
    pictures = not args.no_pictures
    print(f"model {args.model}, {len(idx)} MNIST test digits (seed {args.seed}), canvas {CANVAS[0]}x{CANVAS[1]}")
    print()
    print(f"(a) original MNIST test images: {acc_a:.1%} ({worst_cases(labels, read_a)})")
    print(f"    the same digits as traced strokes, 28 px, no canvas: {acc_t:.1%} ({worst_cases(labels, read_t)})")
    print()
    columns = (
        ["(b) strokes", "(c) picture", "(c) picture, dark on light", "(d) naive"]
        if pictures
        else ["(b) strokes", "(d) naive"]
    )
    keys = ["strokes", "picture", "inverted", "naive"] if pictures else ["strokes", "naive"]
    print("| condition | " + " | ".join(columns) + " | worst cases (b) |")
    print("|---|" + "---:|" * len(columns) + "---|")
    totals: dict[str, list[float]] = {k: [] for k in keys}
    worst: dict[str, tuple[float, str]] = {}
    for i, cond in enumerate(conditions):
        inputs = run_condition(cond, strokes, args.seed, i, pictures)
        row = []
        for key in keys:
            acc, read = accuracy(model, inputs[key], labels)
            totals[key].append(acc)
            worst[key] = min(worst.get(key, (2.0, "")), (acc, cond.label))
            row.append(f"{acc:.1%}")
            if key == "strokes":
                cases = worst_cases(labels, read)
        print(f"| {cond.label} | " + " | ".join(row) + f" | {cases} |", flush=True)
    print("| **mean** | " + " | ".join(f"**{np.mean(totals[k]):.1%}**" for k in keys) + " | |")
    print()
    for key, column in zip(keys, columns, strict=False):
        acc, label = worst[key]
        print(f"worst condition for {column}: {label} ({acc:.1%})")
    print(f"\n{len(conditions)} conditions in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
