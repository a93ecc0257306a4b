"""Latency benchmark, side by side in one run (not a test: numbers depend on the machine).

    .venv/bin/python benchmarks/latency.py [--model assets/model.onnx] [--runs 2000]

Reports, for the same weights: onnxruntime batch-1 latency (the app's session options) against
Keras `model.predict` and `model(x)`; the app's stroke-event -> repainted-bars latency while a
stroke is drawn; preprocessing alone; and app start -> visible window (from source).
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
    if recognizer.info.precision != "float32":
        exact = Recognizer(model, use_gpu=False, int8=False)
        lines.append(row("onnxruntime, batch 1, float32", timings(lambda: exact.predict(x), runs), base))
    weights = model.with_suffix(".weights.h5")
    if weights.exists():
        from handwriting_recognizer.training.model import build_classifier

        width = (recognizer.info.metadata.get("recipe") or {}).get("width")
        keras_model = build_classifier(width) if width else build_classifier()
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


def stroke_to_bars(model: Path, points: int = 300) -> tuple[list[str], list[float]]:
    """Mouse-move event sent -> probability bars repainted, measured inside the running app."""
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    from handwriting_recognizer.app.application import create_application
    from handwriting_recognizer.app.main_window import MainWindow
    from handwriting_recognizer.core.preprocess import strokes_to_input

    app = create_application([])
    window = MainWindow(model)
    window.resize(900, 600)
    window.show()
    app.processEvents()
    painted = {"at": None}
    original = window.bars.paintEvent

    def paint_and_stamp(event):
        original(event)
        painted["at"] = time.perf_counter()

    window.bars.paintEvent = paint_and_stamp
    canvas = window.canvas

    def send(kind, pos):
        buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else Qt.MouseButton.LeftButton
        event = QMouseEvent(kind, pos, pos, Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(canvas, event)

    t = np.linspace(0, 2 * np.pi, points)
    path = np.stack([200 + 120 * np.sin(t), 220 - 150 * np.sin(t / 2) * np.cos(t / 2) * 2], axis=1)
    send(QEvent.Type.MouseButtonPress, QPointF(*path[0]))
    latencies = []
    for x, y in path[1:]:
        painted["at"] = None
        start = time.perf_counter()
        send(QEvent.Type.MouseMove, QPointF(x, y))
        deadline = start + 1.0
        while painted["at"] is None and time.perf_counter() < deadline:
            app.processEvents()
        if painted["at"] is not None:
            latencies.append((painted["at"] - start) * 1000.0)
    strokes = canvas.strokes()
    send(QEvent.Type.MouseButtonRelease, QPointF(*path[-1]))
    pre = timings(lambda: strokes_to_input(strokes, canvas.pen_width()), 200, 10)
    window.close()
    return [
        row(f"stroke event -> bars repainted ({len(latencies)} moves)", latencies),
        row(f"preprocessing alone ({sum(len(s) for s in strokes)} points)", pre),
    ], latencies


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
    lines, _ = stroke_to_bars(args.model)
    for line in lines:
        print(line, flush=True)
    for line in start_to_window():
        print(line, flush=True)


if __name__ == "__main__":
    main()
