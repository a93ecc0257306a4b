"""Mouse, pen and touch on the real canvas, where a person's input goes wrong: a release that never
comes, Undo while drawing, a second finger, a cancelled touch, the pen's eraser and side button.
The input devices are the boundary: their events are made here as Qt would deliver them."""

from __future__ import annotations

import functools

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QInputDevice, QPointingDevice, QPointingDeviceUniqueId, QTabletEvent, QTouchEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

LEFT = Qt.MouseButton.LeftButton


def lengths(window) -> list[int]:
    return [len(stroke) for stroke in window.canvas.strokes()]


def mouse_down_and_move(canvas, x: int, y0: int, moves: int = 10) -> None:
    QTest.mousePress(canvas, LEFT, pos=QPoint(x, y0))
    for i in range(1, moves):
        QTest.mouseMove(canvas, QPoint(x, y0 + 10 * i))


def mouse_stroke(canvas, x: int, y0: int, moves: int = 10) -> None:
    mouse_down_and_move(canvas, x, y0, moves)
    QTest.mouseRelease(canvas, LEFT, pos=QPoint(x, y0 + 10 * (moves - 1)))


def test_a_stroke_whose_release_was_lost_is_kept_when_the_next_begins(app_window):
    """A release lost to a dialog left the stroke open; the next stroke then replaced it, and it
    was in no undo step (QA pass with real X events)."""
    canvas = app_window.canvas
    mouse_down_and_move(canvas, 100, 50)  # the release goes elsewhere
    mouse_stroke(canvas, 200, 50)
    assert lengths(app_window) == [10, 10] and not canvas.stroke_in_progress()
    app_window.undo_action.trigger()
    assert lengths(app_window) == [10]


def test_a_stroke_ends_as_drawn_when_the_focus_goes_elsewhere(app_window, qtbot):
    canvas = app_window.canvas
    app_window.activateWindow()
    qtbot.waitActive(app_window)
    mouse_down_and_move(canvas, 100, 50)
    assert canvas.hasFocus()
    app_window.canvas_tools.pen_width.setFocus()  # a dialog, another window: the release will not come here
    qtbot.waitUntil(lambda: not canvas.hasFocus())
    assert not canvas.stroke_in_progress() and lengths(app_window) == [10]
    assert app_window.undo_action.text() == "&Undo Stroke"


def test_undo_while_drawing_takes_back_that_stroke_only_and_redo_brings_it_back(app_window):
    """Ctrl+Z mid-stroke removed the stroke before it too, and Redo brought back only that one."""
    canvas = app_window.canvas
    mouse_stroke(canvas, 100, 50)
    mouse_down_and_move(canvas, 200, 50, moves=5)
    app_window.undo_action.trigger()
    QTest.mouseRelease(canvas, LEFT, pos=QPoint(200, 90))
    assert lengths(app_window) == [10]
    app_window.redo_action.trigger()
    assert lengths(app_window) == [10, 5] and not app_window.redo_action.isEnabled()


@functools.cache
def touch_screen() -> QPointingDevice:
    return QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)


def touch(canvas):
    """One touch event to make, of the one touch screen (a new device would begin a new sequence)."""
    return QTest.touchEvent(canvas, touch_screen())


def finger_stroke(canvas, finger: int, x: int) -> None:
    touch(canvas).press(finger, QPoint(x, 50), canvas).commit()
    for i in range(1, 10):
        touch(canvas).move(finger, QPoint(x, 50 + 10 * i), canvas).commit()
    touch(canvas).release(finger, QPoint(x, 140), canvas).commit()


def test_one_finger_draws_a_stroke(app_window):
    finger_stroke(app_window.canvas, 0, 100)
    assert lengths(app_window) == [10]


