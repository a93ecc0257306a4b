"""The product's commands run as a user runs them, in a process of their own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def predict(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """`python -m handwriting_recognizer predict ARGS`, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "handwriting_recognizer", "predict", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def on_a_scaled_screen(script: str, width: int, height: int, folder: Path, *args: str) -> dict:
    """Run the Python `script` (with `args`) on one offscreen screen of `width` x `height` pixels at
    QT_SCALE_FACTOR 2, its HOME in `folder`, and return the JSON its last line prints."""
    screens = folder / "screens.json"
    screen = {"name": "small", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96, "dpr": 1}
    screens.write_text(json.dumps({"screens": [screen]}))
    env = {"QT_SCALE_FACTOR": "2", "QT_QPA_PLATFORM": f"offscreen:configfile={screens}", "HOME": str(folder)}
    result = subprocess.run(
        [sys.executable, "-c", script, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
