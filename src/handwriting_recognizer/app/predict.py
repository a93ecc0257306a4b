"""`python -m handwriting_recognizer predict FILE...`: recognize pictures and drawing files without a window.

Exit codes: 0 every file read, 1 some file failed (reported on its own line), 2 the model or the
arguments are unusable, 3 the results could not be written (a closed pipe, a full disk).
Standard output carries results only: anything else written there while the model runs
(native libraries' messages) is sent to standard error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np

from handwriting_recognizer.core.drawing import DrawingError, load_drawing
from handwriting_recognizer.core.paths import bundled_model_path
from handwriting_recognizer.core.preprocess import image_to_input
from handwriting_recognizer.core.recognizer import ModelError, Reading, Recognizer

EXIT_FILE_FAILED = 1
EXIT_BAD_MODEL = 2
EXIT_CANNOT_WRITE = 3


def input_for_file(path: Path) -> np.ndarray:
    """A drawing (.json) or a picture -> the model's 28x28 input. Raises ValueError subclasses or
    ImageError/DrawingError with a readable message."""
    if path.suffix.lower() == ".json":
        return load_drawing(path).to_input()
    from handwriting_recognizer.app.imageio import read_image

    return image_to_input(read_image(path))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m handwriting_recognizer predict", description="Recognize digits in pictures and drawing files."
    )
    parser.add_argument("files", nargs="+", type=Path, help="images (PNG, JPEG, SVG, ...) or drawing files (.json)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--model", type=Path, default=None, help="ONNX model (default: the bundled model)")
    args = parser.parse_args(argv)
    if any(path.suffix.lower() != ".json" for path in args.files):
        _gui_for_pictures()
    try:
        with _results_stream() as out:
            return _predict_files(args, out)
    except OSError as exc:  # the reader went away, or the disk behind standard output is full
        with contextlib.suppress(OSError):
            print(f"error: cannot write the results ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_CANNOT_WRITE


def _predict_files(args: argparse.Namespace, out: IO[str]) -> int:
    try:
        recognizer = Recognizer(args.model or bundled_model_path())
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_MODEL

    from handwriting_recognizer.app.imageio import ImageError

    failed = False
    for path in args.files:
        try:
            x = input_for_file(path)
            reading = recognizer.read(x)
        except (DrawingError, ImageError, ModelError, ValueError, OSError) as exc:
            failed = True
            message = str(exc) if str(exc).startswith(path.name) else f"{path.name}: {exc}"
            _report(out, args.json, {"file": str(path), "error": message}, f"{path}: error: {message}")
            continue
        result = {
            "file": str(path),
            "label": reading.label,
            "confidence": round(reading.confidence, 4),
            "probabilities": [round(float(p), 4) for p in reading.probabilities],
        }
        _report(out, args.json, result, f"{path}: {_describe(reading)}")
    return EXIT_FILE_FAILED if failed else 0


def _gui_for_pictures() -> None:
    """Qt renders the text in SVG pictures only inside a GUI application: make an offscreen one."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        QGuiApplication([sys.argv[0] if sys.argv else "hwr", "-platform", "offscreen"])


@contextlib.contextmanager
def _results_stream() -> Iterator[IO[str]]:
    """A stream to the real standard output, while file descriptor 1 points at standard error."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        # surrogateescape: a file name that is not valid UTF-8 is written back as the bytes it was
        with os.fdopen(os.dup(saved), "w", encoding=sys.stdout.encoding or "utf-8", errors="surrogateescape") as out:
            yield out
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _describe(reading: Reading) -> str:
    if reading.label is not None:
        return f"{reading.label} ({reading.confidence:.1%})"
    if reading.blank:
        return "no digit (blank)"
    return f"unsure (best guess {int(np.argmax(reading.probabilities))}, {reading.confidence:.0%})"


def _report(out: IO[str], as_json: bool, obj: dict, text: str) -> None:
    out.write((json.dumps(obj, allow_nan=False) if as_json else text) + "\n")
    out.flush()
