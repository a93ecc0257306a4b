"""The product's commands run as a user runs them, in a process of their own."""

from __future__ import annotations

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
