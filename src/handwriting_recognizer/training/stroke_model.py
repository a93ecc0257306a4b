"""The stroke model: a small 1D CNN over a drawing's pen path (core/trajectory.py), fused with the
image model in the app (contract.fuse), trained on the UNIPEN training groups and chosen on ced.

    .venv/bin/python -m handwriting_recognizer.training.stroke_model [--unipen DIR] [--model assets/model.onnx]

- Data: pen_data's own recipe (`pen_data.drawings`: each digit COPIES times with pen-level
  augmentation, the styles, letters and symbols, scribbles, half digits, pairs) from the training
  groups; the ced writers (VALIDATION_GROUPS) as written, to keep the best epoch and choose the
  fusion. Drawings the image pipeline drops (blank, over the ink budget) are dropped here too.
- Model: five Conv1D blocks (dilations 1, 1, 2, 4, 8), average and max pooling, CLASSES softmax.
- Fusion (`choose`): each weight and temperature gets its unsure threshold by the image model's
  rule (the highest that rejects at most 1 % of ced's digits); of those that read at least as many
  of ced's digits right as the image model alone (as the app runs it) under the same rule, and
  misread no more, the one that shows the fewest of ced's letters and symbols as digits.
- Written beside the image model as `model.strokes.onnx` (contract.strokes_path_for), naming the
  image model's SHA-256, the fusion and the trajectory version in its metadata.
- A training run with pen data keeps the stroke model of the model it replaces (`refit`): the
  fusion is chosen again, by the same rule, for the new image model.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import keras
import numpy as np
import onnx
import onnxruntime as ort
import tensorflow as tf
from keras import layers

from handwriting_recognizer.core.contract import (
    CLASSES,
    FUSION_KEY,
    IMAGE_MODEL_KEY,
    LABELS_KEY,
    NOT_A_DIGIT_CLASS,
    OUTPUT_NAME,
    TRAJECTORY,
    TRAJECTORY_KEY,
    TRAJECTORY_NAME,
    TRAJECTORY_SHAPE,
    UNSURE_BELOW_KEY,
    fuse,
    strokes_path_for,
)
from handwriting_recognizer.core.paths import bundled_model_path
from handwriting_recognizer.core.recognizer import MODEL_MAX_BYTES, Recognizer
from handwriting_recognizer.core.safe_io import read_regular_file
from handwriting_recognizer.core.trajectory import trajectory
from handwriting_recognizer.training import calibration, pen_data
from handwriting_recognizer.training.export import ExportError, add_metadata, check_parity, save_atomic, to_onnx
from handwriting_recognizer.training.strokes import Strokes, augment
from handwriting_recognizer.training.unipen import PenSample, load_unipen

COPIES = 6  # augmented trajectories of each training digit
EPOCHS = 12
WIDTH = 32  # filters of the first blocks (twice as many after)
BATCH = 128
LEARNING_RATE = 2e-3
DROPOUT = 0.3
SEED = 0  # pen_data's default: the training drawings are the ones an image training run makes
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)  # the stroke model's weight in the fusion ...
TEMPERATURES = (1.0, 1.5, 2.0, 3.0)  # ... and its temperature
DIGITS, LETTERS, MADE = "their digits", "their letters and symbols", "made: scribbles, half digits, pairs"

Read = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # source -> classes, image and stroke probabilities


def usable(drawn: Iterable[tuple[Strokes, int]]) -> Iterator[tuple[Strokes, int, np.ndarray]]:
    """The drawings the image pipeline reads (not blank, within the ink budget), with their inputs."""
    for strokes, label in drawn:
        x = pen_data.readable_input(strokes)
        if x is not None:
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
    """The image model's answers, as the app reads a drawing (its own model, without fusion)."""
    batch = np.stack([x for _, _, x in kept])[..., None]
    return np.concatenate([recognizer.predict_batch(batch[i : i + 500]) for i in range(0, len(batch), 500)])


