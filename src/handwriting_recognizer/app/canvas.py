"""The drawing canvas: records strokes from mouse, pen or touch and paints them smoothly.

Like Qt's Scribble example, the widget owns its image and its events. Strokes are kept as points in
drawing coordinates (the canvas size when the drawing began); the view scales them to fit when the
window is resized, and the image is rendered at the screen's device pixel ratio.

What the canvas shows (`Ink`: strokes with their pen pressure, or an opened `Picture`) is one value,
and every change of it (a stroke, a clear, an opened drawing or picture) is one command on a
QUndoStack: undo brings back exactly what was shown before, a picture included. Those values hold
no None (a stroke without pressure has an empty array): the soak test (tests/soak.py) watches the
reference count of None for PySide6's reference bugs, and a history full of None would hide one.

A stroke ends when its pen, finger or button lifts, or where that is lost (a dialog opened, the
window minimized or left, a new stroke begun): it is kept as drawn. Undo while drawing takes back that
stroke only. A touch the system cancels, or one a second finger joins (a pinch, a palm), is
dropped; a pen's eraser end and its side buttons draw nothing.

The pen width is set in screen pixels at the drawing's scale when it was begun or opened (the pen
zooms with the drawing when the window is resized) and only changes how the ink looks (the model's
input is redrawn with MNIST's stroke width, whatever the pen); a tablet pen's pressure scales it per
segment.
Paper and ink are the palette's Base and Text (ink falls back to black or white when the theme's
pair is too alike) and follow a theme change while the app runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QEventPoint,
    QFocusEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPointingDevice,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import QWidget

from handwriting_recognizer.app.contrast import paper_and_ink
from handwriting_recognizer.core.drawing import MAX_POINTS, MAX_SIDE, Drawing

PEN_WIDTH_DEFAULT = 12  # screen pixels: a digit a third of the canvas tall reads clearly
PEN_WIDTH_MIN = 1  # screen pixels: a hairline
PEN_WIDTH_MAX = 40  # screen pixels: a marker on a large canvas
LIGHTEST_TOUCH = 0.25  # a tablet pen's width at the lightest pressure, as a share of the full width
UNDO_LIMIT = 200  # undoable steps kept: a long session's history stays bounded
HINT = "Write a digit or a number here"
GROW_SLACK = 1e-6  # a drawing grows only by more than this share of its size (`grown`)


NO_PRESSURE = np.zeros(0)  # the pressure of a stroke drawn without one (mouse, finger)


@dataclass(frozen=True, eq=False)
class Ink:
    """Strokes (each (K, 2) in drawing coordinates) on a drawing of `size`, with each stroke's pen
    pressure per point (NO_PRESSURE for a stroke drawn with the mouse or a finger)."""

    strokes: tuple[np.ndarray, ...] = ()
    pressures: tuple[np.ndarray, ...] = ()
    size: tuple[float, float] = (1.0, 1.0)
    first: tuple[float, float] | None = None  # where the first stroke began, as drawn: `grown` keeps it


@dataclass(frozen=True, eq=False)
class Picture:
    """An opened or pasted picture, with the model input read from it."""

    image: QImage
    model_input: np.ndarray


Content = Ink | Picture
BLANK = Ink()


def _inside(ink: Ink, box: tuple[float, float, float, float]) -> bool:
    """Whether `box` (x0, y0, x1, y1) lies on the drawing, but for the view's float rounding."""
    width, height = ink.size
    slack = GROW_SLACK * max(width, height)
    return box[0] >= -slack and box[1] >= -slack and box[2] <= width + slack and box[3] <= height + slack


def grown(ink: Ink, box: tuple[float, float, float, float]) -> tuple[Ink, np.ndarray]:
    """`ink` on a drawing grown to hold `box` (x0, y0, x1, y1 in drawing coordinates) too, and how
    far its strokes moved: where the box reaches left of or above the drawing, every stroke moves
    right or down by as much (a drawing's coordinates start at 0, 0, as a drawing file's do). A
    drawing grows only within a drawing file's MAX_SIDE, so that it can be saved and opened again."""
    width, height = ink.size
    x0, y0 = min(box[0], 0.0), min(box[1], 0.0)
    size = (max(box[2], width) - x0, max(box[3], height) - y0)
    if _inside(ink, box) or max(size) > MAX_SIDE:
        return ink, np.zeros(2)
    shift = np.array([-x0, -y0])
    return replace(ink, strokes=tuple(stroke + shift for stroke in ink.strokes), size=size), shift


