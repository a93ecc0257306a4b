"""Drawing files: `{"width": W, "height": H, "strokes": [[[x, y], ...], ...], "pen_width": P}`.

Coordinates are canvas pixels; `pen_width` is optional. Loading validates everything and raises
`DrawingError` with a message fit for a person.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from desktop.atomic import write_bytes_atomic
from desktop.preprocess import strokes_to_input

MAX_POINTS = 100_000
PEN_FRACTION = 0.04  # the app's pen width as a fraction of the canvas' shorter side
MAX_SIDE = 100_000


class DrawingError(Exception):
    """A drawing file or object is malformed."""


@dataclass(frozen=True)
class Drawing:
    """Strokes (each an (K,2) float array of x, y) on a width x height canvas."""

    width: int
    height: int
    strokes: tuple[np.ndarray, ...]
    pen_width: float | None = None

    def effective_pen_width(self) -> float:
        """The pen it was drawn with, else the app's default pen for a canvas of this size."""
        return self.pen_width or PEN_FRACTION * min(self.width, self.height)

    def to_input(self) -> np.ndarray:
        """The model's 28x28 input for this drawing."""
        return strokes_to_input(self.strokes, self.effective_pen_width())

    def to_json(self) -> dict:
        data: dict = {
            "width": self.width,
            "height": self.height,
            "strokes": [[[round(float(x), 2), round(float(y), 2)] for x, y in s] for s in self.strokes],
        }
        if self.pen_width is not None:
            data["pen_width"] = self.pen_width
        return data

    @classmethod
    def from_json(cls, data: object) -> Drawing:
        """Validate a parsed JSON object; raise DrawingError naming what is wrong."""
        if not isinstance(data, dict):
            raise DrawingError("a drawing must be a JSON object with width, height and strokes")
        width, height = data.get("width"), data.get("height")
        for name, value in (("width", width), ("height", height)):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= MAX_SIDE:
                raise DrawingError(f"'{name}' must be a positive number up to {MAX_SIDE}")
        strokes = data.get("strokes")
        if not isinstance(strokes, list):
            raise DrawingError("'strokes' must be a list of strokes, each a list of [x, y] points")
        parsed, total = [], 0
        for i, stroke in enumerate(strokes):
            try:
                points = np.asarray(stroke, dtype=np.float64)
            except (TypeError, ValueError):
                raise DrawingError(f"stroke {i} is not a list of [x, y] number pairs") from None
            if points.size == 0:
                continue
            if points.ndim != 2 or points.shape[1] != 2:
                raise DrawingError(f"stroke {i} is not a list of [x, y] number pairs")
            if not np.isfinite(points).all():
                raise DrawingError(f"stroke {i} has a coordinate that is not a finite number")
            total += len(points)
            if total > MAX_POINTS:
                raise DrawingError(f"too many points (more than {MAX_POINTS})")
            parsed.append(points)
        pen = data.get("pen_width")
        if pen is not None and (not isinstance(pen, (int, float)) or isinstance(pen, bool) or not 0 < pen < MAX_SIDE or not math.isfinite(pen)):
            raise DrawingError("'pen_width' must be a positive number")
        return cls(int(round(width)), int(round(height)), tuple(parsed), None if pen is None else float(pen))


def load_drawing(path: Path | str) -> Drawing:
    """Read and validate a drawing file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DrawingError(f"{path.name}: cannot read ({exc.strerror if isinstance(exc, OSError) else 'not UTF-8 text'})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DrawingError(f"{path.name}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    try:
        return Drawing.from_json(data)
    except DrawingError as exc:
        raise DrawingError(f"{path.name}: {exc}") from exc


def save_drawing(drawing: Drawing, path: Path | str) -> None:
    """Write the drawing as JSON, atomically."""
    write_bytes_atomic(path, json.dumps(drawing.to_json(), separators=(",", ":")).encode("utf-8"))
