"""The user's own samples (saved by the app) as training data, with a held-out part for comparison.

Reads the app's sample folder layout (`<digit>/<id>.json` + `<id>.png`, 28x28, ink = white);
unreadable samples are skipped and counted, never fatal.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import tensorflow as tf

from training.data import DatasetError

HOLD_OUT_EVERY = 5  # every 5th sample of each digit is kept out of training, to compare models on


def load_samples(folder: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """All complete samples as uint8 (N,28,28) images and labels, plus how many were skipped."""
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no such samples folder")
    images, labels, skipped = [], [], 0
    for digit in range(10):
        for meta in sorted((folder / str(digit)).glob("*.json")):
            try:
                label = json.loads(meta.read_text())["label"]
                image = tf.io.decode_png(meta.with_suffix(".png").read_bytes(), channels=1).numpy()[..., 0]
            except (OSError, ValueError, KeyError, TypeError, tf.errors.InvalidArgumentError):
                skipped += 1
                continue
            if label != digit or image.shape != (28, 28):
                skipped += 1
                continue
            images.append(image)
            labels.append(digit)
    if not images:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8), skipped
    return np.stack(images).astype(np.uint8), np.array(labels, np.uint8), skipped


def split_held_out(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per digit, every HOLD_OUT_EVERY-th sample (the 5th, 10th, ...) is held out of training."""
    held = np.zeros(len(y), bool)
    for digit in range(10):
        idx = np.flatnonzero(y == digit)
        held[idx[HOLD_OUT_EVERY - 1 :: HOLD_OUT_EVERY]] = True
    return x[~held], y[~held], x[held], y[held]
