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
from handwriting_recognizer.app.model_text import device_text, metadata_text, runs_on, trained_at
from handwriting_recognizer.core.recognizer import COUNT_MAX, ModelInfo


def _open(
    parent: QWidget, icon: QMessageBox.Icon, title: str, text: str, rich: bool = False, details: str = ""
) -> QMessageBox:
    """A box named for screen readers by its title; `details` (plain text) behind "Show Details"."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
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
    pen_words = f" + {pen:,} pen-written (UNIPEN)" if pen else ""
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


def shortcuts_box(parent: QWidget, rows: Iterable[tuple[str, str]]) -> QMessageBox:
    """Help > Keyboard Shortcuts, from rows the menus produced."""
    return _open(parent, QMessageBox.Icon.NoIcon, "Keyboard Shortcuts", html_table(rows, "&nbsp;&nbsp;"), rich=True)


def about_box(parent: QWidget) -> QMessageBox:
    """Help > About: version, licence, libraries and where the log is, for a bug report."""
    text = f"{about_text()}\n\nLog file: {log_file_path()}"
    box = _open(parent, QMessageBox.Icon.NoIcon, f"About {APPLICATION}", text)
    box.setObjectName("about")
    return box
