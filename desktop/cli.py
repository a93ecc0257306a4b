"""`python -m desktop predict FILE...`: recognize pictures and drawing files without a window.

Exit codes: 0 every file read, 1 some file failed (reported on its own line), 2 the model or the
arguments are unusable.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from desktop.drawing import DrawingError, load_drawing
from desktop.engine import ModelError, Reading, Recognizer, read
from desktop.paths import bundled_model_path
from desktop.preprocess import image_to_input, is_blank

EXIT_FILE_FAILED = 1
EXIT_BAD_MODEL = 2


def input_for_file(path: Path) -> np.ndarray:
    """A drawing (.json) or a picture -> the model's 28x28 input. Raises ValueError subclasses or
    ImageError/DrawingError with a readable message."""
    if path.suffix.lower() == ".json":
        return load_drawing(path).to_input()
    from desktop.imageio import read_image

    return image_to_input(read_image(path))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop predict", description="Recognize digits in pictures and drawing files.")
    parser.add_argument("files", nargs="+", type=Path, help="images (PNG, JPEG, ...) or drawing files (.json)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--model", type=Path, default=None, help="ONNX model (default: the bundled model)")
    args = parser.parse_args(argv)
    try:
        recognizer = Recognizer(args.model or bundled_model_path())
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_MODEL

    from desktop.imageio import ImageError

    failed = False
    for path in args.files:
        try:
            x = input_for_file(path)
        except (DrawingError, ImageError, ValueError, OSError) as exc:
            failed = True
            message = str(exc) if str(exc).startswith(path.name) else f"{path.name}: {exc}"
            _report(args.json, {"file": str(path), "error": message}, f"{path}: error: {message}")
            continue
        reading = read(recognizer.predict(x), blank=is_blank(x))
        result = {
            "file": str(path),
            "label": reading.label,
            "confidence": round(reading.confidence, 4),
            "probabilities": [round(float(p), 4) for p in reading.probabilities],
        }
        _report(args.json, result, f"{path}: {_describe(reading)}")
    return EXIT_FILE_FAILED if failed else 0


def _describe(reading: Reading) -> str:
    if reading.label is not None:
        return f"{reading.label} ({reading.confidence:.1%})"
    if reading.blank:
        return "no digit (blank)"
    return f"unsure (best guess {int(np.argmax(reading.probabilities))}, {reading.confidence:.0%})"


def _report(as_json: bool, obj: dict, text: str) -> None:
    print(json.dumps(obj) if as_json else text, flush=True)
