"""The user's own samples (saved by the app) as training data, with a held-out part for comparison.

Reads the app's sample folder layout (`<digit>/<id>.json` + `<id>.png`, 28x28, ink = white) within
the app's budgets and with its PNG decoder. A sample that cannot be used (unreadable, over a
budget, not a sample's JSON, a label that is not its folder's digit, a bad picture) is skipped with
its reason, never fatal: one bad file must not stop a training.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from handwriting_recognizer.core.contract import SIZE, UINT8_INK
from handwriting_recognizer.core.safe_io import FileRefused, exists, is_folder, parse_json, read_regular_file
from handwriting_recognizer.core.samples import MAX_JSON_BYTES, Sample, SampleError, SampleStore
from handwriting_recognizer.training.data import DatasetError

HOLD_OUT_EVERY = 5  # every 5th sample of each digit is kept out of training, to compare models on


@dataclass(frozen=True)
class OwnSamples:
    """The user's usable samples as uint8 (N,28,28) images and labels: a part to train on, a part
    held out to compare models on, and how many samples were skipped."""

    train_x: np.ndarray
    train_y: np.ndarray
    held_x: np.ndarray
    held_y: np.ndarray
    skipped: int


def load_own_samples(folder: Path) -> tuple[OwnSamples, list[str]]:
    """The samples in `folder` split into training and held-out parts, and why each skipped one was."""
    x, y, skipped = load_samples(folder)
    train_x, train_y, held_x, held_y = split_held_out(x, y)
    return OwnSamples(train_x, train_y, held_x, held_y, len(skipped)), skipped


def load_samples(folder: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """All usable samples as uint8 (N,28,28) images and labels, and why each other one was skipped."""
    if not is_folder(folder):
        problem = "is a file, not a samples folder" if exists(folder) else "no such samples folder"
        raise DatasetError(f"{folder}: {problem}")
    store = SampleStore(folder)
    images, labels, skipped = [], [], []
    for digit in range(10):
        for meta in sorted((folder / str(digit)).glob("*.json")):
            try:
                _check_label(meta, digit)
                image = store.image(Sample(digit, meta.with_suffix(".png"), meta))
            except SampleError as exc:
                skipped.append(f"{digit}/{exc}")  # each reason starts with the file's name
                continue
            images.append(np.rint(image * UINT8_INK).astype(np.uint8))  # the app decodes to 0..1
            labels.append(digit)
    if not images:
        return np.zeros((0, SIZE, SIZE), np.uint8), np.zeros(0, np.uint8), skipped
    return np.stack(images), np.array(labels, np.uint8), skipped


def _check_label(meta: Path, digit: int) -> None:
    """SampleError unless the sample's JSON is an object whose label is the integer `digit`."""
    try:
        data = read_regular_file(meta, MAX_JSON_BYTES, "sample file")
    except FileRefused as exc:
        raise SampleError(str(exc)) from exc
    try:
        document = parse_json(data, meta.name)
    except FileRefused as exc:  # not UTF-8, not JSON, nested too deeply, a number too long
        raise SampleError(f"{meta.name}: not a sample's JSON ({str(exc).removeprefix(meta.name + ': ')})") from exc
    label = document.get("label") if isinstance(document, dict) else None
    # bool is an int in Python (True == 1): a JSON true is no label.
    if isinstance(label, bool) or not isinstance(label, int) or label != digit:
        raise SampleError(f"{meta.name}: its label {json.dumps(label)[:20]} is not its folder's digit {digit}")


def split_held_out(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per digit, every HOLD_OUT_EVERY-th sample (the 5th, 10th, ...) is held out of training."""
    held = np.zeros(len(y), bool)
    for digit in range(10):
        idx = np.flatnonzero(y == digit)
        held[idx[HOLD_OUT_EVERY - 1 :: HOLD_OUT_EVERY]] = True
    return x[~held], y[~held], x[held], y[held]
