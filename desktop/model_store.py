"""Retrained models in the user's data folder: the active one and the one before it.

`current.onnx` is what the app uses after a retrain is accepted; `previous.onnx` is what it used
before, so "Revert to previous" always works. Each model's Keras weights sit beside it
(`.weights.h5`) so the next retrain can fine-tune it. Every step is a copy to a temporary file
followed by a rename: the active model is never half-written.
"""
from __future__ import annotations

import os
from pathlib import Path

from desktop.atomic import write_bytes_atomic


def weights_for(model: Path) -> Path:
    """The Keras weights file that belongs to an ONNX model (same stem, `.weights.h5`)."""
    return model.with_suffix(".weights.h5")


class ModelStore:
    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.current = self.root / "current.onnx"
        self.previous = self.root / "previous.onnx"

    def install(self, new_model: Path, active_model: Path) -> Path:
        """Make `new_model` current; keep `active_model` (what the app uses now) as previous."""
        new_data = new_model.read_bytes()
        new_weights = weights_for(new_model).read_bytes() if weights_for(new_model).exists() else None
        self._copy(active_model, self.previous)
        self._replace(self.current, new_data, new_weights)
        return self.current

    def revert(self) -> Path:
        """Swap current and previous; return the model now current."""
        if not self.previous.exists():
            raise FileNotFoundError("there is no previous model")
        prev_data = self.previous.read_bytes()
        prev_weights = weights_for(self.previous).read_bytes() if weights_for(self.previous).exists() else None
        if self.current.exists():
            self._copy(self.current, self.previous)
        else:
            self.previous.unlink()
        self._replace(self.current, prev_data, prev_weights)
        return self.current

    def _copy(self, source: Path, target: Path) -> None:
        if source.resolve() == target.resolve():
            return
        weights = weights_for(source).read_bytes() if weights_for(source).exists() else None
        self._replace(target, source.read_bytes(), weights)

    @staticmethod
    def _replace(target: Path, data: bytes, weights: bytes | None) -> None:
        if weights is not None:
            write_bytes_atomic(weights_for(target), weights)
        else:
            try:
                os.remove(weights_for(target))
            except FileNotFoundError:
                pass
        write_bytes_atomic(target, data)
