"""Drawing files: `{"width": W, "height": H, "strokes": [[[x, y], ...], ...], "pen_width": P}`.

Coordinates are canvas pixels; `pen_width` is optional. Loading validates everything within a
budget (file size, points, sizes, coordinates) and raises `DrawingError` with a message fit for a
person, whatever the file holds.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from handwriting_recognizer.core.atomic import write_bytes_atomic
from handwriting_recognizer.core.preprocess import strokes_to_input
from handwriting_recognizer.core.safe_io import MB, FileRefused, parse_json, read_regular_file

PEN_FRACTION = 0.04  # the app's pen width as a fraction of the canvas' shorter side
MAX_FILE_BYTES = 16 * MB  # budget: a drawing file (100,000 points take about 2 MB)
MAX_POINTS = 100_000  # budget: points in one drawing
MAX_SIDE = 100_000  # budget: canvas width and height, in pixels (at least 1)
MAX_COORDINATE = 10 * MAX_SIDE  # budget: |x| and |y| (points may lie outside the canvas)


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
        width, height = _side(data, "width"), _side(data, "height")
        strokes = data.get("strokes")
        if not isinstance(strokes, list):
            raise DrawingError("'strokes' must be a list of strokes, each a list of [x, y] points")
        parsed, total = [], 0
        for i, stroke in enumerate(strokes):
            total += len(stroke) if isinstance(stroke, list) else 0
            if total > MAX_POINTS:
                raise DrawingError(f"too many points (more than {MAX_POINTS})")
            points = _points(stroke, i)
            if points.size:
                parsed.append(points)
        pen = data.get("pen_width")
        if pen is not None and (
            not isinstance(pen, (int, float))
            or isinstance(pen, bool)
            or not 0 < pen < MAX_SIDE
            or not math.isfinite(pen)
        ):
            raise DrawingError("'pen_width' must be a positive number")
        return cls(int(round(width)), int(round(height)), tuple(parsed), None if pen is None else float(pen))


def _side(data: dict, name: str) -> int | float:
    """The drawing's width or height; DrawingError unless a number from 1 to MAX_SIDE."""
    value = data.get(name)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 1 <= value <= MAX_SIDE:
        raise DrawingError(f"'{name}' must be a number from 1 to {MAX_SIDE}")
    return value


def _points(stroke: object, i: int) -> np.ndarray:
    """One stroke as a (K, 2) float array of finite coordinates within MAX_COORDINATE."""
    problem = f"stroke {i} is not a list of [x, y] number pairs"
    if not isinstance(stroke, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
        for p in stroke
    ):
        raise DrawingError(problem)
    try:
        points = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
    except OverflowError:  # an integer too large for a float
        points = np.array([[np.inf, np.inf]])
    if not (np.isfinite(points).all() and (np.abs(points) <= MAX_COORDINATE).all()):
        raise DrawingError(f"stroke {i} has a coordinate that is not a finite number within ±{MAX_COORDINATE}")
    return points


def parse_drawing(data: bytes, name: str = "drawing") -> Drawing:
    """Validate the bytes of a drawing file; DrawingError (prefixed with `name`) says what is wrong."""
    try:
        parsed = parse_json(data, name)
    except FileRefused as exc:
        raise DrawingError(f"{exc} (not a drawing)") from None
    try:
        return Drawing.from_json(parsed)
    except DrawingError as exc:
        raise DrawingError(f"{name}: {exc}") from None


def load_drawing(path: Path | str) -> Drawing:
    """Read and validate a drawing file within its budget."""
    path = Path(path)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES, "drawing")
    except FileRefused as exc:
        raise DrawingError(str(exc)) from None
    return parse_drawing(data, path.name)


def save_drawing(drawing: Drawing, path: Path | str) -> None:
    """Write the drawing as JSON, atomically."""
    write_bytes_atomic(path, json.dumps(drawing.to_json(), separators=(",", ":")).encode("utf-8"))
