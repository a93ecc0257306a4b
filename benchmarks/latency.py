"""Latency benchmark, side by side in one run (not a test: numbers depend on the machine).

    .venv/bin/python benchmarks/latency.py [--model assets/model.onnx] [--runs 2000]

Reports, for the same weights: onnxruntime batch-1 latency (the app's session options) against
Keras `model.predict` and `model(x)`; the app's stroke-event -> repainted-bars latency while a
stroke is drawn, for one digit and for the last character of a 10-character number; preprocessing
alone; and app start -> visible window (from source).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def timings(fn, runs: int, warmup: int = 50) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000.0)
    return out


def row(name: str, ms: list[float], base: float | None = None) -> str:
    """A table row; `base` (the onnxruntime median) adds the slowdown ratio."""
    median, p95 = statistics.median(ms), float(np.percentile(ms, 95))
    ratio = f"{median / base:,.1f}x" if base else ""
    return f"| {name} | {median:.3f} | {p95:.3f} | {ratio} |"


def inference(model: Path, runs: int) -> list[str]:
    from handwriting_recognizer.core.recognizer import Recognizer

    x = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    recognizer = Recognizer(model, use_gpu=False)  # what the app runs: the int8 copy when there is one
    ort_ms = timings(lambda: recognizer.predict(x), runs)
    base = statistics.median(ort_ms)
    lines = [
        row(f"onnxruntime, batch 1, {recognizer.info.precision} (the app; {recognizer.info.provider})", ort_ms, base)
    ]
    if recognizer.info.fusion is not None:
        from handwriting_recognizer.core.preprocess import strokes_to_input
        from handwriting_recognizer.selftest import DRAWINGS

        _, strokes = DRAWINGS["seven (bar and stem)"]
        drawn, path = strokes_to_input(strokes).reshape(1, 28, 28, 1), recognizer.trajectories([strokes])
        both = timings(lambda: recognizer.predict_batch(drawn, path), runs)
        lines.append(row("onnxruntime, batch 1, image and stroke models fused (a drawing)", both, base))
        lines.append(
            row(
                "the same with the pen path made from the strokes",
                timings(lambda: recognizer.predict(drawn, strokes), runs),
                base,
            )
        )
    if recognizer.info.precision != "float32":
        exact = Recognizer(model, use_gpu=False, int8=False)
        lines.append(row("onnxruntime, batch 1, float32", timings(lambda: exact.predict(x), runs), base))
    weights = model.with_suffix(".weights.h5")
    if weights.exists():
        from handwriting_recognizer.training.model import build_classifier

        width = (recognizer.info.metadata.get("recipe") or {}).get("width")
        classes = len(recognizer.predict(x))  # ten digits, or with "not a digit" eleven
        keras_model = build_classifier(width, classes=classes) if width else build_classifier(classes=classes)
        keras_model.load_weights(weights)
        batch = x.reshape(1, 28, 28, 1)
        lines.append(
            row(
                "Keras model(x, training=False)",
                timings(lambda: keras_model(batch, training=False), max(runs // 10, 50), 10),
                base,
            )
        )
        lines.append(
            row(
                "Keras model.predict(x)",
                timings(lambda: keras_model.predict(batch, verbose=0), max(runs // 20, 30), 5),
                base,
            )
        )
    return lines


class LiveWindow:
    """The app's window with a clock on the probability bars' repaint, driven by mouse events."""

    def __init__(self, model: Path):
        from handwriting_recognizer.app.application import create_application
        from handwriting_recognizer.app.main_window import MainWindow

        self.app = create_application([])
        self.window = MainWindow(model)
        self.window.resize(900, 600)
        self.window.show()
        self.app.processEvents()
        self.canvas = self.window.canvas
        self.painted: float | None = None
        original = self.window.bars.paintEvent

        def paint_and_stamp(event):
            original(event)
            self.painted = time.perf_counter()

        self.window.bars.paintEvent = paint_and_stamp

    def send(self, kind, x: float, y: float) -> None:
        from PySide6.QtCore import QEvent, QPointF, Qt
        from PySide6.QtGui import QMouseEvent
        from PySide6.QtWidgets import QApplication

        pos = QPointF(x, y)
        pressed = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else Qt.MouseButton.LeftButton
        event = QMouseEvent(kind, pos, pos, Qt.MouseButton.LeftButton, pressed, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(self.canvas, event)

    def draw(self, stroke: np.ndarray) -> list[float]:
        """Draw one stroke (canvas pixels); the time from each move to the repainted bars, in ms."""
        from PySide6.QtCore import QEvent

        self.painted = None
        self.send(QEvent.Type.MouseButtonPress, *stroke[0])
        self._wait_for_paint()  # else each move's wait ends at the paint of the reading before it
        latencies = []
        for x, y in stroke[1:]:
            self.painted = None
            start = time.perf_counter()
            self.send(QEvent.Type.MouseMove, x, y)
            self._wait_for_paint()
            if self.painted is not None:
                latencies.append((self.painted - start) * 1000.0)
        self.painted = None
        self.send(QEvent.Type.MouseButtonRelease, *stroke[-1])
        self._wait_for_paint()  # the finished stroke's reading
        return latencies

    def _wait_for_paint(self, seconds: float = 1.0) -> None:
        deadline = time.perf_counter() + seconds
        while self.painted is None and time.perf_counter() < deadline:
            self.app.processEvents()


def stroke_to_bars(model: Path, points: int = 300) -> list[str]:
    """Mouse-move event sent -> probability bars repainted, measured inside the running app."""
    from handwriting_recognizer.core.preprocess import strokes_to_input

    live = LiveWindow(model)
    t = np.linspace(0, 2 * np.pi, points)
    path = np.stack([200 + 120 * np.sin(t), 220 - 150 * np.sin(t / 2) * np.cos(t / 2) * 2], axis=1)
    latencies = live.draw(path)
    strokes = live.canvas.strokes()
    pre = timings(lambda: strokes_to_input(strokes, live.canvas.pen_width()), 200, 10)
    live.window.close()
    return [
        row(f"stroke event -> bars repainted ({len(latencies)} moves)", latencies),
        row(f"preprocessing alone ({sum(len(s) for s in strokes)} points)", pre),
    ]


def number_stroke_to_reading(model: Path, text: str = "3141592653", step: float = 2.0) -> list[str]:
    """A 10-character number written stroke by stroke: the time from a mouse move on its last
    character to the repainted views (finding the characters, reading the new one, the bars of the
    selected last character; the big label repaints in the same pass)."""
    from handwriting_recognizer.training.strokes import resample
    from tests import handmade

    live = LiveWindow(model)
    strokes = handmade.write(text)
    ink = np.concatenate(strokes)
    scale = 0.9 * min(live.canvas.width() / np.ptp(ink[:, 0]), live.canvas.height() / np.ptp(ink[:, 1]), 1.0)
    placed = [(s - ink.min(axis=0)) * scale + 10 for s in strokes]
    last_character = len(handmade.write(text[:-1]))
    latencies: list[float] = []
    for i, stroke in enumerate(placed):
        moves = live.draw(resample(stroke, step))
        if i >= last_character:
            latencies += moves
    said = live.window.prediction.text()
    live.window.close()
    name = f"stroke event -> bars repainted, 10-character number, last character (read {said}; {len(latencies)} moves)"
    return [row(name, latencies)]


def start_to_window(runs: int = 5) -> list[str]:
    """Process start -> main window shown, from source (python -m handwriting_recognizer)."""
    code = (
        "import time, sys; from PySide6.QtCore import QTimer;"
        "from handwriting_recognizer.app.application import create_application;"
        "app = create_application(sys.argv);"
        "from handwriting_recognizer.app.main_window import MainWindow; w = MainWindow(); w.show();"
        "QTimer.singleShot(0, lambda: (print(time.time()), app.quit())); app.exec()"
    )
    ms = []
    for _ in range(runs):
        start = time.time()
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        ms.append((float(out.stdout.strip().splitlines()[-1]) - start) * 1000.0)
    return [row(f"app start -> window shown (python -m handwriting_recognizer, {runs} runs)", ms)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "assets" / "model.onnx")
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    print("| what | median ms | p95 ms | vs onnxruntime |")
    print("|---|---|---|---|")
    for line in inference(args.model, args.runs):
        print(line, flush=True)
    for line in stroke_to_bars(args.model) + number_stroke_to_reading(args.model):
        print(line, flush=True)
    for line in start_to_window():
        print(line, flush=True)


if __name__ == "__main__":
    main()
