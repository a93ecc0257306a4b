"""The drawing canvas: records strokes from mouse, pen or touch and paints them smoothly.

Like Qt's Scribble example, the widget owns its image and its events. Strokes are kept as points in
drawing coordinates (the canvas size when the drawing began); the view scales them to fit when the
window is resized, and the image is rendered at the screen's device pixel ratio. Each finished
stroke, a clear, or a loaded drawing is one command on a QUndoStack.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import QWidget

from handwriting_recognizer.core.drawing import MAX_POINTS, PEN_FRACTION, Drawing

INK = QColor(20, 20, 30)
PAPER = QColor(255, 255, 255)
UNDO_LIMIT = 200  # undoable steps kept: a long session's history stays bounded


class _SetStrokes(QUndoCommand):
    """Replace the canvas' strokes (and drawing size): a new stroke, a clear or an opened drawing."""

    def __init__(self, canvas: Canvas, text: str, strokes: list[np.ndarray], size: QSizeF, pen: float):
        super().__init__(text)
        self._canvas = canvas
        self._new = (list(strokes), QSizeF(size), pen)
        self._old = (list(canvas._strokes), QSizeF(canvas._size), canvas._pen_width)

    def redo(self) -> None:
        self._canvas._restore(*self._new)

    def undo(self) -> None:
        self._canvas._restore(*self._old)