def test_two_fingers_draw_nothing_and_a_second_finger_drops_the_stroke(app_window):
    """A pinch drew a stroke from the first finger; a second finger landing and the first lifting
    joined the two fingers' paths with a 361 px jump (QA pass)."""
    canvas = app_window.canvas
    finger_stroke(canvas, 0, 100)
    touch(canvas).press(0, QPoint(250, 250), canvas).press(1, QPoint(300, 300), canvas).commit()
    for i in range(1, 10):
        touch(canvas).move(0, QPoint(250 - 5 * i, 250), canvas).move(1, QPoint(300 + 5 * i, 300), canvas).commit()
    touch(canvas).release(0, QPoint(205, 250), canvas).release(1, QPoint(345, 300), canvas).commit()
    assert lengths(app_window) == [10]
    touch(canvas).press(0, QPoint(200, 50), canvas).commit()
    touch(canvas).move(0, QPoint(200, 90), canvas).commit()
    touch(canvas).move(0, QPoint(200, 100), canvas).press(1, QPoint(400, 400), canvas).commit()
    touch(canvas).release(0, QPoint(200, 100), canvas).move(1, QPoint(390, 400), canvas).commit()
    touch(canvas).move(1, QPoint(380, 400), canvas).commit()
    touch(canvas).release(1, QPoint(370, 400), canvas).commit()
    assert lengths(app_window) == [10] and not canvas.stroke_in_progress()
    assert app_window.undo_action.text() == "&Undo Stroke" and canvas.undo_stack.count() == 1


def test_a_touch_the_system_cancels_is_dropped(app_window):
    """A cancelled touch (a system gesture took it) left the stroke open for good, the reading
    saying "Still reading" with no finger down (QA pass)."""
    canvas = app_window.canvas
    touch(canvas).press(0, QPoint(100, 50), canvas).commit()
    touch(canvas).move(0, QPoint(100, 90), canvas).commit()
    QApplication.sendEvent(canvas, QTouchEvent(QTouchEvent.Type.TouchCancel, touch_screen()))
    assert not canvas.stroke_in_progress() and canvas.is_empty() and canvas.undo_stack.count() == 0


def pen(kind: QPointingDevice.PointerType) -> QPointingDevice:
    capabilities = QInputDevice.Capability.Position | QInputDevice.Capability.Pressure
    unique = QPointingDeviceUniqueId.fromNumericId(100 + int(kind.value))
    return QPointingDevice(
        "pen", 100 + int(kind.value), QInputDevice.DeviceType.Stylus, kind, capabilities, 1, 2, "", unique
    )


def pen_event(canvas, device, kind, x: float, y: float, pressed, held, pressure: float = 0.5) -> None:
    """One tablet event on the canvas: `pressed` the button it is about, `held` those down."""
    position = QPointF(x, y)
    event = QTabletEvent(
        kind, device, position, QPointF(canvas.mapToGlobal(position)), pressure, 0, 0, 0, 0, 0,
        Qt.KeyboardModifier.NoModifier, pressed, held,
    )  # fmt: skip
    QApplication.sendEvent(canvas, event)


def pen_stroke(canvas, device, x: int, pressure: float = 0.5, button=LEFT) -> None:
    none = Qt.MouseButton.NoButton
    pen_event(canvas, device, QTabletEvent.Type.TabletPress, x, 50, button, button, pressure)
    for i in range(1, 10):
        pen_event(canvas, device, QTabletEvent.Type.TabletMove, x, 50 + 10 * i, none, button, pressure)
    pen_event(canvas, device, QTabletEvent.Type.TabletRelease, x, 140, button, none, pressure)


def test_the_pens_tip_draws_even_at_no_pressure_and_its_eraser_and_side_button_draw_nothing(app_window):
    """The eraser end drew black ink, a side-button press drew a stroke, and moves of a light touch
    reported as pressure 0 were taken for hovering (QA pass)."""
    canvas = app_window.canvas
    pen_stroke(canvas, pen(QPointingDevice.PointerType.Pen), 100, pressure=0.0)
    assert lengths(app_window) == [10]
    pen_stroke(canvas, pen(QPointingDevice.PointerType.Eraser), 200)
    pen_stroke(canvas, pen(QPointingDevice.PointerType.Pen), 300, button=Qt.MouseButton.RightButton)
    assert lengths(app_window) == [10] and canvas.undo_stack.count() == 1


def test_a_hand_resting_on_the_screen_while_the_pen_writes_draws_nothing(app_window):
    canvas = app_window.canvas
    pen_event(canvas, pen(QPointingDevice.PointerType.Pen), QTabletEvent.Type.TabletPress, 100, 50, LEFT, LEFT)
    finger_stroke(canvas, 0, 300)  # the palm
    assert canvas.stroke_in_progress() and lengths(app_window) == [1]


