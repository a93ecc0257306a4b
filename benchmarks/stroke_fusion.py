"""Would a pen-trajectory model fused with the image model read real pen writing better? An experiment.

Issue #11 asks whether a stroke-sequence model fused with the image model wins on held-out writers.
This trains one and measures it; the app does not use it (yet).

- Data: pen_data's own recipe (`pen_data.drawings`: each digit --copies times with pen-level
  augmentation, styles, letters and symbols, scribbles, half digits, pairs) from the training
  groups; the ced writers (VALIDATION_GROUPS) the same way, as written, for choosing; the test
  writers (TEST_GROUPS) only with --test. Drawings the image pipeline drops (blank, over the ink
  budget) are dropped here too.
- Input: 64 points evenly spaced along the pen-down path, strokes in drawing order, the drawing's
  box centred and its longer side scaled to [-1, 1]; per point x, y, the step to it, whether the pen
  was lifted before it, and the step's direction.
- Model: five Conv1D blocks (dilations 1, 1, 2, 4, 8), average and max pooling, eleven softmax
  outputs (the digits, "not a digit"); the epoch with the best ced accuracy is kept.
- Fusion: log p = log p_image + weight * log p_strokes / temperature; of the weights and
  temperatures that read at least as many of the ced writers' digits right as the image model
  (the app's rule), the one that shows the fewest of their letters and symbols as digits. The
  image model is the shipped one as the app runs it (int8).
- Reported, for the image model, the stroke model and the fusion, on the writers' own digits and
  letters and symbols and apart from them on made scribbles, half digits and pairs: digits read
  right, rejected, misread and non-digits shown as a digit, by the network's plain answer and by
  the app's rule (unsure below the model's threshold); the styles (as `benchmarks/real_writing.py`
  makes them: the writers' 0s, 1s, 5s and 7s with a slash, flag, bar added by `training/styles.py`,
  and drawn ones);
  the stroke model's size and its batch-1 time in onnxruntime with the app's session options.

    .venv/bin/python benchmarks/stroke_fusion.py [--unipen ../shared/data/unipen] [--copies 6] [--epochs 12] [--test]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.real_writing import SEED as STYLE_SEED  # noqa: E402  (the same styles)
from benchmarks.real_writing import style_sets  # noqa: E402

from handwriting_recognizer.core.contract import CLASSES, NOT_A_DIGIT_CLASS  # noqa: E402
from handwriting_recognizer.core.paths import bundled_model_path  # noqa: E402
from handwriting_recognizer.core.preprocess import InkBudgetError, is_blank, strokes_to_input  # noqa: E402
from handwriting_recognizer.core.recognizer import Recognizer, read, session_options  # noqa: E402
from handwriting_recognizer.training import pen_data  # noqa: E402
from handwriting_recognizer.training.strokes import Strokes, augment  # noqa: E402
from handwriting_recognizer.training.unipen import PenSample, load_unipen  # noqa: E402

if TYPE_CHECKING:
    import keras

POINTS = 64  # points along the pen path
FEATURES = 7  # x, y, dx, dy, lifted, cos, sin
DIGITS, LETTERS = "their digits", "their letters and symbols"  # the writers' own ink
STEP_SCALE = POINTS / 8  # the steps scaled to about the size of the positions
WIDTH = 32  # filters of the first blocks (twice as many after)
BATCH = 128
LEARNING_RATE = 2e-3
SEED = 0  # pen_data's default: the training drawings are the ones a training run makes
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)  # the stroke model's weight in the fusion ...
TEMPERATURES = (1.0, 1.5, 2.0, 3.0)  # ... and its temperature


def trajectory(strokes: Strokes) -> np.ndarray:
    """A drawing as POINTS points evenly spaced along its pen-down path: (POINTS, FEATURES)."""
    kept = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes if len(s)]
    out = np.zeros((POINTS, FEATURES), np.float32)
    if not kept:
        return out
    ink = np.concatenate(kept)
    lo, hi = ink.min(axis=0), ink.max(axis=0)
    half = max(float((hi - lo).max()) / 2, 1e-6)
    points = (ink - (lo + hi) / 2) / half
    stroke = np.repeat(np.arange(len(kept)), [len(s) for s in kept])
    step = np.r_[0.0, np.hypot(*np.diff(points, axis=0).T)]
    step[np.r_[False, np.diff(stroke) != 0]] = 1e-4  # the pen in the air travels (almost) nothing
    along = np.cumsum(step)
    at = np.linspace(0.0, along[-1], POINTS)
    j = np.clip(np.searchsorted(along, at, side="right") - 1, 0, len(along) - 1)
    k = np.minimum(j + 1, len(along) - 1)
    share = np.where(stroke[k] == stroke[j], np.clip((at - along[j]) / np.maximum(along[k] - along[j], 1e-12), 0, 1), 0)
    xy = points[j] * (1 - share[:, None]) + points[k] * share[:, None]
    d = np.diff(xy, axis=0, prepend=xy[:1])
    length = np.hypot(*d.T)[:, None]
    out[:, 0:2] = xy
    out[:, 2:4] = d * STEP_SCALE
    out[:, 4] = np.r_[0.0, np.diff(stroke[j]) != 0]
    out[:, 5:7] = np.where(length > 1e-9, d / np.maximum(length, 1e-9), 0.0)
    return out


def usable(drawn: Sequence[tuple[Strokes, int]]) -> Iterator[tuple[Strokes, int, np.ndarray]]:
    """The drawings the image pipeline reads (not blank, within the ink budget), with their inputs."""
    for strokes, label in drawn:
        try:
            x = strokes_to_input(strokes)
        except InkBudgetError:
            continue
        if not is_blank(x):
            yield strokes, label, x


def trajectories(kept: Iterable[tuple[Strokes, int, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The stroke model's inputs and the classes (in one pass: the images are not kept)."""
    paths, labels = [], []
    for strokes, label, _ in kept:
        paths.append(trajectory(strokes))
        labels.append(label)
    if not labels:
        raise SystemExit("no drawing left to read: every one was blank or over the ink budget")
    return np.stack(paths), np.array(labels, np.int64)


