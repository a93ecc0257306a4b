"""The desktop app (PySide6). It depends on `core` only and never imports TensorFlow.

`create_main_window(model_path=None)` is the automation interface: the window, whose widgets are
named `canvas`, `prediction`, `probabilities` and `preview` (QObject.findChild finds them).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handwriting_recognizer.app.main_window import MainWindow


def create_main_window(model_path: str | Path | None = None) -> MainWindow:
    """The main window on `model_path` (None: the last model used, else the bundled one), after the
    QApplication exists (`application.create_application`)."""
    from handwriting_recognizer.app.main_window import MainWindow

    return MainWindow(model_path)
