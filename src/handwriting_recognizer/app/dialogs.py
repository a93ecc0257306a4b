"""The window's message boxes: errors, model info, keyboard shortcuts, about.

Every box is non-blocking (`open`, deleted on close) so the app keeps working behind it. Text that
may quote a file, a model or its metadata is shown as plain text, or escaped where a table needs
rich text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from handwriting_recognizer.app.application import APPLICATION, about_text, log_file_path
from handwriting_recognizer.core.recognizer import ModelInfo

MAX_COUNT = 10**9  # a training-data count above this is metadata nonsense, not shown


def _open(parent: QWidget, icon: QMessageBox.Icon, title: str, text: str, rich: bool = False) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
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
    images, own = data.get("train_images"), data.get("own_samples") or 0
    if isinstance(images, int) and isinstance(own, int) and max(images, own) < MAX_COUNT:
        return f"{images} MNIST images + {own} own samples"
    return None


def model_info_rows(info: ModelInfo) -> list[tuple[str, str]]:
    """What Model > Info lists: only what the model's metadata says, and says sensibly."""
    rows = [("File", str(info.path)), ("Execution provider", info.provider), ("Precision", info.precision)]
    for label, fraction in (("MNIST test accuracy", info.test_accuracy), ("Validation accuracy", info.val_accuracy)):
        if fraction is not None:
            rows.append((label, f"{fraction:.2%}"))
    for label, value in (
        ("Parameters", info.parameters),
        ("Epochs", info.epochs),
        ("Trained", info.date),
        ("Device", info.device),
    ):
        if value is not None:
            rows.append((label, str(value)))
    data = _training_data(info.metadata)
    if data is not None:
        rows.append(("Training data", data))
    return rows


def model_info_box(parent: QWidget, info: ModelInfo) -> QMessageBox:
    """Model > Info: a table of the active model's facts (rich text is safe: every value is escaped)."""
    return _open(parent, QMessageBox.Icon.Information, "Model Info", html_table(model_info_rows(info)), rich=True)


def shortcuts_box(parent: QWidget, rows: Iterable[tuple[str, str]]) -> QMessageBox:
    """Help > Keyboard Shortcuts, from rows the menus produced."""
    return _open(parent, QMessageBox.Icon.NoIcon, "Keyboard Shortcuts", html_table(rows, "&nbsp;&nbsp;"), rich=True)


def about_box(parent: QWidget) -> QMessageBox:
    """Help > About: version, licence, libraries and where the log is, for a bug report."""
    text = f"{about_text()}\n\nLog file: {log_file_path()}"
    box = _open(parent, QMessageBox.Icon.NoIcon, f"About {APPLICATION}", text)
    box.setObjectName("about")
    return box
