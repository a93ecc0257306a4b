"""Where the bundled files are, in the source tree and in the PyInstaller build."""

from __future__ import annotations

import sys
from pathlib import Path

from handwriting_recognizer.core.contract import MODEL_FILE


def assets_dir() -> Path:
    """The `assets/` folder: next to the package in a checkout, under sys._MEIPASS when frozen."""
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / "assets" if base else Path(__file__).resolve().parents[3] / "assets"


def bundled_model_path() -> Path:
    """The model shipped with the app."""
    return assets_dir() / MODEL_FILE
