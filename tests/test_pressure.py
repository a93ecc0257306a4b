"""Pen pressure: the drawing file keeps it per point (optional), the canvas draws it as the stroke's
width on screen, and the model's input never depends on it."""

from __future__ import annotations

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
