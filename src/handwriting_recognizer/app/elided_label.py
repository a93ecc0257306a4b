"""A one-line label that ends its text in "…" where it has less room than its text needs.

The status bar squeezes its labels below their size, and a plain QLabel then cuts its text off
mid-word with no sign of it ("…v3_final.onnx, 99.37% on M"): a long model name at 150 %. The
label keeps the whole text (for `text()`, its tooltip and screen readers) and paints the part that fits.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel

LEAST_CHARACTERS = 8  # what it keeps room for at least: a few letters and the ellipsis


class ElidedLabel(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)  # it may quote a model's file name

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * LEAST_CHARACTERS, super().minimumSizeHint().height())

    def shown(self) -> str:
        """The text as it fits the label's width: all of it, or its two ends around "…"."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, self.contentsRect().width())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown())
        painter.end()
