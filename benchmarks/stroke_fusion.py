"""How much the stroke model (a 1D CNN over the pen path, fused with the image model) adds on
real pen writing of held-out writers: the image model alone, the stroke model alone and the fusion
the app runs, side by side.

The stroke model and its fusion are the shipped ones (`assets/model.strokes.onnx`, made by
`python -m handwriting_recognizer.training.stroke_model`, which trains it on the UNIPEN training
groups and chooses the fusion on ced). Reported on ced (validation: chosen on) and, with --test, on
the test writers (neither trained nor chosen on):

- the writers' own digits: read right / rejected / misread, by the network's plain answer and by
  the app's rule (unsure below the image model's threshold);
- their letters and symbols, and apart from them made scribbles, half digits and pairs: the share
  shown as a digit;
- the styles (as `benchmarks/real_writing.py` makes them: the writers' 0s, 1s, 5s and 7s with a
  slash, flag, bar added by `training/styles.py`, and drawn ones);
- the stroke model's batch-1 time in onnxruntime and the time to make a pen path.

    .venv/bin/python benchmarks/stroke_fusion.py [--unipen ../shared/data/unipen] [--model assets/model.onnx] [--test]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import onnxruntime as ort  # noqa: E402
from benchmarks.latency import timings  # noqa: E402
from benchmarks.real_writing import SEED as STYLE_SEED  # noqa: E402  (the same styles)
from benchmarks.real_writing import style_sets  # noqa: E402

from handwriting_recognizer.core.contract import (  # noqa: E402
    NOT_A_DIGIT_CLASS,
    OUTPUT_NAME,
    TRAJECTORY_NAME,
    TRAJECTORY_SHAPE,
    fuse,
    strokes_path_for,
)
from handwriting_recognizer.core.paths import bundled_model_path  # noqa: E402
from handwriting_recognizer.core.recognizer import Fusion, Recognizer, session_options  # noqa: E402
from handwriting_recognizer.core.trajectory import trajectory  # noqa: E402
from handwriting_recognizer.training import pen_data  # noqa: E402
from handwriting_recognizer.training.calibration import Decisions  # noqa: E402
from handwriting_recognizer.training.stroke_model import (  # noqa: E402
    Read,
    image_probabilities,
    read_sources,
    trajectories,
    usable,
)
from handwriting_recognizer.training.unipen import PenSample, load_unipen  # noqa: E402


def shares(p: np.ndarray, labels: np.ndarray, unsure_below: float | None) -> str:
    """Digits: read right / rejected / misread; non-digits: shown as a digit."""
    shown = Decisions.of(p).at(unsure_below or 0.0)
    if (labels == NOT_A_DIGIT_CLASS).all():
        return f"{np.mean(shown != -1):.2%} shown"
    right, rejected = shown == labels, shown == -1
    return f"{right.mean():.2%} / {rejected.mean():.2%} / {np.mean(~right & ~rejected):.2%}"


Predict = Callable[[np.ndarray], np.ndarray]  # pen paths -> the stroke model's probabilities


def report(title: str, read: Read, fusion: Fusion, unsure_below: float) -> None:
    """Each model's answers; the app's rule is unsure below `unsure_below` (the image model's) for
    the image and the stroke model alone, below the fusion's own threshold for the fused."""
    print(f"\n{title}: digits right / rejected / misread; non-digits shown as a digit\n")
    print("| drawings | model | plain answer | app's rule | unsure below |\n|---|---|---:|---:|---:|")
    for source, (labels, image, strokes) in read.items():
        parts = {
            "image": (image, unsure_below),
            "strokes": (strokes, unsure_below),
            "fused": (fuse(image, strokes, fusion.weight, fusion.temperature), fusion.unsure_below),
        }
        for name, (p, threshold) in parts.items():
            plain, app = shares(p, labels, None), shares(p, labels, threshold)
            print(f"| {source} ({len(labels)}) | {name} | {plain} | {app} | {threshold:.2f} |")


def styles_report(
    title: str, samples: list[PenSample], writers: str, predict: Predict, image_model: Recognizer, fusion: Fusion
) -> None:
    print(f"\n{title} (the app's rule)\n\n| style | drawings | image | strokes | fused |\n|---|---:|---:|---:|---:|")
    for name, _, label, made in style_sets(samples, np.random.default_rng(STYLE_SEED), writers):
        kept = list(usable([(s, label) for s in made]))
        (paths, labels), image = trajectories(kept), image_probabilities(kept, image_model)
        strokes = predict(paths)
        threshold = image_model.info.unsure_below
        right = [
            np.mean(Decisions.of(p).at(t) == labels)
            for p, t in (
                (image, threshold),
                (strokes, threshold),
                (fuse(image, strokes, fusion.weight, fusion.temperature), fusion.unsure_below),
            )
        ]
        print(f"| {name} | {len(labels)} | " + " | ".join(f"{v:.1%}" for v in right) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unipen", default=None, help="UNIPEN train_r01_v07 (default: $HWR_UNIPEN, else ../shared)")
    parser.add_argument("--model", type=Path, default=bundled_model_path(), help="the image model")
    parser.add_argument("--test", action="store_true", help="also read the test writers")
    args = parser.parse_args()
    root = pen_data.resolve_unipen(args.unipen) or ROOT.parent / "shared" / "data" / "unipen"
    image_model = Recognizer(args.model, use_gpu=False)  # as the app runs it: given no pen paths, the image alone
    fusion = image_model.info.fusion
    if fusion is None:
        raise SystemExit(f"{args.model} has no usable stroke model beside it (see the log for why)")
    session = ort.InferenceSession(strokes_path_for(args.model), session_options(), providers=["CPUExecutionProvider"])

    def predict(paths: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [session.run([OUTPUT_NAME], {TRAJECTORY_NAME: paths[i : i + 1024]})[0] for i in range(0, len(paths), 1024)]
        )

    print(f"stroke model {strokes_path_for(args.model)}, fusion {fusion}")
    groups = pen_data.VALIDATION_GROUPS + (pen_data.TEST_GROUPS if args.test else ())
    samples = load_unipen(root, (pen_data.DIGITS_CATEGORY, *pen_data.NEGATIVE_CATEGORIES), groups)
    unsure_below = image_model.info.unsure_below
    for title, chosen, writers in (
        ("ced writers (validation)", pen_data.VALIDATION_GROUPS, "ced writers"),
        *((("Test writers (aga, art, pri)", pen_data.TEST_GROUPS, "test writers"),) if args.test else ()),
    ):
        some = [s for s in samples if s.group in chosen]
        report(title, read_sources(some, predict, image_model), fusion, unsure_below)
        styles_report(f"Styles of the {writers}", some, writers, predict, image_model, fusion)
    zero = np.zeros((1, *TRAJECTORY_SHAPE), np.float32)
    batch_one = statistics.median(timings(lambda: predict(zero), 2000, 200))
    print(f"\nstroke model batch-1 in onnxruntime: median {batch_one:.3f} ms")
    ced = [s.strokes for s in samples if s.group in pen_data.VALIDATION_GROUPS]
    per_drawing = statistics.median(statistics.median(timings(lambda s=s: trajectory(s), 20, 2)) for s in ced[:500])
    print(f"a pen path from a ced writer's digit: median {per_drawing:.3f} ms")


if __name__ == "__main__":
    main()
