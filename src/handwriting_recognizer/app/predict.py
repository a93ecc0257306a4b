"""`python -m handwriting_recognizer predict FILE...`: recognize pictures and drawing files without a window.

Exit codes: 0 every file read, 1 some file failed (reported on its own line), 2 the model or the
arguments are unusable, 3 the results could not be written (a closed pipe, a full disk).
Standard output carries results only: anything else written there while the model runs
(native libraries' messages) is sent to standard error.

Each file is read as a number (core/numbers.py): `text` is the whole reading ("2026", "3.14", "-42";
null when unsure or not a number, and `reason` says why) and `characters` its characters left to
right, each with its `char`, `confidence`, ten `probabilities` (null for '.' and '-', which are
told by their shape) and `box` [x0, y0, x1, y1] in the drawing's or picture's coordinates. `label`,
`probabilities` and `not_a_digit` are the single digit's when the file holds one character, as
they always were, and null for a number of several. `confidence` is how sure the reading in `text`
is, and null with it: without a reading there is nothing to be sure of (each character's own
confidence is in `characters`).
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
from handwriting_recognizer.core.numbers import NOT_A_NUMBER, Character, NumberReader, NumberReading, number_problem
from handwriting_recognizer.core.paths import bundled_model_path
from handwriting_recognizer.core.percent import percent
from handwriting_recognizer.core.recognizer import (
    BLANK,
    NOT_A_DIGIT,
    ModelError,
    Reading,
    Recognizer,
    limit_model_memory,
)

EXIT_FILE_FAILED = 1
EXIT_BAD_MODEL = 2
EXIT_CANNOT_WRITE = 3


def read_file(reader: NumberReader, path: Path) -> tuple[NumberReading, int | None]:
    """A drawing (.json) or a picture, read as a number (a single digit reads as it always did),
    and how many pictures the file holds (a TIFF's pages, a GIF's frames: only the first is read;
    None for a drawing). Raises ValueError subclasses, ImageError, DrawingError or ModelError with
    a readable message."""
    if path.suffix.lower() == ".json":
        drawing = load_drawing(path)
        return reader.read_strokes(drawing.strokes, drawing.effective_pen_width()), None
    from handwriting_recognizer.app.imageio import read_image_file

    opened = read_image_file(path)
    return reader.read_picture(opened.pixels), opened.pictures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m handwriting_recognizer predict",
        description="Read the digit or whole number written in pictures and drawing files.",
    )
    parser.add_argument("files", nargs="+", type=Path, help="images (PNG, JPEG, SVG, ...) or drawing files (.json)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--model", type=Path, default=None, help="ONNX model (default: the bundled model)")
    args = parser.parse_args(argv)
    limit_model_memory()
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
        # On the CPU even where CUDA is offered: a process's first CUDA session took 1.7-1.9 s to
        # start on an H100, the time of some 20,000 of the CPU's readings (README: onnxruntime).
        recognizer = Recognizer(args.model or bundled_model_path(), use_gpu=False)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_MODEL

    from handwriting_recognizer.app.imageio import ImageError

    failed = False
    reader = NumberReader(recognizer)
    for path in args.files:
        try:
            number, pictures = read_file(reader, path)
        except (DrawingError, ImageError, ModelError, ValueError, OSError) as exc:
            failed = True
            message = str(exc) if str(exc).startswith(path.name) else f"{path.name}: {exc}"
            _report(out, args.json, {"file": str(path), "error": message}, f"{path}: error: {message}")
            continue
        first = f" (the first of its {pictures} pictures: pages or frames)" if pictures and pictures > 1 else ""
        fields = {"file": str(path), **_fields(number), "pictures": pictures}
        _report(out, args.json, fields, f"{path}: {_describe(number)}{first}")
    return EXIT_FILE_FAILED if failed else 0


def _fields(number: NumberReading) -> dict[str, object]:
    """A reading's JSON fields. `label`, `probabilities` and `not_a_digit` are the single digit's
    (null for a number of several characters, whose `characters` hold them, and for a blank);
    `confidence` is that of the reading in `text`, null with it (a product of the characters'
    confidences beside "not a number" read as a verdict); `reason` says why there is no label or
    text."""
    single = number.single
    read = None if single is None or single.blank else single  # a blank's zeros read as a "0" (QA)
    return {
        "label": None if single is None else single.label,
        "reason": number.reason,
        "confidence": None if number.text is None else round(number.confidence, 4),
        "probabilities": None if read is None else _rounded(read.probabilities),
        "not_a_digit": None if read is None else round(read.not_a_digit, 4),
        "text": number.text,
        "characters": [
            {
                "char": c.char,
                "confidence": None if c.confidence is None else round(c.confidence, 4),
                "probabilities": None if c.probabilities is None else _rounded(c.probabilities),
                "reason": None if c.reading is None else c.reading.reason,
                "not_a_digit": None if c.reading is None else round(c.reading.not_a_digit, 4),
                "box": [round(float(v), 2) for v in c.box],
            }
            for c in number.characters
        ],
    }


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 4) for v in values]


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


def _describe(number: NumberReading) -> str:
    """A reading in words: the digit or the number with its confidence, else why there is none."""
    if number.single is not None:
        return _describe_digit(number.single)
    if number.text is not None:
        return f"{number.text} ({percent(number.confidence, 1)})"
    if number.reason == NOT_A_NUMBER and number.problem_at is not None:
        shown = "".join(c.char or "?" for c in number.characters)
        return f"not a number ({shown}: {number_problem(number)})"
    guess = "".join(_guess(c) for c in number.characters)
    return f"unsure (best guess {guess}, {percent(number.confidence, 1)})"


def _guess(character: Character) -> str:
    """A character as read, or its likeliest digit when the reading is unsure."""
    if character.char is not None or character.probabilities is None:
        return character.char or "?"
    return str(int(np.argmax(character.probabilities)))


def _describe_digit(reading: Reading) -> str:
    if reading.label is not None:
        return f"{reading.label} ({percent(reading.confidence, 1)})"
    if reading.reason == BLANK:
        return "no digit (blank)"
    if reading.reason == NOT_A_DIGIT:
        return f"not a digit ({percent(reading.not_a_digit, 1)})"
    return f"unsure (best guess {int(np.argmax(reading.probabilities))}, {percent(reading.confidence, 1)})"


def _report(out: IO[str], as_json: bool, obj: dict, text: str) -> None:
    out.write((json.dumps(obj, allow_nan=False) if as_json else text) + "\n")
    out.flush()
