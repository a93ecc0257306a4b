"""Soak run: one process draws for a long session on the real window, then exits by itself.

    python -m tests.soak [--moves N]

Draws N mouse moves (strokes of many shapes, undo/redo, clear, an opened drawing and an opened
picture along the way) and checks that the reference counts of None, True and False stay flat.
PySide6 6.12.0 lost one reference to None per call of a Qt method that returns nothing: the count
fell with every mouse move until Python aborted ("Fatal Python error: none_dealloc"). Prints one
JSON line and exits 0 when the counts are flat, 1 when they drift.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from handwriting_recognizer.app.application import create_application
from handwriting_recognizer.app.imageio import gray_to_qimage, save_png
from handwriting_recognizer.app.main_window import MainWindow
from handwriting_recognizer.core.drawing import Drawing, save_drawing
from handwriting_recognizer.core.preprocess import render_strokes
from tests import handmade

POINTS_PER_STROKE = 60
EVENTS_PER_FRAME = 4  # mouse moves delivered between two turns of the event loop (a busy hand)
TOLERANCE = 1000  # references. 6.12.0 lost about 5.7 per mouse move (-114,000 here); 6.11.3 gains one per
# undo-stack push of a Python command (about +350 here: harmless, a count that only grows never frees None)


def counts() -> dict[str, int]:
    return {"None": sys.getrefcount(None), "True": sys.getrefcount(True), "False": sys.getrefcount(False)}


def stroke_points(i: int, width: int, height: int) -> list[QPoint]:
    """A stroke of POINTS_PER_STROKE moves: loops, zigzags and lines, in varied places and sizes."""
    t = np.linspace(0.0, 1.0, POINTS_PER_STROKE)
    cx, cy = width * (0.3 + 0.4 * ((i * 7) % 10) / 10), height * (0.3 + 0.4 * ((i * 3) % 10) / 10)
    r = min(width, height) * (0.1 + 0.15 * ((i * 5) % 7) / 7)
    kind = i % 3
    if kind == 0:
        x, y = cx + r * np.cos(2 * math.pi * t), cy + r * np.sin(2 * math.pi * t)
    elif kind == 1:
        x, y = cx - r + 2 * r * t, cy + r * np.where((t * 8).astype(int) % 2 == 0, -0.5, 0.5)
    else:
        x, y = cx + r * (t - 0.5), cy - r + 2 * r * t
    return [QPoint(round(a), round(b)) for a, b in zip(x, y, strict=False)]


def write_files(folder: Path) -> tuple[Path, Path]:
    """A drawing file and a picture of a 7 to open during the session."""
    strokes = handmade.seven()
    drawing = folder / "seven.json"
    save_drawing(Drawing(400, 400, tuple(strokes), 14.0), drawing)
    picture = folder / "seven.png"
    save_png(gray_to_qimage(render_strokes(strokes, (400, 400), 14.0)), picture)
    return drawing, picture


def session(window: MainWindow, app: QApplication, moves: int, files: tuple[Path, Path]) -> None:
    """Draw `moves` mouse moves as a person would over a long session."""
    canvas = window.canvas
    done = stroke = 0
    while done < moves:
        points = stroke_points(stroke, canvas.width(), canvas.height())
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
        for n, point in enumerate(points[1:], 1):
            QTest.mouseMove(canvas, point)
            if n % EVENTS_PER_FRAME == 0:
                app.processEvents()
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])
        app.processEvents()
        done += len(points) - 1
        stroke += 1
        if stroke % 5 == 0:
            canvas.undo_stack.undo()
            canvas.undo_stack.redo()
        if stroke % 12 == 0:
            canvas.clear()
        if stroke % 50 == 0:
            window.open_file(files[0])
        if stroke % 50 == 25:
            window.open_file(files[1])
        app.processEvents()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=20_000)
    args = parser.parse_args(argv)
    app = create_application(sys.argv[:1])
    window = MainWindow()
    window.resize(900, 600)
    window.show()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_files(Path(tmp))
        session(window, app, 24 * POINTS_PER_STROKE, files)  # warm up: caches, lazy imports
        before = counts()
        session(window, app, args.moves, files)
        after = counts()
    window.close()
    drift = {name: after[name] - before[name] for name in before}
    print(json.dumps({"moves": args.moves, "before": before, "after": after, "drift": drift}), flush=True)
    return 0 if all(abs(d) <= TOLERANCE for d in drift.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