def build_model() -> keras.Model:
    """The stroke model."""

    def block(x: keras.KerasTensor, filters: int, kernel: int, dilation: int = 1) -> keras.KerasTensor:
        x = layers.Conv1D(filters, kernel, padding="same", dilation_rate=dilation, use_bias=False)(x)
        return layers.ReLU()(layers.BatchNormalization()(x))

    inputs = keras.Input(TRAJECTORY_SHAPE, name=TRAJECTORY_NAME)
    x = block(block(inputs, WIDTH, 5), WIDTH, 5)
    for dilation in (2, 4, 8):
        x = block(x, 2 * WIDTH, 3, dilation)
    x = layers.Concatenate()([layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x)])
    outputs = layers.Dense(len(CLASSES), activation="softmax", name=OUTPUT_NAME)(layers.Dropout(DROPOUT)(x))
    return keras.Model(inputs, outputs)


def train(paths: np.ndarray, labels: np.ndarray, val: tuple[np.ndarray, np.ndarray], epochs: int) -> keras.Model:
    """The stroke model, trained with a cosine schedule; the epoch best on `val` is kept (Keras 3's
    EarlyStopping restores the best weights at the end even when it never stops early). The same
    data gives the same model: seeded, with TensorFlow's deterministic ops."""
    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()  # else two runs on the CPU train different models
    model = build_model()
    steps = -(-len(labels) // BATCH) * epochs
    schedule = keras.optimizers.schedules.CosineDecay(LEARNING_RATE, steps, alpha=0.02)
    model.compile(keras.optimizers.Adam(schedule), "sparse_categorical_crossentropy", metrics=["accuracy"])
    best = keras.callbacks.EarlyStopping("val_accuracy", patience=epochs, restore_best_weights=True, mode="max")
    model.fit(paths, labels, batch_size=BATCH, epochs=epochs, validation_data=val, callbacks=[best], verbose=2)
    return model


def read_sources(samples: list[PenSample], predict: Callable[[np.ndarray], np.ndarray], recognizer: Recognizer) -> Read:
    """Both models' answers (`predict`: trajectories -> the stroke model's probabilities) on what
    these writers wrote (their digits; their letters and symbols) and, apart, on what was made from
    it (scribbles, half digits, digits side by side)."""
    digits = pen_data.digits_of(samples)
    made = pen_data.made_negatives(digits, np.random.default_rng(SEED + 3), int(pen_data.SCRIBBLE_SHARE * len(digits)))
    sources = {
        DIGITS: digits,
        LETTERS: [(s, NOT_A_DIGIT_CLASS) for s in pen_data.negatives_of(samples)],
        MADE: [(s, NOT_A_DIGIT_CLASS) for s in made],
    }
    out = {}
    for source, drawn in sources.items():
        kept = list(usable(drawn))
        (paths, labels), image = trajectories(kept), image_probabilities(kept, recognizer)
        out[source] = (labels, image, predict(paths))
    return out


def choose(answers: Read) -> tuple[float, float, float]:
    """The fusion's weight, temperature and unsure threshold, chosen on the validation writers'
    answers. Each fusion gets the image model's threshold rule (`calibration.choose_threshold`: the
    highest that rejects at most 1 % of the digits); of those that then read at least as many of
    the writers' digits right as the image model alone under the same rule, and misread no more,
    the one that shows the fewest of their letters and symbols as digits (ties: the smaller weight).
    Weight 0 is the image model alone, so there is always one."""
    labels, image, strokes = answers[DIGITS]
    _, other_image, other_strokes = answers[LETTERS]

    def outcome(weight: float, temperature: float) -> tuple[float, float, float, float]:
        """The threshold, and the digits read right, the digits misread, the letters shown."""
        decided = calibration.Decisions.of(fuse(image, strokes, weight, temperature))
        threshold = calibration.choose_threshold(calibration.tradeoff(decided, labels))
        shown = decided.at(threshold)
        letters = calibration.Decisions.of(fuse(other_image, other_strokes, weight, temperature)).at(threshold)
        misread = (shown != labels) & (shown != -1)
        return threshold, float(np.mean(shown == labels)), float(np.mean(misread)), float(np.mean(letters != -1))

    results = {(w, t): outcome(w, t) for t in TEMPERATURES for w in WEIGHTS}
    _, right, misread, _ = results[(0.0, TEMPERATURES[0])]
    allowed = [wt for wt, (_, r, m, _) in results.items() if r >= right and m <= misread]
    weight, temperature = min(allowed, key=lambda wt: (results[wt][3], wt[0]))
    return weight, temperature, results[(weight, temperature)][0]


def tie(image_model: Path, weight: float, temperature: float, threshold: float) -> dict[str, object]:
    """The metadata that makes a stroke model `image_model`'s: its hash and the fusion (`choose`)."""
    return {
        IMAGE_MODEL_KEY: hashlib.sha256(image_model.read_bytes()).hexdigest(),
        FUSION_KEY: {"weight": weight, "temperature": temperature, UNSURE_BELOW_KEY: float(threshold)},
    }


def refit(strokes_file: Path, image_model: Path, validation: list[PenSample]) -> onnx.ModelProto | None:
    """The stroke model in `strokes_file` (one the app fuses with another image model) made
    `image_model`'s: the fusion and its threshold chosen again (`choose`) on the `validation`
    writers with that model's answers, and its hash in the metadata. None when the image model
    reads them best alone (weight 0). A retrained model so keeps reading drawings from their pen path."""
    data = read_regular_file(strokes_file, MODEL_MAX_BYTES, "stroke model")
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])

    def predict(paths: np.ndarray) -> np.ndarray:
        return session.run([OUTPUT_NAME], {TRAJECTORY_NAME: paths})[0]

    recognizer = Recognizer(image_model, use_gpu=False, strokes=False)  # the image model alone, as the app runs it
    weight, temperature, threshold = choose(read_sources(validation, predict, recognizer))
    if weight == 0.0:
        return None
    proto = onnx.load_from_string(data)
    add_metadata(proto, tie(image_model, weight, temperature, threshold))
    return proto


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unipen", default=None, help="UNIPEN train_r01_v07 (default: $HWR_UNIPEN)")
    parser.add_argument("--model", type=Path, default=bundled_model_path(), help="the image model to fuse with")
    parser.add_argument("--copies", type=int, default=COPIES, help="augmented trajectories of each training digit")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    root = pen_data.resolve_unipen(args.unipen)
    if root is None:
        raise SystemExit("no UNIPEN data: pass --unipen DIR or set HWR_UNIPEN")
    recognizer = Recognizer(args.model, use_gpu=False, strokes=False)  # the image model alone, as the app runs it
    samples = load_unipen(root, (pen_data.DIGITS_CATEGORY, *pen_data.NEGATIVE_CATEGORIES))
    held_out = pen_data.VALIDATION_GROUPS + pen_data.TEST_GROUPS
    training = [s for s in samples if s.group not in held_out]
    ced = [s for s in samples if s.group in pen_data.VALIDATION_GROUPS]
    rng = np.random.default_rng(SEED)
    train_paths, train_labels = trajectories(
        usable(pen_data.drawings(training, rng, args.copies, lambda s: augment(s, rng)))
    )
    val = trajectories(usable(pen_data.drawings(ced, np.random.default_rng(SEED + 1), 1, lambda s: s)))
    print(f"training trajectories {len(train_labels)}, ced {len(val[1])}", flush=True)
    started = time.monotonic()
    model = train(train_paths, train_labels, val, args.epochs)
    seconds = time.monotonic() - started

    def predict(paths: np.ndarray) -> np.ndarray:
        return model.predict(paths, batch_size=1024, verbose=0)

    weight, temperature, threshold = choose(read_sources(ced, predict, recognizer))
    val_accuracy = float(np.mean(predict(val[0]).argmax(1) == val[1]))
    print(f"trained in {seconds:.0f} s; ced accuracy {val_accuracy:.2%}")
    print(f"fusion: weight {weight}, temperature {temperature}, unsure below {threshold}")
    metadata: dict[str, object] = {
        LABELS_KEY: list(CLASSES),
        **tie(args.model, weight, temperature, threshold),
        TRAJECTORY_KEY: TRAJECTORY,
        "val_accuracy": round(val_accuracy, 5),
        "parameters": model.count_params(),
        "epochs": args.epochs,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "data": (
            f"UNIPEN train_r01_v07 (CC BY 4.0), groups other than {', '.join(held_out)}; "
            f"checkpoint and fusion chosen on {', '.join(pen_data.VALIDATION_GROUPS)}"
        ),
    }
    proto = to_onnx(model, metadata, TRAJECTORY_NAME, TRAJECTORY_SHAPE)
    try:
        diff = check_parity(proto, model, val[0][:2000], TRAJECTORY_NAME)
    except ExportError as exc:
        raise SystemExit(str(exc)) from exc
    out = strokes_path_for(args.model)
    save_atomic(proto, out)
    print(f"wrote {out} (ONNX vs Keras max abs difference {diff:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