class Canvas(QWidget):
    """Draw with the left mouse button, a pen or a finger. `changed` fires on every new point."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setMinimumSize(160, 160)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit here")
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self._strokes: list[np.ndarray] = []
        self._finished_points = 0  # points in self._strokes: a drawing holds at most MAX_POINTS
        self._current: list[tuple[float, float]] | None = None
        self._size = QSizeF(400, 400)
        self._pen_width = PEN_FRACTION * 400
        self._image = QImage()
        self._picture: QImage | None = None

    # --- the drawing ---------------------------------------------------------------------------

    def strokes(self) -> list[np.ndarray]:
        """Finished strokes plus the one being drawn, in drawing coordinates."""
        if self._current:
            return [*self._strokes, np.asarray(self._current, np.float64)]
        return list(self._strokes)

    def pen_width(self) -> float:
        """The pen width in drawing coordinates: the model input is rendered with it."""
        return self._pen_width

    def is_empty(self) -> bool:
        return not self._strokes and not self._current

    def drawing(self) -> Drawing:
        """The strokes with their drawing size and pen, as a drawing file stores them."""
        return Drawing(round(self._size.width()), round(self._size.height()), tuple(self.strokes()), self._pen_width)

    def set_drawing(self, drawing: Drawing) -> None:
        """Show an opened drawing (undoable)."""
        size, pen = QSizeF(drawing.width, drawing.height), drawing.effective_pen_width()
        self.undo_stack.push(_SetStrokes(self, "Open drawing", list(drawing.strokes), size, pen))

    def clear(self) -> None:
        """Erase everything (undoable for strokes)."""
        self.set_picture(None)
        if not self.is_empty():
            self.undo_stack.push(_SetStrokes(self, "Clear", [], self._size, self._pen_width))

    def picture(self) -> QImage | None:
        """The opened or pasted picture shown instead of strokes, if any."""
        return self._picture

    def set_picture(self, picture: QImage | None) -> None:
        """Show a picture (fitted, centred) on an empty canvas; drawing a stroke removes it."""
        if picture is None and self._picture is None:
            return
        self._picture = picture
        if picture is not None:
            self.undo_stack.clear()
            self._strokes, self._current, self._finished_points = [], None, 0
            self._fit_drawing_to_widget()
        self._render()
        self.changed.emit()

    def _restore(self, strokes: list[np.ndarray], size: QSizeF, pen: float) -> None:
        self._strokes, self._current = list(strokes), None
        self._finished_points = sum(len(stroke) for stroke in strokes)
        if strokes:
            self._size, self._pen_width = QSizeF(size), pen
        else:
            self._fit_drawing_to_widget()
        self._render()
        self.changed.emit()

    def _fit_drawing_to_widget(self) -> None:
        """An empty canvas takes the widget's size: new strokes are in widget pixels."""
        self._size = QSizeF(max(self.width(), 1), max(self.height(), 1))
        self._pen_width = max(3.0, PEN_FRACTION * min(self._size.width(), self._size.height()))

    # --- geometry: drawing coordinates <-> widget ----------------------------------------------

    def _view(self) -> tuple[float, float, float]:
        """Scale and offset that fit the drawing in the widget, centred."""
        scale = min(self.width() / self._size.width(), self.height() / self._size.height())
        dx = (self.width() - self._size.width() * scale) / 2
        dy = (self.height() - self._size.height() * scale) / 2
        return scale, dx, dy

    def _to_drawing(self, pos: QPointF) -> tuple[float, float]:
        scale, dx, dy = self._view()
        return ((pos.x() - dx) / scale, (pos.y() - dy) / scale)

    # --- input ---------------------------------------------------------------------------------

    def _begin(self, pos: QPointF) -> None:
        if self._picture is not None:
            self.set_picture(None)
        was_empty = self.is_empty()
        if was_empty:
            self._fit_drawing_to_widget()
        self._current = [self._to_drawing(pos)]
        self._paint_segment(self._current[0], self._current[0])
        if was_empty:
            self.update()  # the whole widget: the "Draw a digit here" hint goes
        self.changed.emit()

    def _extend(self, pos: QPointF) -> None:
        if self._current is None:
            return
        point = self._to_drawing(pos)
        if point == self._current[-1] or self._finished_points + len(self._current) >= MAX_POINTS:
            return  # a drawing over MAX_POINTS could be saved but not opened again
        self._paint_segment(self._current[-1], point)
        self._current.append(point)
        self.changed.emit()

    def _end(self) -> None:
        if self._current is None:
            return
        stroke = np.asarray(self._current, np.float64)
        self._current = None
        self.undo_stack.push(_SetStrokes(self, "Stroke", [*self._strokes, stroke], self._size, self._pen_width))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        """Pen input; accepting it stops Qt from also sending the synthesized mouse events."""
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QTabletEvent.Type.TabletMove and event.pressure() > 0:
            self._extend(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._end()
        event.accept()

    def event(self, event: QEvent) -> bool:
        """Touch: the first finger draws."""
        if isinstance(event, QTouchEvent) and event.points():
            point = event.points()[0]
            kind = event.type()
            if kind == QTouchEvent.Type.TouchBegin:
                self._begin(point.position())
            elif kind == QTouchEvent.Type.TouchUpdate:
                self._extend(point.position())
            elif kind in (QTouchEvent.Type.TouchEnd, QTouchEvent.Type.TouchCancel):
                self._end()
            event.accept()
            return True
        return super().event(event)

    # --- painting ------------------------------------------------------------------------------

    def _pen(self, scale: float) -> QPen:
        return QPen(
            INK, self._pen_width * scale, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
        )

    def _painter(self) -> QPainter:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale, dx, dy = self._view()
        painter.translate(dx, dy)
        painter.scale(scale, scale)
        painter.setPen(self._pen(1.0))
        return painter

    def _render(self) -> None:
        """Redraw every stroke into a fresh image at the screen's pixel density."""
        ratio = self.devicePixelRatioF()
        size = QSize(round(self.width() * ratio), round(self.height() * ratio))
        if self._image.size() != size or self._image.devicePixelRatio() != ratio:  # else reuse it
            self._image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
            self._image.setDevicePixelRatio(ratio)
        self._image.fill(PAPER)
        if self._picture is not None:
            self._draw_picture(self._picture)
        painter = self._painter()
        for stroke in self.strokes():
            path = QPainterPath(QPointF(*stroke[0]))
            for x, y in stroke[1:]:
                path.lineTo(x, y)
            if len(stroke) == 1:
                path.lineTo(stroke[0][0] + 0.01, stroke[0][1])
            painter.drawPath(path)
        painter.end()
        self.update()

    def _draw_picture(self, picture: QImage) -> None:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        size = picture.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x, y = (self.width() - size.width()) / 2, (self.height() - size.height()) / 2
        painter.drawImage(QRectF(x, y, size.width(), size.height()), picture)
        painter.end()

    def _paint_segment(self, a: tuple[float, float], b: tuple[float, float]) -> None:
        """Add one segment to the image and repaint only the area it touched."""
        if self._image.isNull():
            self._render()
        painter = self._painter()
        end = QPointF(*b) if a != b else QPointF(b[0] + 0.01, b[1])
        painter.drawLine(QPointF(*a), end)
        painter.end()
        scale, dx, dy = self._view()
        pad = self._pen_width * scale / 2 + 2
        rect = QRectF(QPointF(*a), QPointF(*b)).normalized()
        view = QRectF(rect.x() * scale + dx, rect.y() * scale + dy, rect.width() * scale, rect.height() * scale)
        self.update(view.adjusted(-pad, -pad, pad, pad).toAlignedRect())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The drawing is scaled to the new size, never cut: its coordinates do not change."""
        if self.is_empty():
            self._fit_drawing_to_widget()
        self._render()
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawImage(0, 0, self._image)  # clipped to the update region; the image carries its pixel ratio
        if self.is_empty() and self._picture is None:
            painter.setPen(QColor(160, 160, 170))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Draw a digit here")
        painter.end()
