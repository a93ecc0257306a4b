"""The retrain dialog's live plot: loss and accuracy per epoch, train and validation."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget


class TrainingCurves(QWidget):
    """Loss and accuracy per epoch, train and validation, drawn as the epochs finish."""

    # series (a field of core.progress.Epoch) -> (its panel, its colour)
    SERIES = {
        "loss": ("loss", QColor(30, 110, 220)),
        "val_loss": ("loss", QColor(230, 120, 20)),
        "accuracy": ("accuracy", QColor(30, 110, 220)),
        "val_accuracy": ("accuracy", QColor(230, 120, 20)),
    }

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("curves")
        self.setMinimumSize(420, 160)
        self._points: dict[str, list[tuple[float, float]]] = {name: [] for name in self.SERIES}

    def points(self, series: str) -> list[tuple[float, float]]:
        return list(self._points[series])

    def clear(self) -> None:
        for values in self._points.values():
            values.clear()
        self.update()

    def add(self, series: str, x: float, y: float | None) -> None:
        """One point; a missing (non-finite) value is none: the line joins its neighbours."""
        if y is not None:
            self._points[series].append((x, y))
            self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        half = self.width() / 2
        for i, panel in enumerate(("loss", "accuracy")):
            self._panel(painter, QRectF(i * half + 30, 8, half - 40, self.height() - 30), panel)
        painter.end()

    def _panel(self, painter: QPainter, box: QRectF, panel: str) -> None:
        painter.setPen(QColor(190, 190, 200))
        painter.drawRect(box)
        painter.setPen(QColor(60, 60, 70))
        painter.drawText(
            QRectF(box.left(), box.bottom() + 2, box.width(), 18),
            Qt.AlignmentFlag.AlignCenter,
            f"{panel} (blue: train, orange: validation)",
        )
        series = [name for name, (p, _) in self.SERIES.items() if p == panel]
        values = [pt for name in series for pt in self._points[name]]
        if not values:
            return
        xs, ys = [x for x, _ in values], [y for _, y in values]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        painter.drawText(QRectF(box.left() - 30, box.top() - 2, 28, 14), Qt.AlignmentFlag.AlignRight, f"{y1:.3g}")
        painter.drawText(QRectF(box.left() - 30, box.bottom() - 12, 28, 14), Qt.AlignmentFlag.AlignRight, f"{y0:.3g}")
        for name in series:
            pts = self._points[name]
            if not pts:
                continue
            mapped = [
                QPointF(
                    box.left() + (x - x0) / _span(x0, x1) * box.width(),
                    box.bottom() - (y - y0) / _span(y0, y1) * box.height(),
                )
                for x, y in pts
            ]
            path = QPainterPath(mapped[0])
            for p in mapped[1:]:
                path.lineTo(p)
            painter.setPen(QPen(self.SERIES[name][1], 2))
            painter.drawPath(path)
            for p in mapped:
                painter.drawEllipse(p, 2, 2)


def _span(low: float, high: float) -> float:
    """The range's width to scale by. A single value (one epoch, a flat curve) has none: it is drawn
    at the start of its axis. (Padding it by a tiny step vanished for values above ~2e7, and the
    division by zero inside paintEvent crashed the app.)"""
    return high - low if high > low else 1.0
