"""Retrained models in the user's data folder: the active one and the one before it.

`current.onnx` is what the app uses after a retrain is accepted; `previous.onnx` is what it used
before, so "Revert to previous" always works. Each model's companions move with it: its Keras
weights (`.weights.h5`, so the next retrain can fine-tune it) and its int8 copy (`.int8.onnx`,
what the CPU runs). Every step is a copy to a temporary file
followed by a rename: the active model is never half-written.
"""
from __future__ import annotations

from pathlib import Path

from desktop.atomic import write_bytes_atomic
from desktop.engine import int8_path_for


def weights_for(model: Path) -> Path:
    """The Keras weights file that belongs to an ONNX model (same stem, `.weights.h5`)."""
    return model.with_suffix(".weights.h5")


def companions(model: Path) -> list[Path]:
    """The files that belong to a model and move with it."""
    return [weights_for(model), int8_path_for(model)]


def _read_companions(model: Path) -> list[bytes | None]:
    return [path.read_bytes() if path.exists() else None for path in companions(model)]


class ModelStore:
    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.current = self.root / "current.onnx"
        self.previous = self.root / "previous.onnx"

    def install(self, new_model: Path, active_model: Path) -> Path:
        """Make `new_model` current; keep `active_model` (what the app uses now) as previous."""
        new_data, new_extras = new_model.read_bytes(), _read_companions(new_model)
        self._copy(active_model, self.previous)
        self._replace(self.current, new_data, new_extras)
        return self.current

    def revert(self) -> Path:
        """Swap current and previous; return the model now current."""
        if not self.previous.exists():
            raise FileNotFoundError("there is no previous model")
        prev_data, prev_extras = self.previous.read_bytes(), _read_companions(self.previous)
        if self.current.exists():
            self._copy(self.current, self.previous)
        else:
            self.previous.unlink()
        self._replace(self.current, prev_data, prev_extras)
        return self.current

    def _copy(self, source: Path, target: Path) -> None:
        if source.resolve() == target.resolve():
            return
        self._replace(target, source.read_bytes(), _read_companions(source))

    @staticmethod
    def _replace(target: Path, data: bytes, extras: list[bytes | None]) -> None:
        """Write the companions, then the model: an int8 copy is only used beside its own model."""
        for path, content in zip(companions(target), extras):
            if content is not None:
                write_bytes_atomic(path, content)
            else:
                path.unlink(missing_ok=True)
        write_bytes_atomic(target, data)
