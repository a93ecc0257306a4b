"""Drawing files: `{"width": W, "height": H, "strokes": [[[x, y], ...], ...], "pen_width": P,
"pressure": [[p, ...], ...]}`.

Coordinates are canvas pixels; `pen_width` and `pressure` are optional. `pressure` holds a pen's
pressure (0..1) for every point of every stroke, as a tablet reported it: it only changes how the
ink looks, never what the model reads (its input is drawn with MNIST's stroke width). Loading
validates everything within a budget (file size, points, sizes, coordinates) and raises
`DrawingError` with a message fit for a person, whatever the file holds.
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

PEN_FRACTION = 0.04  # a file without 'pen_width': its pen as a fraction of the shorter side (the app's old fixed pen)
MAX_FILE_BYTES = 16 * MB  # budget: a drawing file (100,000 points take about 2 MB)
MAX_POINTS = 100_000  # budget: points in one drawing
MAX_STROKES = MAX_POINTS  # budget: strokes (an empty one holds no point but costs time to read)
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
    pressure: tuple[np.ndarray, ...] | None = None  # per stroke, one 0..1 value per point; None: no pen pressure

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
        if self.pressure is not None:
            data["pressure"] = [[round(float(p), 3) for p in values] for values in self.pressure]
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
        if len(strokes) > MAX_STROKES:
            raise DrawingError(f"too many strokes (more than {MAX_STROKES})")
        pressure = data.get("pressure")
        if pressure is not None and (not isinstance(pressure, list) or len(pressure) != len(strokes)):
            raise DrawingError(f"'pressure' must be a list of {len(strokes)} lists, one per stroke")
        parsed, pressures, total = [], [], 0
        for i, stroke in enumerate(strokes):
            total += len(stroke) if isinstance(stroke, list) else 0
            if total > MAX_POINTS:
                raise DrawingError(f"too many points (more than {MAX_POINTS})")
            points = _points(stroke, i)
            if points.size:
                parsed.append(points)
                if pressure is not None:
                    pressures.append(_pressure(pressure[i], i, len(points)))
        pen = data.get("pen_width")
        if pen is not None and (
            not isinstance(pen, (int, float))
            or isinstance(pen, bool)
            or not 0 < pen < MAX_SIDE
            or not math.isfinite(pen)
        ):
            raise DrawingError("'pen_width' must be a positive number")
        return cls(
            int(round(width)),
            int(round(height)),
            tuple(parsed),
            None if pen is None else float(pen),
            None if pressure is None else tuple(pressures),
        )


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


def _pressure(values: object, i: int, points: int) -> np.ndarray:
    """One stroke's pressure: a number from 0 to 1 for each of its `points` points."""
    if not (
        isinstance(values, list)
        and len(values) == points
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    ):
        raise DrawingError(f"stroke {i}'s pressure must be a list of {points} numbers, one per point")
    try:
        pressure = np.asarray(values, dtype=np.float64)
    except OverflowError:  # an integer too large for a float
        pressure = np.array([np.inf])
    if not (np.isfinite(pressure).all() and ((pressure >= 0) & (pressure <= 1)).all()):
        raise DrawingError(f"stroke {i}'s pressure has a value that is not a number from 0 to 1")
    return pressure


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
