"""Start the GUI: the QApplication, its identity (for QSettings and QStandardPaths) and the window."""
from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.paths import assets_dir

ORGANIZATION = "hwr"
APPLICATION = "Handwriting Recognizer"

log = logging.getLogger(__name__)


def create_application(argv: list[str]) -> QApplication:
    """The QApplication with the names that place settings and the user's data folder."""
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setDesktopFileName("handwriting-recognizer")
    app.setWindowIcon(QIcon(str(assets_dir() / "icon.png")))
    return app


def report_unexpected(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """Last resort for a bug that escapes a slot: log the traceback and tell the user, and keep
    running (every expected failure already has its own message; this one means a bug)."""
    log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, error, tb)))
    window = QApplication.activeWindow()
    box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error",
                      f"Something went wrong: {kind.__name__}: {error}\n\nYour drawing and samples are unchanged. "
                      "Please report this with the log shown in the terminal.", QMessageBox.StandardButton.Ok, window)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setObjectName("unexpected-error")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def run(model: Path | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_application(sys.argv)
    sys.excepthook = report_unexpected
    from desktop.main_window import MainWindow

    window = MainWindow(model)
    window.show()
    return app.exec()
