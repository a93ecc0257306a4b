"""A bug in an event handler, in one process: the app shows it and keeps working.

    python -m tests.handler_bug

Makes the probability bars' paint handler (a Qt virtual method the app overrides) fail the way
a bug in C-implemented Python code does (1 / 0), shows the real window, then reads a drawing.
Exits 0 once the "Unexpected error" box counts the failures and the drawing still reads.
shiboken6 6.8 to 6.12 (at least) crash the process instead on CPython before 3.12: fetching an
exception that escapes an override, they read its arguments from an exception object CPython
3.11 has not made yet (PepException_GetArgs, a segmentation fault).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from handwriting_recognizer.app import views
from handwriting_recognizer.app.application import UNEXPECTED_BOX, create_application, report_unexpected
from handwriting_recognizer.app.main_window import MainWindow
from handwriting_recognizer.core.drawing import Drawing, save_drawing
from tests import handmade


def main() -> int:
    app = create_application(sys.argv)
    sys.excepthook = report_unexpected
    views.ProbabilityBars.paintEvent = lambda self, event: 1 / 0  # a bug in a paint handler
    window = MainWindow()
    window.show()
    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / "seven.json"
    save_drawing(Drawing(handmade.CANVAS, handmade.CANVAS, tuple(handmade.seven())), path)
    # In the event loop, as the app runs: the paints fail while the window shows and reads a drawing.
    seen: list[bool] = []

    def look_and_quit() -> None:
        boxes = window.findChildren(QMessageBox, UNEXPECTED_BOX)  # before quitting closes them
        seen.append(bool(boxes) and "ZeroDivisionError" in boxes[0].text())
        app.quit()

    QTimer.singleShot(200, lambda: window.open_drawing(path))
    QTimer.singleShot(600, look_and_quit)
    app.exec()
    folder.cleanup()
    shown = seen == [True]
    reads = window.reading is not None and window.reading.label == 7
    print(f"box shown: {shown}; the drawing reads 7: {reads}", flush=True)
    return 0 if shown and reads else 1


if __name__ == "__main__":
    sys.exit(main())
