"""Start the GUI: the QApplication, its identity (for QSettings and QStandardPaths) and the window."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop.paths import assets_dir

ORGANIZATION = "hwr"
APPLICATION = "Handwriting Recognizer"


def create_application(argv: list[str]) -> QApplication:
    """The QApplication with the names that place settings and the user's data folder."""
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setDesktopFileName("handwriting-recognizer")
    app.setWindowIcon(QIcon(str(assets_dir() / "icon.png")))
    return app


def run(model: Path | None = None) -> int:
    app = create_application(sys.argv)
    from desktop.main_window import MainWindow

    window = MainWindow(model)
    window.show()
    return app.exec()
