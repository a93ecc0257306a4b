"""The contract between training and the app, in one place: what a model takes, answers and says
about itself, and which files travel with it.

Training writes every model to it (training/export.py, training/cli.py); the app checks every model
it loads against it (core/recognizer.py). Both import these names from here, so the two sides cannot
drift apart. Plain Python and numpy only: the lean app, the training worker and build.spec import it.

A model takes INPUT_NAME, float32 [N, *INPUT_SHAPE] in 0..1 with ink = 1 on a 0 background (what
core/preprocess.py makes of a drawing or a picture, and `to_model_input` of a uint8 image), and
answers OUTPUT_NAME, float32 [N, len(CLASSES)]: softmax probabilities of CLASSES, in order (the ten
digits, then "not a digit"); a model that knows only the digits answers [N, len(LABELS)] and is
still accepted. Its metadata_props hold JSON strings; the keys below are the ones the app acts on,
the others (accuracy, date, device, ...) only describe the model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

INPUT_NAME = "image"
OUTPUT_NAME = "probabilities"
SIZE = 28  # an input is SIZE x SIZE pixels
INPUT_SHAPE = (SIZE, SIZE, 1)  # one input; a model takes a batch of them
LABELS = tuple(str(digit) for digit in range(10))  # the digits, in the order of the outputs
NOT_A_DIGIT_LABEL = "not a digit"  # letters, symbols, scribbles, several digits, half a digit
CLASSES = (*LABELS, NOT_A_DIGIT_LABEL)  # what each output of a model trained now is the probability of
NOT_A_DIGIT_CLASS = CLASSES.index(NOT_A_DIGIT_LABEL)  # its class number in training data
UINT8_INK = 255  # full ink in a uint8 image (MNIST, the samples' PNGs): 1.0 in the model's input

# What core/preprocess.py makes of a drawing or a picture. Training records it in every model and
# the app refuses a model made for another version: bump the version whenever preprocessing changes
# what an input looks like, since a network trained on the old inputs misreads the new ones.
PREPROCESSING_VERSION = 1
PREPROCESSING = {
    "version": PREPROCESSING_VERSION,
    "description": (
        "MNIST recipe: crop to ink, fit longer side to 20 px (aspect kept, anti-aliased), centre of "
        "mass at the centre of 28x28; strokes redrawn at MNIST stroke width, pictures thinned or "
        "thickened towards it; polarity and alpha detected; float32 0..1, ink = 1."
    ),
}

# The stroke model (optional, a file beside the image model) reads a drawing's pen path: TRAJECTORY_NAME,
# float32 [N, *TRAJECTORY_SHAPE] (what core/trajectory.py makes), and answers OUTPUT_NAME over CLASSES.
# Its answer is fused with the image model's (`fuse`), so it only runs beside the exact image model
# its fusion was chosen for: it names that model's SHA-256. Pictures have no pen path: the image
# model reads them alone. Bump TRAJECTORY_VERSION whenever core/trajectory.py changes what it makes.
TRAJECTORY_NAME = "trajectory"
TRAJECTORY_SHAPE = (64, 7)  # points along the pen path; x, y, dx, dy, lifted, cos, sin per point
TRAJECTORY_VERSION = 1
TRAJECTORY = {
    "version": TRAJECTORY_VERSION,
    "description": (
        "64 points evenly spaced along the pen-down path, strokes in drawing order, box centred and "
        "longer side scaled to [-1, 1]; per point x, y, step x 8, pen lifted before it, step direction."
    ),
}

# Metadata keys the app acts on.
LABELS_KEY = "labels"  # CLASSES (or LABELS), as a JSON list
UNSURE_BELOW_KEY = "unsure_below"  # a digit less likely than this is shown as unsure (chosen on validation writers)
PREPROCESSING_KEY = "preprocessing"  # PREPROCESSING: its version is checked on load
WEIGHTS_SOURCE_KEY = "weights_sha256"  # in a model: the SHA-256 of the Keras weights it was exported from
INT8_SOURCE_KEY = "float_model_sha256"  # in an int8 copy: the SHA-256 of the float model it was made from
IMAGE_MODEL_KEY = "image_model_sha256"  # in a stroke model: the SHA-256 of the image model it is fused with
# In a stroke model: {"weight": w, "temperature": t} of `fuse`, and "unsure_below": the threshold for
# fused readings (they are surer than the image model's alone), all chosen on validation writers.
FUSION_KEY = "fusion"
TRAJECTORY_KEY = "trajectory"  # in a stroke model: TRAJECTORY; its version is checked on load

# A model file and its companions, which are named after it and travel with it.
MODEL_FILE = "model.onnx"  # what training writes, the app ships and a model set holds


def int8_path_for(model: Path) -> Path:
    """Where a model's int8 copy lives (what the CPU runs): `model.onnx` -> `model.int8.onnx`."""
    return model.with_suffix(".int8.onnx")


def strokes_path_for(model: Path) -> Path:
    """Where a model's stroke model lives: `model.onnx` -> `model.strokes.onnx`."""
    return model.with_suffix(".strokes.onnx")


def weights_for(model: Path) -> Path:
    """Where a model's Keras weights live (what a retraining fine-tunes): `model.onnx` -> `model.weights.h5`."""
    return model.with_suffix(".weights.h5")


def to_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, SIZE, SIZE) with ink = UINT8_INK on 0, MNIST's layout -> the model's input."""
    return (np.asarray(images, np.float32) / UINT8_INK)[..., None]


def fuse(image: np.ndarray, strokes: np.ndarray, weight: float, temperature: float) -> np.ndarray:
    """Late fusion of the two models' answers (rows of CLASSES probabilities): the image model's
    log-probabilities plus `weight` times the stroke model's over `temperature`, as probabilities."""
    logits = np.log(np.clip(image, 1e-7, 1.0)) + weight * np.log(np.clip(strokes, 1e-7, 1.0)) / temperature
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)