def test_while_a_stroke_is_drawn_readings_leave_the_pen_time_and_its_end_is_read_at_once(app_window, qtbot):
    """A long stroke's readings took 30 ms each, back to back: the moves that waited were merged,
    and the stroke was kept as straight chords, 31-57 points a second instead of 266-443 (QA pass;
    under Xvfb a 3,000-move spiral kept 1,236 points before, 2,022-2,090 after)."""
    canvas, readings = app_window.canvas, []
    reader = app_window.number_reader
    app_window.number_reader = lambda: readings.append(1) or reader()
    app_window._reading_ms = 300  # as if the last reading had taken that long
    mouse_down_and_move(canvas, 100, 50, moves=20)
    qtbot.wait(100)
    assert readings == []  # the moves were taken; the reading waits its turn
    QTest.mouseRelease(canvas, LEFT, pos=QPoint(100, 240))
    qtbot.waitUntil(lambda: readings == [1], timeout=100)
    assert lengths(app_window) == [20]


def test_a_touch_whose_end_was_lost_does_not_stop_the_next_touch_from_drawing(app_window):
    canvas = app_window.canvas
    touch(canvas).press(0, QPoint(100, 50), canvas).commit()
    touch(canvas).move(0, QPoint(100, 90), canvas).commit()  # its end never comes
    finger_stroke(canvas, 1, 200)
    assert lengths(app_window) == [2, 10] and not canvas.stroke_in_progress()


def test_undo_while_drawing_the_first_stroke_takes_it_back_and_the_menu_says_so(app_window):
    """With nothing before it, Undo was off while the first stroke was drawn; later the menu named
    the step before ("Undo Clear") while it took back the stroke (review)."""
    canvas = app_window.canvas
    mouse_down_and_move(canvas, 100, 50)
    assert app_window.undo_action.isEnabled() and app_window.undo_action.text() == "&Undo Stroke"
    assert not app_window.redo_action.isEnabled()
    app_window.undo_action.trigger()
    QTest.mouseRelease(canvas, LEFT, pos=QPoint(100, 140))
    assert canvas.is_empty() and app_window.redo_action.text() == "&Redo Stroke"


def test_a_palm_down_before_the_pen_is_dropped_and_never_joins_the_pens_stroke(app_window):
    """A finger already down when the pen began was kept as a stroke, and its moves went on into the
    pen's stroke, zigzagging between the two (review)."""
    canvas = app_window.canvas
    touch(canvas).press(0, QPoint(300, 300), canvas).commit()
    touch(canvas).move(0, QPoint(305, 305), canvas).commit()
    device = pen(QPointingDevice.PointerType.Pen)
    pen_event(canvas, device, QTabletEvent.Type.TabletPress, 100, 50, LEFT, LEFT)
    pen_event(canvas, device, QTabletEvent.Type.TabletMove, 100, 60, Qt.MouseButton.NoButton, LEFT)
    touch(canvas).move(0, QPoint(310, 310), canvas).commit()
    assert lengths(app_window) == [2] and canvas.stroke_in_progress()


def test_teaching_while_drawing_keeps_the_stroke_for_undo(app_window):
    """Teach pressed mid-stroke saved the stroke in the sample, but Undo then showed a blank canvas
    (review)."""
    canvas = app_window.canvas
    mouse_stroke(canvas, 100, 50)
    mouse_down_and_move(canvas, 200, 50)
    QTest.keyClick(app_window, Qt.Key.Key_1)
    assert app_window.teach()
    QTest.mouseRelease(canvas, LEFT, pos=QPoint(200, 140))
    assert canvas.is_empty() and len(app_window.samples.samples()) == 1
    app_window.undo_action.trigger()
    assert lengths(app_window) == [10, 10]


def test_the_hint_on_a_narrow_empty_canvas_wraps_instead_of_being_cut(qtbot):
    """At the window's least width the hint read "rite a digit or a number he" (QA pass at 200 %)."""
    from PySide6.QtGui import QImage

    from handwriting_recognizer.app.canvas import Canvas

    canvas = Canvas()
    qtbot.addWidget(canvas)
    canvas.resize(160, 300)
    image = canvas.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    paper = image.pixelColor(80, 20).lightness()
    edges = [x for x in range(3, 8)] + [x for x in range(152, 157)]
    inked = [(x, y) for x in edges for y in range(3, 297) if abs(image.pixelColor(x, y).lightness() - paper) > 40]
    assert inked == []  # nothing of the hint reaches the canvas' sides
    middle = [y for y in range(3, 297) if abs(image.pixelColor(80, y).lightness() - paper) > 40]
    assert middle  # and the hint is there