def image_probabilities(kept: Sequence[tuple[Strokes, int, np.ndarray]], recognizer: Recognizer) -> np.ndarray:
    """The image model's answers, as the app reads a drawing."""
    batch = np.stack([x for _, _, x in kept])[..., None]
    return np.concatenate([recognizer.predict_batch(batch[i : i + 500]) for i in range(0, len(batch), 500)])


def build_model() -> keras.Model:
    """The stroke model (Keras is imported here: reading the data needs no TensorFlow)."""
    import keras
    from keras import layers

    def block(x: keras.KerasTensor, filters: int, kernel: int, dilation: int = 1) -> keras.KerasTensor:
        x = layers.Conv1D(filters, kernel, padding="same", dilation_rate=dilation, use_bias=False)(x)
        return layers.ReLU()(layers.BatchNormalization()(x))

    inputs = keras.Input((POINTS, FEATURES), name="trajectory")
    x = block(block(inputs, WIDTH, 5), WIDTH, 5)
    for dilation in (2, 4, 8):
        x = block(x, 2 * WIDTH, 3, dilation)
    x = layers.Concatenate()([layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x)])
    outputs = layers.Dense(len(CLASSES), activation="softmax", name="probabilities")(layers.Dropout(0.3)(x))
    return keras.Model(inputs, outputs)


