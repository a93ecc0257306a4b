"""The training loop: data -> tf.data -> augmented model -> Keras fit with validation callbacks.

Checkpoints are chosen on a validation split of the training set; the test set is not seen here.
Under Keras' JAX backend (devices.py) batches come from a keras.utils.PyDataset instead of tf.data.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import keras
import numpy as np

from handwriting_recognizer.core.contract import CLASSES, LABELS, UINT8_INK, to_model_input
from handwriting_recognizer.core.train_config import TrainConfig
from handwriting_recognizer.training.callbacks import JsonlProgress
from handwriting_recognizer.training.data import Mnist, split_validation
from handwriting_recognizer.training.devices import DevicePlan
from handwriting_recognizer.training.model import build_classifier, build_training_model, grow_not_a_digit
from handwriting_recognizer.training.pen_data import PenData

if TYPE_CHECKING:
    import tensorflow as tf

EMA_HORIZON = 0.05  # the weights' moving average spans the last ~5% of the planned steps
VALIDATION_IMAGES = 5000  # held out of the training images to choose the checkpoint on
PATIENCE = 10  # epochs without a lower validation loss before training stops early
PREFETCH_BATCHES = 2  # batches tf.data prepares ahead: slicing arrays in memory and a cast need no more


def ema_momentum(total_steps: int) -> float:
    """Momentum of an average over EMA_HORIZON of the run: ~0.999 for 40 epochs of full MNIST, and
    low enough in a short run (a quick test, a fine-tune) that the average forgets the start."""
    return 1.0 - 1.0 / max(1.0, EMA_HORIZON * total_steps)


class TrainingError(Exception):
    """Training cannot go on; the message says why and what to do."""


@dataclass
class TrainResult:
    classifier: keras.Model
    history: dict[str, list[float]]
    best_epoch: int | None  # None: no training (--epochs 0)
    val_accuracy: float
    train_size: int
    val_size: int
    x_val: np.ndarray  # uint8 (N,28,28): what the checkpoint was chosen on, for calibration
    y_val: np.ndarray


@dataclass
class _Split:
    """The images trained on (with per-image loss weights when own samples join) and validated on."""

    x_train: np.ndarray
    y_train: np.ndarray
    weights: np.ndarray | None
    x_val: np.ndarray
    y_val: np.ndarray


def _split(
    mnist: Mnist, config: TrainConfig, extra: tuple[np.ndarray, np.ndarray] | None, pen: PenData | None
) -> _Split:
    """A validation split of MNIST's training images; the rest (up to `limit`), the pen data and the
    `extra` images (the user's own samples, weighted by `samples_weight`) to train on. The pen
    data's validation part (held-out writers) joins MNIST's."""
    val_size = VALIDATION_IMAGES if config.limit is None else min(VALIDATION_IMAGES, max(100, config.limit // 5))
    val_size = min(val_size, len(mnist.x_train) // 5)  # small datasets keep most images for training
    x_train, y_train, x_val, y_val = split_validation(mnist.x_train, mnist.y_train, val_size, config.seed)
    if config.limit is not None:
        x_train, y_train = x_train[: config.limit], y_train[: config.limit]
    if pen is not None:
        x_train, y_train = np.concatenate([x_train, pen.train_x]), np.concatenate([y_train, pen.train_y])
        x_val, y_val = np.concatenate([x_val, pen.val_x]), np.concatenate([y_val, pen.val_y])
    weights = None
    if extra is not None and len(extra[0]):
        # The user's own samples join the training set, weighted so a handful can matter.
        extra_x, extra_y = extra
        weights = np.concatenate(
            [np.ones(len(x_train), np.float32), np.full(len(extra_x), config.samples_weight, np.float32)]
        )
        x_train = np.concatenate([x_train, extra_x])
        y_train = np.concatenate([y_train, extra_y])
    return _Split(x_train, y_train, weights, x_val, y_val)


def _dataset(
    x: np.ndarray, y: np.ndarray, w: np.ndarray | None, batch: int, seed: int, shuffle: bool
) -> tf.data.Dataset | Batches:
    """Batches of model inputs: tf.data under TensorFlow, a PyDataset under other backends."""
    if keras.backend.backend() != "tensorflow":
        return Batches(x, y, w, batch, seed, shuffle)
    import tensorflow as tf

    tensors = (x, y) if w is None else (x, y, w)
    ds = tf.data.Dataset.from_tensor_slices(tensors)
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch)

    def scale(image, *rest):
        return (tf.cast(image, tf.float32)[..., None] / UINT8_INK, *rest)  # contract.to_model_input, on the device

    # No autotuning: its model thread waits out its optimization period (doubling up to 60 s) before
    # an iterator can be destroyed, which held up every epoch's end and a cancelled worker's exit
    # (up to 77 s measured on 2 busy cores). Slices of arrays and a cast have nothing to tune.
    options = tf.data.Options()
    options.autotune.enabled = False
    return ds.map(scale).prefetch(PREFETCH_BATCHES).with_options(options)


class Batches(keras.utils.PyDataset):
    """Batches of (input, label[, weight]) from uint8 images, reshuffled after every epoch."""

    def __init__(self, x: np.ndarray, y: np.ndarray, w: np.ndarray | None, batch: int, seed: int, shuffle: bool):
        super().__init__()
        self.x, self.y, self.w, self.batch, self.shuffle = x, y, w, batch, shuffle
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(x)) if shuffle else np.arange(len(x))

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.batch)

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]:
        chosen = self.order[index * self.batch : (index + 1) * self.batch]
        batch = (to_model_input(self.x[chosen]), self.y[chosen])
        return batch if self.w is None else (*batch, self.w[chosen])

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self.rng.shuffle(self.order)


def _load_init(classifier: keras.Model, config: TrainConfig) -> None:
    """The `init` weights into the classifier: weights of this network, or of the same network
    answering the digits alone (a model from before "not a digit"), which grows that class."""
    try:
        classifier.load_weights(config.init)
        return
    except (ValueError, OSError) as exc:
        problem = exc
    try:
        digits_only = build_classifier(config.width, classes=len(LABELS))
        digits_only.load_weights(config.init)
    except (ValueError, OSError):
        reason = str(problem).splitlines()[0][:120]
        raise TrainingError(
            f"{config.init}: these weights do not fit this network "
            f"(width {config.width}); train from scratch instead ({reason})"
        ) from problem
    grow_not_a_digit(classifier, digits_only)


def _classes(config: TrainConfig, pen: PenData | None) -> int:
    """How many classes the new model has: the digits and "not a digit", unless it fine-tunes a
    model that knows only the digits without real pen writing: scribbles alone teach "not a digit"
    too crudely (a fine-tune of the bundled model on 20,000 MNIST images and scribbles read 0.4
    points less of MNIST, digits rejected as not digits), so that fine-tune keeps the ten classes."""
    if config.init is None or (pen is not None and pen.source is not None):
        return len(CLASSES)
    try:
        build_classifier(config.width).load_weights(config.init)
    except (ValueError, OSError):
        return len(LABELS)  # weights of a digits-only model (or none that fit: _load_init says so)
    return len(CLASSES)


def _compiled_model(
    config: TrainConfig, plan: DevicePlan, total_steps: int, classes: int = len(CLASSES)
) -> tuple[keras.Model, keras.Model]:
    """The classifier (from `init` weights if given) and the training model around it, compiled."""
    with plan.strategy.scope():
        classifier = build_classifier(config.width, classes=classes)
        model = build_training_model(classifier, seed=config.seed, elastic=config.elastic)
        if config.init is not None:
            _load_init(classifier, config)
        model.compile(
            # Polyak averaging: validation, checkpoints and the exported model use the weights'
            # moving average, which generalises better than the last step's weights.
            optimizer=keras.optimizers.Adam(
                config.effective_learning_rate(), use_ema=True, ema_momentum=ema_momentum(total_steps)
            ),
            loss=keras.losses.SparseCategoricalCrossentropy(),
            metrics=["accuracy"],
            jit_compile=plan.jit_compile,
        )
    return classifier, model


def _fit(
    model: keras.Model,
    train_ds: tf.data.Dataset | Batches,
    val_ds: tf.data.Dataset | Batches,
    config: TrainConfig,
    steps: int,
    workdir: Path | None,
) -> dict[str, list[float]]:
    """Fit, then load the weights of the best validation epoch; return the history."""
    with tempfile.TemporaryDirectory(dir=workdir, prefix="checkpoints-") as tmp:
        best = Path(tmp) / "best.weights.h5"
        callbacks: list[keras.callbacks.Callback] = [
            keras.callbacks.SwapEMAWeights(swap_on_epoch=True),  # before the checkpoint: it saves the average
            keras.callbacks.ModelCheckpoint(best, monitor="val_accuracy", save_best_only=True, save_weights_only=True),
            keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.3, patience=3, min_lr=1e-5),
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=PATIENCE),
            keras.callbacks.TerminateOnNaN(),
        ]
        if config.progress == "jsonl":
            callbacks.append(JsonlProgress(config.epochs, steps))
        history = model.fit(
            train_ds,
            validation_data=val_ds,
            epochs=config.epochs,
            callbacks=callbacks,
            verbose=1 if config.progress == "bar" else 0,
            shuffle=False,  # the batches (tf.data or Batches) already reshuffle every epoch
        )
        if not best.exists():
            raise TrainingError(
                "training diverged (the loss became NaN) before any usable epoch; try a lower learning rate"
            )
        model.load_weights(best)
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def train(
    mnist: Mnist,
    config: TrainConfig,
    plan: DevicePlan,
    extra: tuple[np.ndarray, np.ndarray] | None = None,
    workdir: Path | None = None,
    pen: PenData | None = None,
) -> TrainResult:
    """Train the classifier as `config` says, on MNIST, the pen data and the `extra` (images,
    labels), and return it with the weights of its best validation epoch."""
    keras.utils.set_random_seed(config.seed)
    classes = _classes(config, pen)
    if classes == len(LABELS):
        pen = None  # its scribbles would teach a class this model does not have
    data = _split(mnist, config, extra, pen)
    batch = config.batch_size * plan.replicas
    # --epochs 0 trains nothing: the --init weights as they are (trained elsewhere, say under JAX).
    train_ds = (
        _dataset(data.x_train, data.y_train, data.weights, batch, config.seed, shuffle=True) if config.epochs else None
    )
    val_ds = _dataset(data.x_val, data.y_val, None, batch, config.seed, shuffle=False)
    steps = int(np.ceil(len(data.x_train) / batch))
    classifier, model = _compiled_model(config, plan, config.epochs * steps, classes)
    hist: dict[str, list[float]] = {}
    best_epoch: int | None = None
    if train_ds is None:
        val_accuracy = float(model.evaluate(val_ds, verbose=0, return_dict=True)["accuracy"])
    else:
        hist = _fit(model, train_ds, val_ds, config, steps, workdir)
        best_epoch = int(np.argmax(hist["val_accuracy"])) + 1
        val_accuracy = hist["val_accuracy"][best_epoch - 1]
    return TrainResult(
        classifier,
        hist,
        best_epoch,
        val_accuracy,
        len(data.x_train),
        len(data.x_val),
        data.x_val,
        data.y_val,
    )
