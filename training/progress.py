"""Machine-readable training progress: one JSON object per line, read by the app's retrain dialog."""
from __future__ import annotations

import json
import math
import sys
import time
from typing import IO, Any

import keras


def emit(event: str, stream: IO[str] | None = None, **fields: Any) -> None:
    """Write one JSON line and flush, so a reading process sees it at once."""
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in fields.items()}
    out = stream or sys.stdout
    out.write(json.dumps({"event": event, **clean}) + "\n")
    out.flush()


class JsonlProgress(keras.callbacks.Callback):
    """Emits `step` lines (at most every `interval_s`) and an `epoch` line after each epoch.

    Every line has epoch (1-based), step, steps, loss, accuracy, val_loss, val_accuracy and eta_s
    (seconds left if all epochs run; early stopping can only make it shorter).
    """

    def __init__(self, epochs: int, steps: int, interval_s: float = 0.5, stream: IO[str] | None = None):
        super().__init__()
        self.epochs, self.steps, self.interval_s, self.stream = epochs, steps, interval_s, stream
        self._val: dict[str, float | None] = {"val_loss": None, "val_accuracy": None}

    def on_train_begin(self, logs=None):
        self._start = time.monotonic()
        self._last = 0.0
        self._done_steps = 0
        emit("start", self.stream, epochs=self.epochs, steps=self.steps)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _eta(self) -> float:
        remaining = self.epochs * self.steps - self._done_steps
        per_step = (time.monotonic() - self._start) / max(self._done_steps, 1)
        return round(remaining * per_step, 1)

    def _line(self, event: str, step: int, logs: dict) -> None:
        emit(
            event,
            self.stream,
            epoch=self._epoch + 1,
            epochs=self.epochs,
            step=step,
            steps=self.steps,
            loss=_f(logs.get("loss")),
            accuracy=_f(logs.get("accuracy")),
            eta_s=self._eta(),
            **self._val,
        )

    def on_train_batch_end(self, batch, logs=None):
        self._done_steps += 1
        now = time.monotonic()
        if now - self._last >= self.interval_s:
            self._last = now
            self._line("step", batch + 1, logs or {})

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._done_steps = (epoch + 1) * self.steps
        self._val = {"val_loss": _f(logs.get("val_loss")), "val_accuracy": _f(logs.get("val_accuracy"))}
        self._line("epoch", self.steps, logs)


def _f(value: Any) -> float | None:
    return None if value is None else float(value)
