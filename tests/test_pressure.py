"""Pen pressure: the drawing file keeps it per point (optional), the canvas draws it as the stroke's
width on screen, and the model's input never depends on it."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handwriting_recognizer.core.drawing import Drawing, DrawingError, load_drawing, parse_drawing, save_drawing
from tests import handmade

# --- the drawing file ------------------------------------------------------------------------------


def seven_with_pressure() -> Drawing:
    strokes = tuple(handmade.seven())
    return Drawing(400, 400, strokes, 12.0, tuple(np.linspace(0.1, 0.9, len(s)) for s in strokes))


def test_pressure_round_trips_through_a_file(tmp_path):
    drawing = seven_with_pressure()
    save_drawing(drawing, tmp_path / "d.json")
    back = load_drawing(tmp_path / "d.json")
    assert back.pressure is not None and len(back.pressure) == len(drawing.strokes)
    for saved, original in zip(back.pressure, drawing.pressure or (), strict=True):
        np.testing.assert_allclose(saved, original, atol=5e-4)


def test_a_file_without_pressure_still_opens_and_saves_without_it(tmp_path):
    (tmp_path / "old.json").write_text(json.dumps({"width": 100, "height": 100, "strokes": [[[1, 2], [3, 4]]]}))
    drawing = load_drawing(tmp_path / "old.json")
    assert drawing.pressure is None
    assert "pressure" not in drawing.to_json()


def test_pressure_does_not_change_the_model_input():
    with_pressure = seven_with_pressure()
    without = Drawing(400, 400, with_pressure.strokes, 12.0)
    np.testing.assert_array_equal(with_pressure.to_input(), without.to_input())


def test_an_empty_stroke_drops_its_pressure_with_it():
    data = {"width": 10, "height": 10, "strokes": [[], [[1, 1], [2, 2]]], "pressure": [[], [0.2, 0.4]]}
    drawing = Drawing.from_json(data)
    assert len(drawing.strokes) == 1 and drawing.pressure is not None
    np.testing.assert_array_equal(drawing.pressure[0], [0.2, 0.4])


@pytest.mark.parametrize(
    "pressure, message",
    [
        ('"hard"', "'pressure' must be a list of 2 lists"),
        ("[[0.5]]", "'pressure' must be a list of 2 lists"),
        ("[[0.5], [0.5]]", "stroke 1's pressure must be a list of 2 numbers"),
        ("[[0.5], [0.5, 0.5, 0.5]]", "stroke 1's pressure must be a list of 2 numbers"),
        ("[[NaN], [0.5, 0.5]]", "stroke 0's pressure has a value that is not a number from 0 to 1"),
        ("[[0.5], [0.5, 1.5]]", "stroke 1's pressure has a value that is not a number from 0 to 1"),
        ("[[-0.1], [0.5, 0.5]]", "stroke 0's pressure has a value that is not a number from 0 to 1"),
        ("[[1e999], [0.5, 0.5]]", "not a number from 0 to 1"),
        ("[[" + "9" * 400 + "], [0.5, 0.5]]", "not a number from 0 to 1"),
        ("[[true], [0.5, 0.5]]", "stroke 0's pressure must be a list of 1 numbers"),
        ('[["0.5"], [0.5, 0.5]]', "stroke 0's pressure must be a list of 1 numbers"),
    ],
)
def test_a_malformed_pressure_is_a_clear_error(tmp_path, pressure, message):
    path = tmp_path / "bad.json"
    strokes = '"strokes": [[[1, 1]], [[2, 2], [3, 3]]]'
    path.write_text('{"width": 10, "height": 10, ' + strokes + ', "pressure": ' + pressure + "}")
    with pytest.raises(DrawingError) as info:
        load_drawing(path)
    assert "bad.json" in str(info.value) and message in str(info.value)


point = st.tuples(st.floats(-1000, 1000, allow_nan=False), st.floats(-1000, 1000, allow_nan=False))
stroke_with_pressure = st.lists(st.tuples(point, st.floats(0, 1)), min_size=1, max_size=20)


@settings(max_examples=60, deadline=None)
@given(st.lists(stroke_with_pressure, min_size=1, max_size=5), st.booleans())
def test_any_drawing_with_pressure_round_trips(strokes, with_pressure):
    """What is saved opens again as the same drawing (coordinates to 0.01, pressure to 0.001), and
    saving that again writes the same file."""
    drawing = Drawing(
        400,
        300,
        tuple(np.array([p for p, _ in s], np.float64) for s in strokes),
        8.0,
        tuple(np.array([q for _, q in s]) for s in strokes) if with_pressure else None,
    )
    data = json.dumps(drawing.to_json()).encode()
    back = parse_drawing(data)
    assert len(back.strokes) == len(drawing.strokes)
    for a, b in zip(back.strokes, drawing.strokes, strict=True):
        np.testing.assert_allclose(a, b, atol=0.005 + 1e-9)
    if with_pressure:
        assert back.pressure is not None
        for a, b in zip(back.pressure, drawing.pressure or (), strict=True):
            np.testing.assert_allclose(a, b, atol=0.0005 + 1e-12)
    else:
        assert back.pressure is None
    assert json.dumps(back.to_json()).encode() == data


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_value)
def test_any_pressure_value_opens_or_is_refused_clearly(pressure):
    data = {"width": 10, "height": 10, "strokes": [[[1, 1]], [[2, 2], [3, 3]]], "pressure": pressure}
    try:
        drawing = Drawing.from_json(data)
    except DrawingError:
        return
    assert drawing.pressure is None or [len(p) for p in drawing.pressure] == [1, 2]


# --- the canvas ------------------------------------------------------------------------------------


@functools.cache
def pen_device():
    """A pressure-sensitive stylus, as a tablet driver announces it (one for the whole run: events
    keep a pointer to their device)."""
    from PySide6.QtGui import QInputDevice, QPointingDevice

    return QPointingDevice(
        "test pen",
        1,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        2,
    )


def tablet(canvas, kind, x: float, y: float, pressure: float, hovering: bool = False) -> None:
    """Send the canvas one tablet event, as Qt delivers a pen's: its tip held down from the press to
    the release, none while `hovering`."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QTabletEvent
    from PySide6.QtWidgets import QApplication

    pos = QPointF(x, y)
    lifted = hovering or kind == QTabletEvent.Type.TabletRelease
    held = Qt.MouseButton.NoButton if lifted else Qt.MouseButton.LeftButton
    event = QTabletEvent(
        kind,
        pen_device(),
        pos,
        canvas.mapToGlobal(pos),
        pressure,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        Qt.KeyboardModifier.NoModifier,
        Qt.MouseButton.LeftButton,
        held,
    )
    QApplication.sendEvent(canvas, event)
    assert event.isAccepted()


