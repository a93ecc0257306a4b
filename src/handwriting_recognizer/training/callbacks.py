"""The Keras callback that reports training progress as `core.progress` lines.

Only the training loop imports this module, once Keras is loaded anyway; messages said before that
(errors, warnings, the device) are emitted by the CLI with `core.progress` directly.
"""

from __future__ import annotations

import time
from typing import IO, Any

import keras

from handwriting_recognizer.core.progress import INTERVAL_S, Epoch, Start, Step, emit


class JsonlProgress(keras.callbacks.Callback):
    """Emits a Start, Step events (at most every `interval_s`) and an Epoch after each epoch."""

    def __init__(self, epochs: int, steps: int, interval_s: float = INTERVAL_S, stream: IO[str] | None = None):
        super().__init__()
        self.epochs, self.steps, self.interval_s, self.stream = epochs, steps, interval_s, stream
        self._val: dict[str, float | None] = {"val_loss": None, "val_accuracy": None}

    def on_train_begin(self, logs=None):
        self._start = time.monotonic()
        self._last = 0.0
        self._done_steps = 0
        emit(Start(epochs=self.epochs, steps=self.steps), self.stream)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _eta(self) -> float:
        remaining = self.epochs * self.steps - self._done_steps
        per_step = (time.monotonic() - self._start) / max(self._done_steps, 1)
        return round(remaining * per_step, 1)

    def _emit(self, kind: type[Step] | type[Epoch], step: int, logs: dict) -> None:
        emit(
            kind(
                epoch=self._epoch + 1,
                epochs=self.epochs,
                step=step,
                steps=self.steps,
                loss=_f(logs.get("loss")),
                accuracy=_f(logs.get("accuracy")),
                eta_s=self._eta(),
                **self._val,
            ),
            self.stream,
        )

    def on_train_batch_end(self, batch, logs=None):
        self._done_steps += 1
        now = time.monotonic()
        if now - self._last >= self.interval_s:
            self._last = now
            self._emit(Step, batch + 1, logs or {})

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._done_steps = (epoch + 1) * self.steps
        self._val = {"val_loss": _f(logs.get("val_loss")), "val_accuracy": _f(logs.get("val_accuracy"))}
        self._emit(Epoch, self.steps, logs)


def _f(value: Any) -> float | None:
    return None if value is None else float(value)
