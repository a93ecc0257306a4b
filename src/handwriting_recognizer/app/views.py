"""What the model reads, shown three ways: the top digit, the ten probability bars, the 28x28 input."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from handwriting_recognizer.app.imageio import gray_to_qimage
from handwriting_recognizer.core.recognizer import Reading

BAR = QColor(150, 170, 200)
TOP = QColor(30, 110, 220)
TEXT = QColor(40, 40, 50)


class ProbabilityBars(QWidget):
    """Ten horizontal softmax bars, the top class highlighted. Clicking a digit emits `digitClicked`."""

    digitClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("probabilities")
        self.setMinimumSize(220, 200)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setToolTip("Probability of each digit. Click a digit to pick it as the right label.")
        self._probabilities = np.zeros(10, np.float32)
        self._highlight: int | None = None
        self._chosen: int | None = None

    def probabilities(self) -> np.ndarray:
        return self._probabilities.copy()

    def highlighted(self) -> int | None:
        """The highlighted (top, confident) digit, if any."""
        return self._highlight

    def set_reading(self, reading: Reading) -> None:
        """Show a reading's probabilities (zeros for a blank input) and highlight its label, if any."""
        self._probabilities = np.asarray(reading.probabilities, np.float32).copy()
        self._highlight = reading.label
        self.update()

    def set_chosen(self, digit: int | None) -> None:
        """Mark the digit the user picked as the right label."""
        self._chosen = digit
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(260, 260)

    def _row_height(self) -> float:
        return self.height() / 10.0

    def mousePressEvent(self, event: QMouseEvent) -> None:
        row = int(event.position().y() // self._row_height())
        if 0 <= row < 10:
            self.digitClicked.emit(row)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        row = self._row_height()
        label_w, pct_w = 28.0, 48.0
        bar_w = max(self.width() - label_w - pct_w - 8, 10)
        font = painter.font()
        for digit, p in enumerate(self._probabilities):
            y = digit * row
            top = digit == self._highlight
            font.setBold(top or digit == self._chosen)
            painter.setFont(font)
            painter.setPen(TOP if top else TEXT)
            painter.drawText(QRectF(0, y, label_w, row), Qt.AlignmentFlag.AlignCenter, str(digit))
            painter.fillRect(QRectF(label_w, y + row * 0.2, bar_w, row * 0.6), QColor(235, 237, 242))
            painter.fillRect(QRectF(label_w, y + row * 0.2, bar_w * float(p), row * 0.6), TOP if top else BAR)
            if digit == self._chosen:
                painter.setPen(QColor(20, 150, 60))
                painter.drawRect(QRectF(label_w, y + row * 0.2, bar_w, row * 0.6))
            painter.setPen(TEXT)
            painter.drawText(
                QRectF(label_w + bar_w + 4, y, pct_w, row),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                f"{p:.0%}",
            )
        painter.end()


class PredictionLabel(QLabel):
    """The large top-1 digit and its confidence; "?" when unsure and a dash for a blank canvas.

    `caption` is a small companion label that says the same in words.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("prediction")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.font())
        font.setPointSize(40)
        font.setBold(True)
        self.setFont(font)
        self.setMinimumHeight(80)
        self.caption = QLabel()
        self.caption.setTextFormat(Qt.TextFormat.PlainText)  # it may quote a model's or a file's words
        self.caption.setObjectName("caption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.set_reading(None)

    def set_reading(self, reading: Reading | None) -> None:
        """A dash for no ink, "?" when unsure (the best guess in words), else the digit."""
        if reading is None or reading.blank:
            self.setText("–")
            self.caption.setText("Draw a digit")
        elif reading.label is None:
            self.setText("?")
            guess = int(np.argmax(reading.probabilities))
            self.caption.setText(f"Unsure — best guess {guess} at {reading.confidence:.0%}")
        else:
            self.setText(f"{reading.label}  {reading.confidence:.0%}")
            self.caption.setText(f"Reads {reading.label} with {reading.confidence:.1%} confidence")

    def set_problem(self, reason: str) -> None:
        """Nothing can be read, and why (e.g. far too much ink)."""
        self.setText("?")
        self.caption.setText(reason)


class InputPreview(QLabel):
    """The 28x28 image the model sees, scaled up without smoothing."""

    SIDE = 112

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("preview")
        self.setFixedSize(self.SIDE, self.SIDE)
        self.setToolTip("What the model sees (28x28)")
        self.setStyleSheet("border: 1px solid #bbb")
        self._image = np.zeros((28, 28), np.float32)
        self.set_input(self._image)

    def input(self) -> np.ndarray:
        return self._image.copy()

    def set_input(self, image: np.ndarray) -> None:
        """Show a 28x28 input, light ink on dark, as the model gets it."""
        self._image = np.asarray(image, np.float32)
        qimage = gray_to_qimage(self._image, invert=False)
        self.setPixmap(
            QPixmap.fromImage(qimage).scaled(
                self.SIDE, self.SIDE, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
            )
        )
