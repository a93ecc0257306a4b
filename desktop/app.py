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
UNEXPECTED_BOX = "unexpected-error"

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
    """Last resort for a bug that escapes a slot: log the traceback, tell the user in one box (a bug
    in a paint or mouse handler repeats many times a second: the box counts instead of multiplying),
    and keep running. Every expected failure already has its own message; this one means a bug."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, error, tb)))
    text = f"Something went wrong: {kind.__name__}: {error}\n\nThe details are in the log. The app keeps running."
    box = _unexpected_box()
    if box is not None:
        box.setProperty("count", int(box.property("count") or 1) + 1)
        box.setText(f"{text}\n\n(This happened {box.property('count')} times.)")
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error", text, QMessageBox.StandardButton.Ok,
                      QApplication.activeWindow())
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setObjectName(UNEXPECTED_BOX)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def _unexpected_box() -> QMessageBox | None:
    """The "Unexpected error" box still open, if any."""
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.objectName() == UNEXPECTED_BOX
                 and w.isVisible()), None)


def run(model: Path | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_application(sys.argv)
    sys.excepthook = report_unexpected
    from desktop.main_window import MainWindow

    window = MainWindow(model)
    window.show()
    return app.exec()