class _Change(QUndoCommand):
    """Replace what the canvas shows; undo shows what was there before."""

    def __init__(self, canvas: Canvas, text: str, before: Content, after: Content):
        super().__init__(text)
        self._canvas, self._before, self._after = canvas, before, after

    def redo(self) -> None:
        self._canvas._show(self._after)

    def undo(self) -> None:
        self._canvas._show(self._before)


def pressure_share(pressure: float) -> float:
    """The share of the pen's full width a pressure (0..1) draws: from LIGHTEST_TOUCH to all of it."""
    return LIGHTEST_TOUCH + (1.0 - LIGHTEST_TOUCH) * min(max(pressure, 0.0), 1.0)


def _box_width(px: float) -> int:
    """A pen width as the pen box holds it: whole pixels within PEN_WIDTH_MIN..PEN_WIDTH_MAX."""
    return min(max(int(px), PEN_WIDTH_MIN), PEN_WIDTH_MAX)


class Canvas(QWidget):
    """Draw with the left mouse button, a pen or a finger. `changed` fires on every new point and on
    every change of what is shown; `penWidthChanged` when the pen width box's value changes."""

    changed = Signal()
    penWidthChanged = Signal(int)
    replacing = Signal()  # an opened drawing or picture is about to replace what the canvas shows
    kept = Signal()  # a stroke begun over a picture was dropped (a pinch): the picture stays

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("canvas")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a click gives it focus: shortcuts and digit keys work
        self.setMinimumSize(160, 160)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip(f"{HINT} with the mouse, a pen or a finger")
        self.setAccessibleName("Drawing canvas")
        self.setAccessibleDescription(
            "Write a digit or a number with the mouse, a pen or a finger; it is read while you write. "
            "Undo with Ctrl+Z, clear with Delete, pick the right label with a digit key."
        )
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self._content: Content = BLANK
        self._before: Content = BLANK  # what was shown when the stroke being drawn began
        self._grew_by = np.zeros(2)  # how far its strokes moved as the drawing grew to the canvas shown
        self._current: list[tuple[float, float]] | None = None
        self._current_pressure: list[float] | None = None  # None: a mouse or finger draws
        self._finger: int | None = None  # the id of the touch point drawing the stroke
        self._finished_points = 0  # points in the finished strokes: a drawing holds at most MAX_POINTS
        self._size = QSizeF(400, 400)
        self._pen_px = PEN_WIDTH_DEFAULT
        self._chosen_px = PEN_WIDTH_DEFAULT  # the user's pen: an opened drawing's own goes with it
        self._pen_scale = 1.0  # screen pixels of the pen box per unit of the drawing, when it was begun or opened
        self._image = QImage()
        self._paper_colour, self._ink_colour = paper_and_ink(self.palette())

    # --- what is shown -------------------------------------------------------------------------

    def _ink(self) -> Ink:
        return self._content if isinstance(self._content, Ink) else BLANK

    def strokes(self) -> list[np.ndarray]:
        """Finished strokes plus the one being drawn, in drawing coordinates."""
        if self._current:
            return [*self._ink().strokes, np.asarray(self._current, np.float64)]
        return list(self._ink().strokes)

    def _stroke_pressures(self) -> list[np.ndarray]:
        """As `pressures`, with NO_PRESSURE for a stroke without."""
        if self._current:
            current = NO_PRESSURE if self._current_pressure is None else np.asarray(self._current_pressure)
            return [*self._ink().pressures, current]
        return list(self._ink().pressures)

    def pressures(self) -> list[np.ndarray | None]:
        """Each stroke's pen pressure per point (as `strokes`), None for a stroke without pressure."""
        return [p if len(p) else None for p in self._stroke_pressures()]

    def first_point(self) -> tuple[float, float] | None:
        """Where the first stroke began, as drawn (before the drawing grew and moved it): what tells
        one drawing from another (`Teacher`); None without strokes."""
        ink = self._ink()
        if ink.strokes:
            return ink.first
        return None if not self._current else self._current[0]

    def is_empty(self) -> bool:
        """No strokes (a picture may be shown)."""
        return not self._ink().strokes and not self._current

    def stroke_in_progress(self) -> bool:
        """The pen (mouse button, finger) is down: the last stroke is not finished yet."""
        return self._current is not None

    def drawing(self) -> Drawing:
        """The strokes with their drawing size, pen and pressure, as a drawing file stores them."""
        strokes, pressures = self.strokes(), self.pressures()
        pressure = None
        if any(p is not None for p in pressures):  # a mouse stroke among pen strokes: Qt's mouse pressure, 1
            pressure = tuple(np.ones(len(s)) if p is None else p for s, p in zip(strokes, pressures, strict=True))
        size = (math.ceil(self._size.width()), math.ceil(self._size.height()))  # holding every point
        return Drawing(*size, tuple(strokes), self.pen_width(), pressure)

    def set_drawing(self, drawing: Drawing) -> None:
        """Show an opened drawing (one undoable step) with the pen it says it was drawn with, else
        the one `predict` reads it with (`Drawing.effective_pen_width`): it looks, reads and saves
        again as the file says. The pen box shows that pen's width on screen now, to the nearest
        pixel. The pen is a tool, not part of the step: Undo keeps it."""
        pressures = drawing.pressure or (NO_PRESSURE,) * len(drawing.strokes)
        self.replacing.emit()
        start = drawing.strokes[0] if drawing.strokes else np.zeros((0, 2))
        first = (float(start[0][0]), float(start[0][1])) if len(start) else None
        self._change("Open Drawing", Ink(drawing.strokes, tuple(pressures), (drawing.width, drawing.height), first))
        pen = drawing.effective_pen_width()
        px = _box_width(round(pen * self._view()[0]))
        self._set_pen(px, px / pen)  # the drawing keeps its own pen exactly

    def clear(self) -> None:
        """Erase the strokes or the picture (one undoable step)."""
        if isinstance(self._content, Picture) or not self.is_empty():
            self._change("Clear", BLANK)

    def picture(self) -> QImage | None:
        """The opened or pasted picture shown instead of strokes, if any."""
        return self._content.image if isinstance(self._content, Picture) else None

    def picture_input(self) -> np.ndarray | None:
        """The model input of the picture shown, if one is."""
        return self._content.model_input if isinstance(self._content, Picture) else None

    def set_picture(self, picture: QImage, model_input: np.ndarray, step: str = "Open Picture") -> None:
        """Show a picture (fitted, centred) with the model input read from it, as one undoable `step`;
        drawing a stroke replaces it (undo brings it back)."""
        self.replacing.emit()
        self._change(step, Picture(picture, model_input))

    def _change(self, step: str, after: Content) -> None:
        self._end()  # a stroke being drawn is kept, as its own step, under the change
        self.undo_stack.push(_Change(self, step, self._content, after))

    def undo(self) -> None:
        """Undo the last step. A stroke being drawn is that step: it ends, then goes (Redo brings it
        back); it went with the stroke before it, which Redo did not bring back."""
        self._end()
        self.undo_stack.undo()

    def redo(self) -> None:
        self._end()
        self.undo_stack.redo()

    def step_action(self, parent: QObject, redo: bool = False) -> QAction:
        """Edit > Undo (or Redo) as QUndoStack's own actions are, named for the step ("&Undo Clear")
        and enabled while there is one, that runs `undo` (`redo`): QUndoStack's would not end a
        stroke being drawn first. While a stroke is drawn, Undo names it (it is the step Undo takes
        back, the first stroke too) and Redo has nothing to bring back."""
        stack = self.undo_stack
        prefix = "&Redo" if redo else "&Undo"
        action = QAction(prefix, parent)

        def update() -> None:
            if not shiboken6.isValid(stack) or not shiboken6.isValid(action):
                return  # the stack empties itself as the window is destroyed: nothing left to name
            drawing = self.stroke_in_progress()
            if redo:
                step, can = stack.redoText(), stack.canRedo() and not drawing
            else:
                step, can = ("Stroke", True) if drawing else (stack.undoText(), stack.canUndo())
            action.setText(f"{prefix} {step}".strip())
            action.setEnabled(can)

        for signal in (stack.indexChanged, stack.canUndoChanged, stack.canRedoChanged, self.changed):
            signal.connect(update)
        update()
        action.triggered.connect(self.redo if redo else self.undo)
        return action

    def finish_stroke(self) -> None:
        """End the stroke being drawn, kept as drawn, as its own step (before a step that uses it)."""
        self._end()

    def _show(self, content: Content) -> None:
        """Show `content` (the undo stack's commands call this)."""
        self._content, self._current, self._current_pressure = content, None, None
        ink = self._ink()
        self._finished_points = sum(len(stroke) for stroke in ink.strokes)
        if ink.strokes:
            self._size = QSizeF(*ink.size)
        else:
            self._fit_drawing_to_widget()
        self._render()
        self.changed.emit()

    def _fit_drawing_to_widget(self) -> None:
        """An empty canvas takes the widget's size: new strokes, and the pen, are in widget pixels."""
        self._size = QSizeF(max(self.width(), 1), max(self.height(), 1))
        self._pen_scale = 1.0

    # --- the pen -------------------------------------------------------------------------------

    def pen_width_px(self) -> int:
        """The pen width box's: the pen's width on screen when the drawing was begun or opened."""
        return self._pen_px

    def set_pen_width_px(self, px: int) -> None:
        """Draw with a pen `px` screen pixels wide at the drawing's scale when it was begun or
        opened (kept within PEN_WIDTH_MIN..PEN_WIDTH_MAX); the strokes already drawn are shown with
        it too."""
        self._chosen_px = _box_width(px)
        self._set_pen(self._chosen_px, self._pen_scale)

    def _set_pen(self, px: int, scale: float) -> None:
        """The pen box's width `px` at `scale` (its screen pixels per unit of the drawing)."""
        changed = px != self._pen_px
        if changed or scale != self._pen_scale:
            self._pen_px, self._pen_scale = px, scale
            self._render()
        if changed:
            self.penWidthChanged.emit(px)

    def pen_width(self) -> float:
        """The pen's width in drawing coordinates (the model input is rendered with it: ink smaller
        than the pen stays a dot): the box's screen pixels at the drawing's scale when it was begun
        (a new drawing's coordinates are the canvas' pixels) or opened (a file keeps its own pen
        exactly). The pen zooms with the drawing when the window is resized: the same ink reads the
        same at any window size (it read "????" after the window shrank, each digit a dot under a
        pen grown relative to it)."""
        return self._pen_px / self._pen_scale

    # --- geometry: drawing coordinates <-> widget ----------------------------------------------

    def _view(self) -> tuple[float, float, float]:
        """Scale and offset that fit the drawing in the widget, centred."""
        scale = max(min(self.width() / self._size.width(), self.height() / self._size.height()), 1e-6)
        dx = (self.width() - self._size.width() * scale) / 2
        dy = (self.height() - self._size.height() * scale) / 2
        return scale, dx, dy

    def _to_drawing(self, pos: QPointF) -> tuple[float, float]:
        scale, dx, dy = self._view()
        return ((pos.x() - dx) / scale, (pos.y() - dy) / scale)

    # --- input ---------------------------------------------------------------------------------

    def _begin(self, pos: QPointF, pressure: float | None = None, finger: int | None = None) -> None:
        """A stroke begins at `pos`: with the pen's `pressure`, or by the touch point `finger`."""
        if self._finger is not None and finger is None:
            self._cancel()  # a hand resting on the screen began it: the pen or the mouse writes now
        else:
            self._end()  # the last stroke's pen-up was lost: it is kept as drawn
        self._finger = finger
        self.setFocus(Qt.FocusReason.OtherFocusReason)  # pen and touch too, not only a click: keys act here
        self._before, self._grew_by = self._content, np.zeros(2)
        if isinstance(self._content, Picture) or self.is_empty():
            if isinstance(self._content, Picture):
                self.replacing.emit()  # the picture's reading goes to the history, as when another replaces it
            self._content, self._finished_points = BLANK, 0  # a stroke on a picture replaces it; undo shows it
            self._fit_drawing_to_widget()
            # A new drawing is drawn with the user's pen: an opened drawing's thin pen stayed for
            # every drawing after it (QA pass). Not on Clear: Undo shows the drawing with its pen.
            self._set_pen(self._chosen_px, 1.0)
            self._render()  # the whole widget: the picture or the hint goes
        else:  # while it is drawn, the drawing spans the whole canvas shown (the same view): see `_end`
            scale, dx, dy = self._view()
            shown = (-dx / scale, -dy / scale, (self.width() - dx) / scale, (self.height() - dy) / scale)
            self._content, self._grew_by = grown(self._ink(), shown)
            self._size = QSizeF(*self._content.size)
        self._current = [self._to_drawing(pos)]
        self._current_pressure = None if pressure is None else [pressure]
        self._paint_segment(self._current[0], self._current[0], pressure)
        self.changed.emit()

    def _extend(self, pos: QPointF, pressure: float | None = None) -> None:
        if self._current is None:
            return
        point = self._to_drawing(pos)
        if point == self._current[-1] or self._finished_points + len(self._current) >= MAX_POINTS:
            return  # a drawing over MAX_POINTS could be saved but not opened again
        segment = None
        if self._current_pressure is not None:
            pressure = 1.0 if pressure is None else pressure
            segment = (self._current_pressure[-1] + pressure) / 2
            self._current_pressure.append(pressure)
        self._paint_segment(self._current[-1], point, segment)
        self._current.append(point)
        self.changed.emit()

    def _end(self) -> None:
        if self._current is None:
            return
        stroke, pressure = self.strokes()[-1], self._stroke_pressures()[-1]
        self._current, self._current_pressure = None, None
        # On the drawing as it was, when the stroke stayed on it: a window resized back and forth
        # does not shrink the ink for good. Else on the drawing as drawn on (it spans the canvas shown,
        # so ink in the margin stays in sight when the canvas narrows), grown to a stroke that left it.
        # The pen's round end counts too, once the drawing is chosen: past the edge, it was cut flat
        # there (QA pass); counted in that choice, a stroke near the edge took the whole canvas shown,
        # which a window resized back and forth then kept for good (review).
        base, back, half = self._before, stroke - self._grew_by, self.pen_width() / 2
        if isinstance(base, Ink) and base.strokes and _inside(base, (*back.min(axis=0), *back.max(axis=0))):
            stroke, ink = back, base
        else:
            ink = self._ink()
        first = ink.first if ink.strokes else (float(stroke[0][0]), float(stroke[0][1]))
        size = ink.size if ink.strokes else (self._size.width(), self._size.height())
        ink = Ink((*ink.strokes, stroke), (*ink.pressures, pressure), size, first)
        ink, _ = grown(ink, (*stroke.min(axis=0) - half, *stroke.max(axis=0) + half))
        self.undo_stack.push(_Change(self, "Stroke", self._before, ink))

    def _cancel(self) -> None:
        """Drop the stroke being drawn: what was shown before it comes back, and no step is made."""
        if self._current is not None:
            self._show(self._before)
            if isinstance(self._before, Picture):
                self.kept.emit()  # it did not replace the picture after all

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
        """Pen input with its pressure; accepting it stops Qt from also sending synthesized mouse
        events. The tip draws (a light touch may say pressure 0: its button, not its pressure, tells
        it from hovering); the eraser end and the side buttons draw nothing."""
        kind, tip = event.type(), Qt.MouseButton.LeftButton
        if kind == QTabletEvent.Type.TabletPress:
            if event.button() == tip and event.pointerType() != QPointingDevice.PointerType.Eraser:
                self._begin(event.position(), event.pressure())
        elif kind == QTabletEvent.Type.TabletMove and event.buttons() & tip:
            self._extend(event.position(), event.pressure())
        elif kind == QTabletEvent.Type.TabletRelease and event.button() == tip:
            self._end()
        event.accept()

    def event(self, event: QEvent) -> bool:
        """Touch: one finger draws. A second finger (a pinch, a palm) drops its stroke, and nothing is
        drawn until every finger has lifted; so does a touch the system cancels. A touch while the
        pen or the mouse draws is a hand resting on the screen: it draws nothing."""
        if not isinstance(event, QTouchEvent):
            return super().event(event)
        kind, points = event.type(), event.points()
        if kind == QTouchEvent.Type.TouchBegin:
            drawing = self._current is not None and self._finger is None  # the pen or the mouse draws
            if not drawing and len(points) == 1:
                self._begin(points[0].position(), finger=points[0].id())
        elif self._finger is not None:
            mine = points[0] if len(points) == 1 and points[0].id() == self._finger else None
            if mine is None or kind == QTouchEvent.Type.TouchCancel:
                self._cancel()
                self._finger = None
            elif kind == QTouchEvent.Type.TouchEnd or mine.state() == QEventPoint.State.Released:
                self._end()
                self._finger = None
            else:
                self._extend(mine.position())
        event.accept()
        return True

    # --- painting ------------------------------------------------------------------------------

    def _pen(self, pressure: float | None) -> QPen:
        """The ink pen in drawing coordinates, as wide as `pressure` makes it (None: full width)."""
        width = self.pen_width() * (1.0 if pressure is None else pressure_share(pressure))
        return QPen(self._ink_colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)

    def _painter(self) -> QPainter:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale, dx, dy = self._view()
        painter.translate(dx, dy)
        painter.scale(scale, scale)
        return painter

    def _render(self) -> None:
        """Redraw everything into the image at the screen's pixel density."""
        ratio = self.devicePixelRatioF()
        size = QSize(round(self.width() * ratio), round(self.height() * ratio))
        if self._image.size() != size or self._image.devicePixelRatio() != ratio:  # else reuse it
            self._image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
            self._image.setDevicePixelRatio(ratio)
        self._paper_colour, self._ink_colour = paper_and_ink(self.palette())
        self._image.fill(self._paper_colour)
        if isinstance(self._content, Picture):
            self._draw_picture(self._content.image)
        painter = self._painter()
        for stroke, pressure in zip(self.strokes(), self._stroke_pressures(), strict=True):
            self._draw_stroke(painter, stroke, pressure)
        painter.end()
        self.update()

    def _draw_stroke(self, painter: QPainter, stroke: np.ndarray, pressure: np.ndarray) -> None:
        """One path at the full width, or, with pressure, each segment at its own width."""
        if not len(pressure):
            path = QPainterPath(QPointF(*stroke[0]))
            for x, y in stroke[1:]:
                path.lineTo(x, y)
            if len(stroke) == 1:
                path.lineTo(stroke[0][0] + 0.01, stroke[0][1])
            painter.setPen(self._pen(None))
            painter.drawPath(path)
            return
        if len(stroke) == 1:
            self._draw_segment(painter, stroke[0], stroke[0], float(pressure[0]))
        for i in range(1, len(stroke)):
            self._draw_segment(painter, stroke[i - 1], stroke[i], float(pressure[i - 1] + pressure[i]) / 2)

    def _draw_segment(self, painter: QPainter, a: Sequence[float], b: Sequence[float], pressure: float | None) -> None:
        painter.setPen(self._pen(pressure))
        end = QPointF(b[0], b[1]) if tuple(a) != tuple(b) else QPointF(b[0] + 0.01, b[1])
        painter.drawLine(QPointF(a[0], a[1]), end)

    def _draw_picture(self, picture: QImage) -> None:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        size = picture.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x, y = (self.width() - size.width()) / 2, (self.height() - size.height()) / 2
        painter.drawImage(QRectF(x, y, size.width(), size.height()), picture)
        painter.end()

    def _paint_segment(self, a: tuple[float, float], b: tuple[float, float], pressure: float | None) -> None:
        """Add one segment (drawn at `pressure`, None: full width) to the image and repaint only the
        area it touched."""
        if self._image.isNull():
            self._render()
        painter = self._painter()
        self._draw_segment(painter, a, b, pressure)
        painter.end()
        scale, dx, dy = self._view()
        pad = self.pen_width() * scale / 2 + 2
        rect = QRectF(QPointF(*a), QPointF(*b)).normalized()
        view = QRectF(rect.x() * scale + dx, rect.y() * scale + dy, rect.width() * scale, rect.height() * scale)
        self.update(view.adjusted(-pad, -pad, pad, pad).toAlignedRect())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The drawing is scaled to the new size, never cut: its coordinates do not change (a
        drawing covers all the canvas shown when each stroke began, and all its strokes)."""
        if self.is_empty():
            self._fit_drawing_to_widget()
        self._render()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        """A new theme (palette) while the app runs: paper, ink and frame follow it."""
        if event.type() == QEvent.Type.PaletteChange:
            self._render()
        super().changeEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()  # the frame shows the focus
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        """Focus gone while drawing (a dialog opened, another window came to the front, the window
        minimized): the stroke ends there, as drawn; its release would come to the canvas no more.
        (Not on hiding: a window being destroyed hides it after its undo stack is gone.)"""
        self._end()
        self.update()
        super().focusOutEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        painter = QPainter(self)
        painter.drawImage(0, 0, self._image)  # clipped to the update region; the image carries its pixel ratio
        if self.is_empty() and isinstance(self._content, Ink):
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            hint = int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)  # a narrow canvas wraps it
            painter.drawText(self.rect().adjusted(8, 8, -8, -8), hint, HINT)
        focused = self.hasFocus()
        role = QPalette.ColorRole.Highlight if focused else QPalette.ColorRole.Mid
        frame = 2 if focused else 1
        painter.setPen(QPen(palette.color(role), frame))
        painter.drawRect(QRectF(self.rect()).adjusted(frame / 2, frame / 2, -frame / 2, -frame / 2))
        painter.end()
