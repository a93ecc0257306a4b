"""The training loop: data -> tf.data -> augmented model -> Keras fit with validation callbacks.

Checkpoints are chosen on a validation split of the training set; the test set is not seen here.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from handwriting_recognizer.training.data import Mnist, split_validation
from handwriting_recognizer.training.devices import DevicePlan
from handwriting_recognizer.training.model import build_classifier, build_training_model
from handwriting_recognizer.training.callbacks import JsonlProgress


EMA_HORIZON = 0.05  # the weights' moving average spans the last ~5% of the planned steps


def ema_momentum(total_steps: int) -> float:
    """Momentum of an average over EMA_HORIZON of the run: ~0.999 for 40 epochs of full MNIST, and
    low enough in a short run (a quick test, a fine-tune) that the average forgets the start."""
    return 1.0 - 1.0 / max(1.0, EMA_HORIZON * total_steps)


class TrainingError(Exception):
    """Training cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run; recorded in the model card."""

    epochs: int = 40
    batch_size: int = 128
    learning_rate: float = 2e-3
    width: int = 40
    elastic: float = 0.8
    val_size: int = 5000
    patience: int = 10
    seed: int = 0
    limit: int | None = None
    progress: str = "bar"
    extra_x: np.ndarray | None = field(default=None, repr=False)
    extra_y: np.ndarray | None = field(default=None, repr=False)
    extra_weight: float = 1.0
    init_weights: Path | None = None


@dataclass
class TrainResult:
    classifier: keras.Model
    history: dict[str, list[float]]
    best_epoch: int
    val_accuracy: float
    train_size: int
    val_size: int


def _dataset(x: np.ndarray, y: np.ndarray, w: np.ndarray | None, batch: int, seed: int, shuffle: bool) -> tf.data.Dataset:
    tensors = (x, y) if w is None else (x, y, w)
    ds = tf.data.Dataset.from_tensor_slices(tensors)
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch)

    def scale(image, *rest):
        return (tf.cast(image, tf.float32)[..., None] / 255.0, *rest)

    return ds.map(scale, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def train(mnist: Mnist, config: TrainConfig, plan: DevicePlan, workdir: Path | None = None) -> TrainResult:
    """Train the classifier and return it with the weights of its best validation epoch."""
    keras.utils.set_random_seed(config.seed)
    val_size = config.val_size if config.limit is None else min(config.val_size, max(100, config.limit // 5))
    val_size = min(val_size, len(mnist.x_train) // 5)  # small datasets keep most images for training
    x_train, y_train, x_val, y_val = split_validation(mnist.x_train, mnist.y_train, val_size, config.seed)
    if config.limit is not None:
        x_train, y_train = x_train[: config.limit], y_train[: config.limit]
    weights = None
    if config.extra_x is not None and len(config.extra_x):
        # The user's own samples join the training set, weighted so a handful can matter.
        weights = np.concatenate([np.ones(len(x_train), np.float32), np.full(len(config.extra_x), config.extra_weight, np.float32)])
        x_train = np.concatenate([x_train, config.extra_x])
        y_train = np.concatenate([y_train, config.extra_y])
    batch = config.batch_size * plan.replicas
    train_ds = _dataset(x_train, y_train, weights, batch, config.seed, shuffle=True)
    val_ds = _dataset(x_val, y_val, None, batch, config.seed, shuffle=False)
    steps = int(np.ceil(len(x_train) / batch))

    with plan.strategy.scope():
        classifier = build_classifier(config.width)
        model = build_training_model(classifier, seed=config.seed, elastic=config.elastic)
        if config.init_weights is not None:
            try:
                classifier.load_weights(config.init_weights)
            except (ValueError, OSError) as exc:
                raise TrainingError(f"{config.init_weights}: these weights do not fit this network "
                                    f"(width {config.width}); train from scratch instead ({str(exc).splitlines()[0][:120]})") from exc
        model.compile(
            # Polyak averaging: validation, checkpoints and the exported model use the weights'
            # moving average, which generalises better than the last step's weights.
            optimizer=keras.optimizers.Adam(config.learning_rate, use_ema=True,
                                            ema_momentum=ema_momentum(config.epochs * steps)),
            loss=keras.losses.SparseCategoricalCrossentropy(),
            metrics=["accuracy"],
            jit_compile=plan.on_gpu,
        )

    with tempfile.TemporaryDirectory(dir=workdir, prefix="checkpoints-") as tmp:
        best = Path(tmp) / "best.weights.h5"
        callbacks: list[keras.callbacks.Callback] = [
            keras.callbacks.SwapEMAWeights(swap_on_epoch=True),  # before the checkpoint: it saves the average
            keras.callbacks.ModelCheckpoint(best, monitor="val_accuracy", save_best_only=True, save_weights_only=True),
            keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.3, patience=3, min_lr=1e-5),
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience),
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
            shuffle=False,  # tf.data already reshuffles every epoch
        )
        if not best.exists():
            raise TrainingError("training diverged (the loss became NaN) before any usable epoch; try a lower learning rate")
        model.load_weights(best)

    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    best_epoch = int(np.argmax(hist["val_accuracy"]))
    return TrainResult(classifier, hist, best_epoch + 1, hist["val_accuracy"][best_epoch], len(x_train), len(x_val))