def train(paths: np.ndarray, labels: np.ndarray, val: tuple[np.ndarray, np.ndarray], epochs: int) -> keras.Model:
    """The stroke model, trained with a cosine schedule; the epoch best on `val` is kept (Keras 3's
    EarlyStopping restores the best weights at the end even when it never stops early)."""
    import keras

    keras.utils.set_random_seed(SEED)
    model = build_model()
    steps = -(-len(labels) // BATCH) * epochs
    schedule = keras.optimizers.schedules.CosineDecay(LEARNING_RATE, steps, alpha=0.02)
    model.compile(keras.optimizers.Adam(schedule), "sparse_categorical_crossentropy", metrics=["accuracy"])
    best = keras.callbacks.EarlyStopping("val_accuracy", patience=epochs, restore_best_weights=True, mode="max")
    model.fit(paths, labels, batch_size=BATCH, epochs=epochs, validation_data=val, callbacks=[best], verbose=2)
    return model


def fuse(image: np.ndarray, strokes: np.ndarray, weight: float, temperature: float) -> np.ndarray:
    """Late fusion: the image model's log-probabilities plus the stroke model's, weighted and tempered."""
    logits = np.log(np.clip(image, 1e-7, 1.0)) + weight * np.log(np.clip(strokes, 1e-7, 1.0)) / temperature
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def decisions(p: np.ndarray, unsure_below: float | None) -> np.ndarray:
    """What the app shows for each row of probabilities (`core.recognizer.read`): the digit, or -1
    for "not a digit" and, with `unsure_below` (the app's rule), for unsure; None: the plain answer."""
    readings = (read(row, False, 0.0 if unsure_below is None else unsure_below) for row in p)
    return np.array([-1 if r.label is None else r.label for r in readings], np.int64)


def shares(p: np.ndarray, labels: np.ndarray, unsure_below: float | None) -> str:
    """Digits: read right / rejected / misread; non-digits: shown as a digit."""
    shown = decisions(p, unsure_below)
    if (labels == NOT_A_DIGIT_CLASS).all():
        return f"{np.mean(shown != -1):.2%} shown"
    right, rejected = shown == labels, shown == -1
    return f"{right.mean():.2%} / {rejected.mean():.2%} / {np.mean(~right & ~rejected):.2%}"


Read = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # source -> classes, image and stroke probabilities


def read_sources(samples: list[PenSample], model: keras.Model, recognizer: Recognizer) -> Read:
    """Both models' answers on what these writers wrote (their digits; their letters and symbols)
    and, apart, on what was made from it (scribbles, half digits, digits side by side)."""
    digits = pen_data.digits_of(samples)
    made = pen_data.made_negatives(digits, np.random.default_rng(SEED + 3), int(pen_data.SCRIBBLE_SHARE * len(digits)))
    sources = {
        DIGITS: digits,
        LETTERS: [(s, NOT_A_DIGIT_CLASS) for s in pen_data.negatives_of(samples)],
        "made: scribbles, half digits, pairs": [(s, NOT_A_DIGIT_CLASS) for s in made],
    }
    out = {}
    for source, drawn in sources.items():
        kept = list(usable(drawn))
        (paths, labels), image = trajectories(kept), image_probabilities(kept, recognizer)
        out[source] = (labels, image, model.predict(paths, batch_size=1024, verbose=0))
    return out


def choose(read: Read, unsure_below: float) -> tuple[float, float]:
    """The fusion that shows the fewest of the writers' letters and symbols as digits among those
    that read at least as many of their digits right as the image model (app's rule); weight 0 is
    the image model alone, so there is always one."""

    def right(weight: float, temperature: float) -> float:
        labels, image, strokes = read[DIGITS]
        return float(np.mean(decisions(fuse(image, strokes, weight, temperature), unsure_below) == labels))

    def shown(weight: float, temperature: float) -> float:
        _, image, strokes = read[LETTERS]
        return float(np.mean(decisions(fuse(image, strokes, weight, temperature), unsure_below) != -1))

    floor = right(0.0, 1.0)
    allowed = [(w, t) for t in TEMPERATURES for w in WEIGHTS if right(w, t) >= floor]
    return min(allowed, key=lambda wt: (shown(*wt), wt[0]))


def report(title: str, read: Read, weight: float, temperature: float, unsure_below: float) -> None:
    print(f"\n{title}: digits right / rejected / misread; non-digits shown as a digit\n")
    print(f"| drawings | model | plain answer | app's rule (unsure below {unsure_below:.2f}) |\n|---|---|---:|---:|")
    for source, (labels, image, strokes) in read.items():
        parts = {"image": image, "strokes": strokes, "fused": fuse(image, strokes, weight, temperature)}
        for name, p in parts.items():
            plain, app = shares(p, labels, None), shares(p, labels, unsure_below)
            print(f"| {source} ({len(labels)}) | {name} | {plain} | {app} |")


def styles_report(
    title: str,
    samples: list[PenSample],
    writers: str,
    model: keras.Model,
    recognizer: Recognizer,
    weight: float,
    temperature: float,
) -> None:
    print(f"\n{title} (the app's rule)\n\n| style | drawings | image | strokes | fused |\n|---|---:|---:|---:|---:|")
    for name, _, label, made in style_sets(samples, np.random.default_rng(STYLE_SEED), writers):
        kept = list(usable([(s, label) for s in made]))
        (paths, labels), image = trajectories(kept), image_probabilities(kept, recognizer)
        strokes = model.predict(paths, batch_size=1024, verbose=0)
        shares = [
            np.mean(decisions(p, recognizer.info.unsure_below) == labels)
            for p in (image, strokes, fuse(image, strokes, weight, temperature))
        ]
        print(f"| {name} | {len(labels)} | " + " | ".join(f"{v:.1%}" for v in shares) + " |")


def batch_one_ms(model: keras.Model, runs: int = 2000) -> float:
    """The stroke model's median batch-1 time in onnxruntime with the app's session options."""
    import onnxruntime as ort
    import tensorflow as tf
    import tf2onnx

    spec = (tf.TensorSpec((None, POINTS, FEATURES), tf.float32, name="trajectory"),)
    proto, _ = tf2onnx.convert.from_keras(model, input_signature=spec, opset=17)
    session = ort.InferenceSession(proto.SerializeToString(), session_options(), providers=["CPUExecutionProvider"])
    x = {"trajectory": np.zeros((1, POINTS, FEATURES), np.float32)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run(None, x)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[runs // 10 :])


def trajectory_ms(drawings: Sequence[Strokes]) -> float:
    """The median time to make one drawing's trajectory."""
    times = []
    for strokes in drawings:
        start = time.perf_counter()
        trajectory(strokes)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unipen", default=None, help="UNIPEN train_r01_v07 (default: $HWR_UNIPEN, else ../shared)")
    parser.add_argument("--model", type=Path, default=bundled_model_path(), help="the image model")
    parser.add_argument("--copies", type=int, default=6, help="augmented trajectories of each training digit")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--test", action="store_true", help="also read the test writers, with what ced chose")
    args = parser.parse_args()
    root = pen_data.resolve_unipen(args.unipen) or ROOT.parent / "shared" / "data" / "unipen"
    recognizer = Recognizer(args.model, use_gpu=False)
    samples = load_unipen(root, (pen_data.DIGITS_CATEGORY, *pen_data.NEGATIVE_CATEGORIES))
    held_out = pen_data.VALIDATION_GROUPS + pen_data.TEST_GROUPS
    train_samples = [s for s in samples if s.group not in held_out]
    ced = [s for s in samples if s.group in pen_data.VALIDATION_GROUPS]
    rng = np.random.default_rng(SEED)
    train_paths, train_labels = trajectories(
        usable(pen_data.drawings(train_samples, rng, args.copies, lambda s: augment(s, rng)))
    )
    val_paths, val_labels = trajectories(
        usable(pen_data.drawings(ced, np.random.default_rng(SEED + 1), 1, lambda s: s))
    )
    print(f"training trajectories {len(train_labels)}, ced {len(val_labels)}", flush=True)
    started = time.monotonic()
    model = train(train_paths, train_labels, (val_paths, val_labels), args.epochs)
    print(f"trained in {time.monotonic() - started:.0f} s; {model.count_params():,} parameters", flush=True)
    unsure_below = recognizer.info.unsure_below
    ced_read = read_sources(ced, model, recognizer)
    weight, temperature = choose(ced_read, unsure_below)
    print(f"chosen on ced: weight {weight}, temperature {temperature}")
    report("ced writers (validation)", ced_read, weight, temperature, unsure_below)
    styles_report("Styles of the ced writers", ced, "ced writers", model, recognizer, weight, temperature)
    if args.test:
        test = [s for s in samples if s.group in pen_data.TEST_GROUPS]
        report("Test writers (aga, art, pri)", read_sources(test, model, recognizer), weight, temperature, unsure_below)
        styles_report("Styles of the test writers", test, "test writers", model, recognizer, weight, temperature)
    print(f"\nstroke model batch-1 in onnxruntime: median {batch_one_ms(model):.3f} ms")
    print(f"a trajectory from a ced writer's digit: median {trajectory_ms([s.strokes for s in ced]):.3f} ms")


if __name__ == "__main__":
    main()
