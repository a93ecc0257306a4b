"""`--self-test`: check an installation (a checkout or a PyInstaller build) without a window.
Its first line names the version, the kind of installation and Python: what a bug report needs.

1. Loads the bundled model and reads a few built-in drawings (polylines on a 400x400 canvas, like
   the app's canvas), printing one line per drawing: expected, read, confidence.
2. In a full build (the `training` package and TensorFlow are importable), also runs a tiny
   training in the worker process exactly as the app starts it, on a small synthetic dataset, and
   checks that it exits 0 and writes model.onnx.

Returns 0 only if everything passed. Never imports TensorFlow (or Qt) in this process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from handwriting_recognizer import DISTRIBUTION, __version__
from handwriting_recognizer.core.contract import MODEL_FILE, SIZE
from handwriting_recognizer.core.recognizer import INT8_EXPORT_FAILED
from handwriting_recognizer.core.shapes import ellipse_arc, polyline
from handwriting_recognizer.core.worker import training_available, worker_command, worker_cwd, worker_environment

CANVAS = 400  # the drawings' coordinates are pixels on a CANVAS x CANVAS canvas
PEN_WIDTH = 16.0  # the app's pen width on a 400 px canvas (canvas.PEN_FRACTION * 400)
WORKER_TIMEOUT_S = 900  # TensorFlow's import alone can take a minute on a slow, busy machine


# name -> (expected digit, strokes). Plain, unambiguous shapes: any usable model reads them.
DRAWINGS: dict[str, tuple[int, list[np.ndarray]]] = {
    "zero (ellipse)": (0, [ellipse_arc(200, 200, 70, 110, -90, 275)]),
    "one (vertical line)": (1, [polyline([(205, 90), (195, 310)])]),
    "seven (bar and stem)": (7, [polyline([(120, 100), (280, 100), (180, 320)])]),
}


def _print(line: str) -> None:
    print(line, flush=True)


def check_recognition(model: Path | None = None) -> bool:
    """Read every built-in drawing with the model (default: the bundled one); True if all are right."""
    from handwriting_recognizer.core.paths import bundled_model_path
    from handwriting_recognizer.core.preprocess import strokes_to_input
    from handwriting_recognizer.core.recognizer import ModelError, Recognizer

    path = model or bundled_model_path()
    try:
        recognizer = Recognizer(path)
    except ModelError as exc:
        _print(f"model: FAILED: {exc}")
        return False
    accuracy = recognizer.info.test_accuracy
    _print(
        f"model: {path} ({recognizer.info.provider}, {recognizer.info.precision}"
        + (", with its stroke model" if recognizer.info.fusion is not None else "")
        + (f", test accuracy {accuracy:.2%})" if accuracy is not None else ")")
    )
    all_right = True
    for name, (expected, strokes) in DRAWINGS.items():
        x = strokes_to_input(strokes, PEN_WIDTH)
        try:
            reading = recognizer.read(x, strokes)
        except ModelError as exc:
            _print(f"drawing {name}: expected {expected}, FAILED: {exc}")
            all_right = False
            continue
        best = int(np.argmax(reading.probabilities))
        right = reading.label == expected
        all_right &= right
        shown = "unsure" if reading.label is None else str(reading.label)
        _print(
            f"drawing {name}: expected {expected}, read {shown} (best {best}, confidence "
            f"{reading.confidence:.1%}) {'ok' if right else 'WRONG'}"
        )
    return all_right


def write_tiny_dataset(path: Path, train: int = 300, test: int = 100, seed: int = 0) -> None:
    """Random SIZE x SIZE uint8 images in Keras' MNIST layout (x_train, y_train, x_test, y_test)."""
    rng = np.random.default_rng(seed)
    np.savez(
        path,
        x_train=rng.integers(0, 256, (train, SIZE, SIZE), dtype=np.uint8),
        y_train=rng.integers(0, 10, train, dtype=np.uint8),
        x_test=rng.integers(0, 256, (test, SIZE, SIZE), dtype=np.uint8),
        y_test=rng.integers(0, 10, test, dtype=np.uint8),
    )


def check_training(run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> bool:
    """One tiny training in the worker process; True if it exits 0, writes model.onnx and could
    quantize it (on this noise data the int8 copy is then rightly not kept)."""
    with tempfile.TemporaryDirectory(prefix="hwr-selftest-") as tmp:
        tmp_path = Path(tmp)
        data, out = tmp_path / "tiny-mnist.npz", tmp_path / "out"
        write_tiny_dataset(data)
        command = worker_command(
            ["--data", str(data), "--limit", "200", "--epochs", "1", "--progress", "jsonl", "--out", str(out)]
        )
        start = time.monotonic()
        try:
            result = run(
                command,
                env=worker_environment(os.environ),
                cwd=worker_cwd(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=WORKER_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            _print(f"training worker: FAILED: no result after {WORKER_TIMEOUT_S} s")
            return False
        except OSError as exc:
            _print(f"training worker: FAILED: cannot start {command[0]} ({exc})")
            return False
        seconds = time.monotonic() - start
        wrote = (out / MODEL_FILE).is_file()
        quantized = INT8_EXPORT_FAILED not in (result.stdout or "")
        if result.returncode == 0 and wrote and quantized:
            _print(f"training worker: ok (exit 0, wrote {MODEL_FILE}, int8 export works, {seconds:.0f} s)")
            return True
        _print(
            f"training worker: FAILED (exit {result.returncode}, {MODEL_FILE} {'written' if wrote else 'missing'}, "
            f"int8 export {'works' if quantized else 'failed'}, {seconds:.0f} s); its last output:"
        )
        for line in (result.stdout or "").strip().splitlines()[-15:]:
            _print(f"    {line}")
        return False


def run_self_test() -> int:
    """The whole self-test; 0 if everything passed, 1 otherwise."""
    full = training_available()
    _print(
        f"self-test: {DISTRIBUTION} {__version__}, {'full' if full else 'lean'} installation"
        f"{' (frozen)' if getattr(sys, 'frozen', False) else ''}, Python {sys.version.split()[0]}"
    )
    ok = check_recognition()
    if full:
        ok &= check_training()
    else:
        _print("training worker: skipped (lean installation: no training)")
    _print("self-test: passed" if ok else "self-test: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(run_self_test())