def pen_stroke(canvas, points: np.ndarray, pressures: np.ndarray) -> None:
    from PySide6.QtGui import QTabletEvent

    kinds = [QTabletEvent.Type.TabletPress] + [QTabletEvent.Type.TabletMove] * (len(points) - 1)
    for kind, (x, y), p in zip(kinds, points, pressures, strict=True):
        tablet(canvas, kind, x, y, p)
    tablet(canvas, QTabletEvent.Type.TabletRelease, *points[-1], 0.0)


def ink_height(canvas, x: int) -> int:
    """How many pixels of column `x` of the canvas' grab are ink (far from the paper's colour)."""
    from PySide6.QtGui import QImage

    image = canvas.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    paper = image.pixelColor(5, 5).lightness()
    return sum(abs(image.pixelColor(x, y).lightness() - paper) > 100 for y in range(4, image.height() - 4))


def test_pressure_sets_each_segments_width_on_screen_and_is_kept_per_point(app_window):
    canvas = app_window.canvas
    canvas.set_pen_width_px(24)
    xs = np.arange(60.0, 341.0, 10.0)
    pressures = np.linspace(0.05, 1.0, len(xs))
    pen_stroke(canvas, np.stack([xs, np.full(len(xs), 200.0)], axis=1), pressures)
    light, heavy = ink_height(canvas, 75), ink_height(canvas, 325)
    assert 4 <= light < 12 and heavy >= 20 and heavy > 2 * light
    assert len(canvas.strokes()) == 1 and canvas.undo_stack.count() == 1
    np.testing.assert_allclose(canvas.pressures()[0], pressures, atol=1e-6)
    canvas.undo_stack.undo()
    canvas.undo_stack.redo()  # redrawn from the kept points: the same widths
    assert abs(ink_height(canvas, 75) - light) <= 2


def test_hovering_draws_nothing_and_the_pen_takes_the_focus_when_it_draws(app_window):
    from PySide6.QtGui import QTabletEvent

    canvas = app_window.canvas
    app_window.canvas_tools.pen_width.setFocus()
    tablet(canvas, QTabletEvent.Type.TabletMove, 100, 100, 0.0, hovering=True)
    assert canvas.is_empty() and not canvas.hasFocus()
    tablet(canvas, QTabletEvent.Type.TabletPress, 100, 100, 0.5)
    assert canvas.hasFocus()  # the digit keys and shortcuts act on the drawing now
    tablet(canvas, QTabletEvent.Type.TabletMove, 140, 100, 0.5)
    tablet(canvas, QTabletEvent.Type.TabletRelease, 140, 100, 0.0)
    tablet(canvas, QTabletEvent.Type.TabletMove, 180, 100, 0.0, hovering=True)  # lifted: hovering again
    assert [len(s) for s in canvas.strokes()] == [2]


def test_the_reading_is_the_same_with_a_pen_at_any_pressure_as_with_a_mouse(app_window, qtbot):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    canvas = app_window.canvas
    seven = np.round(handmade.seven()[0])
    rng = np.random.default_rng(0)
    pen_stroke(canvas, seven, rng.uniform(0.05, 1.0, len(seven)))
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 7, timeout=2000)
    with_pen = app_window.current_input()
    canvas.clear()
    points = [QPoint(int(x), int(y)) for x, y in seven]
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for point in points[1:]:
        QTest.mouseMove(canvas, point)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])
    assert canvas.pressures() == [None]
    np.testing.assert_array_equal(app_window.current_input(), with_pen)


def test_a_drawing_saved_with_pressure_opens_with_it(app_window, tmp_path):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    canvas = app_window.canvas
    pen_stroke(canvas, np.array([[100.0, 100.0], [200.0, 120.0], [300.0, 100.0]]), np.array([0.2, 0.6, 1.0]))
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(100, 300))
    QTest.mouseMove(canvas, QPoint(300, 300))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(300, 300))
    assert app_window.save_drawing(tmp_path / "pen.json")
    saved = load_drawing(tmp_path / "pen.json")
    assert saved.pressure is not None
    np.testing.assert_allclose(saved.pressure[0], [0.2, 0.6, 1.0])
    np.testing.assert_array_equal(saved.pressure[1], [1.0, 1.0])  # the mouse: Qt's pressure of a pressed button
    canvas.clear()
    assert app_window.open_drawing(tmp_path / "pen.json")
    np.testing.assert_allclose(canvas.pressures()[0], [0.2, 0.6, 1.0])
