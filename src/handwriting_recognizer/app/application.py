"""Start the GUI: the QApplication, its identity (for QSettings and QStandardPaths), the log and the window."""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import cast

import onnxruntime
import PySide6
from PySide6.QtCore import QStandardPaths, Qt, QTimer, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from handwriting_recognizer import DESCRIPTION, __version__
from handwriting_recognizer.core.paths import assets_dir

ORGANIZATION = "hwr"
APPLICATION = "Handwriting Recognizer"
LICENCE = "MIT"
UNEXPECTED_BOX = "unexpected-error"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FILE_BYTES = 1_000_000  # budget: app.log is rotated at this size ...
LOG_FILES = 3  # ... and at most this many files are kept (app.log, app.log.1, app.log.2)

log = logging.getLogger(__name__)


def library_versions() -> str:
    """The versions a bug report needs: what runs the window, the model and the code."""
    return (
        f"Qt {qVersion()}, PySide6 {PySide6.__version__}, onnxruntime {onnxruntime.__version__}, "
        f"Python {platform.python_version()}"
    )


def about_text() -> str:
    """Plain text for Help > About: the app, its version and licence, and the libraries it runs on."""
    return f"{APPLICATION} {__version__}\n{DESCRIPTION}\nLicence: {LICENCE}\n{library_versions()}"


def log_file_path() -> Path:
    """The log file, in the user's data folder (AppDataLocation/logs/app.log). Needs the
    application's identity, set by create_application, to name the right folder."""
    data = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(data) / "logs" / "app.log"


def setup_logging() -> Path | None:
    """Log INFO and above to standard error and to the rotating log file, so that what the app
    ignores or falls back from (a bad setting, the CPU instead of CUDA, an unexpected error) is
    still there after the terminal, or the lack of one, is gone. Returns the log file, or None when
    it cannot be written: then the app logs to standard error only, says so once, and still starts."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    path = log_file_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and not path.is_file():  # opening a FIFO to append would block the start
            raise OSError("not a regular file")
        handler = RotatingFileHandler(path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILES - 1, encoding="utf-8")
    except OSError as exc:
        log.warning("cannot write the log file %s (%s): logging to standard error only", path, exc.strerror or exc)
        return None
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.getLogger().addHandler(handler)
    return path


def create_application(argv: list[str]) -> QApplication:
    """The QApplication with the names that place settings and the user's data folder."""
    app = cast(QApplication, QApplication.instance()) or QApplication(argv)  # a test may have made it
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
    # A parent keeps the box alive: one made without (no window active, the app in the background)
    # was deleted with its Python wrapper at once, and the user never saw it.
    parent = QApplication.activeWindow() or next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()), None
    )
    if parent is None:  # no window to show it in: the log has it
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error", text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setObjectName(UNEXPECTED_BOX)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def _unexpected_box() -> QMessageBox | None:
    """The "Unexpected error" box still open, if any."""
    return next(
        (
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == UNEXPECTED_BOX and w.isVisible()
        ),
        None,
    )


def run(argv: list[str], parse_model: Callable[[list[str]], Path | None]) -> int:
    """Start the GUI; the exit code. QApplication takes Qt's options out of `argv`, and
    `parse_model` reads the rest (it exits on an unknown one): the model to start with (None: the
    last model used, else the bundled one)."""
    app = create_application([sys.argv[0], *argv])  # first: the log file's folder depends on the app's name
    model = parse_model(app.arguments()[1:])
    setup_logging()
    sys.excepthook = report_unexpected
    from handwriting_recognizer.app.main_window import MainWindow
    from handwriting_recognizer.core.recognizer import limit_model_memory

    limit_model_memory()
    window = MainWindow(model)
    window.show()
    QTimer.singleShot(0, window.offer_left_run)  # a run a crash left: its question comes over the window
    # Once the window shows: looking the versions up costs ~25 ms that the start need not wait for.
    QTimer.singleShot(
        0,
        lambda: log.info(
            "%s %s started (%s; style %s)", APPLICATION, __version__, library_versions(), app.style().name()
        ),
    )
    return app.exec()
