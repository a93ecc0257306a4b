"""The window's message boxes: errors, model info, keyboard shortcuts, about; and how a window or
dialog is sized to fit its screen.

Every box is non-blocking (`open`, deleted on close) so the app keeps working behind it. Text that
may quote a file, a model or its metadata is shown as plain text, or escaped where a table needs
rich text. Every box stays inside its screen's available area, "Show Details" opened too.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from handwriting_recognizer.app.application import APPLICATION, about_text, log_file_path
from handwriting_recognizer.app.model_text import device_text, metadata_text, runs_on, trained_at
from handwriting_recognizer.core.recognizer import COUNT_MAX, ModelInfo

SCREEN_SHARE = 0.9  # a window or dialog opens at most this share of its screen's available area (HiDPI shrinks it)
DETAILS_LINES = 3  # the details of a box on a small screen keep at least this many lines (they scroll)


def fitted_size(wanted: QSize, available: QSize, share: float) -> QSize:
    """`wanted`, shrunk where it is larger than `share` of the `available` screen area (the window's
    frame is outside both); never below 1 pixel."""
    return QSize(
        max(1, min(wanted.width(), int(available.width() * share))),
        max(1, min(wanted.height(), int(available.height() * share))),
    )


def inside(frame: QRect, area: QRect) -> QPoint:
    """Where a window's `frame` goes to lie inside `area`: moved as little as it can be (its top-left
    corner kept in the area when it is larger)."""
    x = max(area.left(), min(frame.left(), area.right() + 1 - frame.width()))
    y = max(area.top(), min(frame.top(), area.bottom() + 1 - frame.height()))
    return QPoint(x, y)


class FittedBox(QMessageBox):
    """A message box that stays inside its screen's available area. Qt sizes a box to its text and,
    when "Show Details" opens, grows it downwards by the details' 100 pixels, past the bottom of a
    small or scaled screen (Model Info at 200 % on a 1400x900 screen): here the details, which
    scroll, give up the height the screen lacks, and the box moves back inside the screen."""

    def __init__(self, icon: QMessageBox.Icon, title: str, text: str, parent: QWidget):
        super().__init__(icon, title, text, QMessageBox.StandardButton.Ok, parent)
        self._details_height: int | None = None  # the height Qt gives the details, kept where there is room

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.isVisible():
            return
        area = self.screen().availableGeometry()
        details = self.findChild(QTextEdit)  # the details' text: the only text edit in a box
        if details is not None and details.isVisible():
            self._details_height = self._details_height or details.height()
            frame = self.frameGeometry().height() - self.height()
            room = area.height() - frame - (self.height() - details.height())
            least = details.fontMetrics().lineSpacing() * DETAILS_LINES
            height = max(least, min(self._details_height, room))
            if height != details.height():
                details.setFixedHeight(height)  # the box then sizes itself again (a layout request)
                return
        self.move(inside(self.frameGeometry(), area))


def _open(
    parent: QWidget, icon: QMessageBox.Icon, title: str, text: str, rich: bool = False, details: str = ""
) -> QMessageBox:
    """A box named for screen readers by its title; `details` (plain text) behind "Show Details"."""
    box = FittedBox(icon, title, text, parent)
    box.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    box.setAccessibleName(title)
    box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def html_table(rows: Iterable[tuple[str, str]], gap: str = "&nbsp;") -> str:
    """Two columns, every cell escaped: the values may come from a model file."""
    cells = "".join(f"<tr><td><b>{html.escape(k)}</b>{gap}</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def error_box(parent: QWidget, title: str, text: str) -> QMessageBox:
    """A warning named "error" (tests and automation find it), in plain text: messages quote file names
    and file contents."""
    box = _open(parent, QMessageBox.Icon.Warning, title, text)
    box.setObjectName("error")
    return box


def info_box(parent: QWidget, name: str, title: str, text: str) -> QMessageBox:
    """A plain-text notice named `name`, for a notice that is not an error (e.g. retraining needs an extra)."""
    box = _open(parent, QMessageBox.Icon.Information, title, text)
    box.setObjectName(name)
    return box


def _training_data(metadata: dict[str, object]) -> str | None:
    data = metadata.get("training_data")
    if not isinstance(data, dict):
        return None
    images, own, pen = data.get("train_images"), data.get("own_samples") or 0, data.get("pen_images") or 0
    if not all(isinstance(n, int) and 0 <= n < COUNT_MAX for n in (images, own, pen)):  # else metadata nonsense
        return None
    # Without UNIPEN, the "not a digit" class learns from made-up scribbles alone (training.pen_data).
    made = (
        "drawn from UNIPEN's pen writing or made up" if isinstance(data.get("pen_data"), str) else "made-up scribbles"
    )
    pen_words = f" + {pen:,} {made}" if pen else ""
    return f"{images:,} MNIST images{pen_words} + {own:,} own samples"


def model_info_rows(info: ModelInfo, title: str) -> list[tuple[str, str]]:
    """What Model > Info lists: what the model is (`title`), then only what its metadata says, and
    says sensibly: dates as dates, devices without TensorFlow's words."""
    rows = [("Model", title), ("File", str(info.path)), ("Runs on", f"{runs_on(info.provider)}, {info.precision}")]
    for label, fraction in (("MNIST test accuracy", info.test_accuracy), ("Validation accuracy", info.val_accuracy)):
        if fraction is not None:
            rows.append((label, f"{fraction:.2%}"))
    for label, count in (("Parameters", info.parameters), ("Epochs", info.epochs)):
        if count is not None:
            rows.append((label, f"{count:,}"))
    if info.date is not None:
        rows.append(("Trained", trained_at(info.date) or info.date))
    if info.device is not None:
        rows.append(("Trained on", device_text(info.device)))
    data = _training_data(info.metadata)
    if data is not None:
        rows.append(("Training data", data))
    if info.fusion is not None:
        rows.append(("Pen strokes", f"also read by its stroke model (weight {info.fusion.weight:g})"))
    return rows


def model_info_box(parent: QWidget, info: ModelInfo, title: str) -> QMessageBox:
    """Model > Info: a table of the active model's facts (rich text is safe: every value is escaped),
    and all its metadata as plain text behind "Show Details"."""
    box = _open(
        parent,
        QMessageBox.Icon.Information,
        "Model Info",
        html_table(model_info_rows(info, title)),
        rich=True,
        details=metadata_text(info.metadata),
    )
    box.setObjectName("model-info")
    return box


def shortcuts_box(parent: QWidget, rows: Iterable[tuple[str, str]]) -> QDialog:
    """Help > Keyboard Shortcuts, from rows the menus produced: a table that scrolls, in a dialog that
    fits its screen (in a message box, 22 rows were taller than a 1366x768 screen at 200 %, its OK
    below the screen)."""
    dialog = QDialog(parent)
    dialog.setObjectName("shortcuts")
    dialog.setWindowTitle("Keyboard Shortcuts")
    dialog.setAccessibleName("Keyboard Shortcuts")
    table = QTextBrowser()
    table.setHtml(html_table(rows, "&nbsp;&nbsp;"))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
    buttons.accepted.connect(dialog.accept)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    document = table.document()
    document.adjustSize()  # its ideal width, then its height at that width
    chrome = dialog.sizeHint() - table.sizeHint()
    wanted = document.size().toSize() + QSize(2 * table.frameWidth() + 4, 2 * table.frameWidth() + 4) + chrome
    dialog.resize(fitted_size(wanted, dialog.screen().availableGeometry().size(), SCREEN_SHARE))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def about_box(parent: QWidget) -> QMessageBox:
    """Help > About: version, licence, libraries and where the log is, for a bug report."""
    text = f"{about_text()}\n\nLog file: {log_file_path()}"
    box = _open(parent, QMessageBox.Icon.NoIcon, f"About {APPLICATION}", text)
    box.setObjectName("about")
    return box
