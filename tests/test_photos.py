"""Photos of handwriting read as their scans do: the paper is found around the ink (core/morphology,
preprocess.to_ink), whatever light falls on it, and a blank page holds no ink."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from handwriting_recognizer.core.morphology import closing, running_extreme
from handwriting_recognizer.core.numbers import read_number_picture
from handwriting_recognizer.core.preprocess import image_to_input, is_blank, render_strokes, to_ink
from handwriting_recognizer.core.recognizer import Recognizer
from tests import handmade
from tests.photos import LIGHTS, photograph

SHEET = (360, 480)  # a phone photo's shape, small


@pytest.fixture(scope="module")
def recognizer(bundled_model: Path) -> Recognizer:
    return Recognizer(bundled_model)


def digit_on_a_sheet(digit: str) -> np.ndarray:
    """One handmade digit, 100 px tall, written with the numbers' pen a little off the sheet's middle."""
    return render_strokes(handmade.write(digit, x=200.0, baseline=220.0), SHEET, handmade.PEN)


@pytest.mark.parametrize("light", LIGHTS)
def test_a_photographed_digit_reads_as_written(recognizer, light):
    """Before, one grey taken from the picture's edge was the paper: light falling off across the
    sheet, a shadow, a dim room or a desk round the sheet read every digit as "not a digit"."""
    rng = np.random.default_rng(7)
    read = {d: recognizer.read(image_to_input(photograph(digit_on_a_sheet(d), light, rng))) for d in "0123456789"}
    assert {d: r.label for d, r in read.items()} == {d: int(d) for d in "0123456789"}


@pytest.mark.parametrize("light", LIGHTS)
def test_a_photographed_number_reads_as_written(recognizer, light):
    ink = render_strokes(handmade.write("2026", x=500.0), (250, 1400), handmade.PEN)
    assert read_number_picture(recognizer, photograph(ink, light, np.random.default_rng(3))).text == "2026"


@pytest.mark.parametrize("light", LIGHTS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_photographed_blank_page_holds_no_ink(light, seed):
    """The paper's grain is not ink: a blank sheet reads as blank, not as a digit made of noise."""
    page = photograph(np.zeros(SHEET), light, np.random.default_rng(seed))
    assert not to_ink(page).any()
    assert is_blank(image_to_input(page))


def test_a_grainy_scan_keeps_its_strokes_whole():
    """Grain is measured and taken off, not the ink: a noisy evenly lit photo gives the same
    input as the clean scan."""
    ink = digit_on_a_sheet("4")
    scan = np.rint((1.0 - ink) * 255).astype(np.uint8)
    photo = photograph(ink, "even", np.random.default_rng(0))
    assert np.corrcoef(image_to_input(photo).ravel(), image_to_input(scan).ravel())[0, 1] > 0.95


def naive_extreme(image: np.ndarray, radius: int, op: np.ufunc, axis: int, outside: float | None) -> np.ndarray:
    """`running_extreme` by looking at every window."""
    pad = [(0, 0), (0, 0)]
    pad[axis] = (radius, radius)
    padded = np.pad(image, pad, mode="symmetric") if outside is None else np.pad(image, pad, constant_values=outside)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1, axis=axis)
    return op.reduce(windows, axis=-1)


@settings(max_examples=150, deadline=None)
@given(
    arrays(np.float32, st.tuples(st.integers(1, 14), st.integers(1, 14)), elements=st.floats(0.0, 1.0, width=32)),
    st.integers(0, 9),
    st.sampled_from([np.maximum, np.minimum]),
    st.sampled_from([0, 1]),
    st.sampled_from([None, 0.0]),
)
def test_running_extreme_is_the_extreme_of_each_window(image, radius, op, axis, outside):
    """Also for windows wider than the image, which see its mirror or `outside` beyond its edge."""
    expected = naive_extreme(image, radius, op, axis, outside)
    np.testing.assert_array_equal(running_extreme(image, radius, op, axis, outside), expected)


def test_closing_fills_strokes_and_keeps_a_shadow_edge():
    """The paper behind a stroke is the paper around it, and an edge wider than the window (a
    shadow's, a sheet's) stays where it is."""
    page = np.ones((40, 60), np.float32)
    page[:, 30:] = 0.4  # a shadow over the right half
    page[10:30, 10] = 0.05  # a stroke in the light
    page[5, 35:55] = 0.02  # a stroke in the shadow
    paper = closing(page, 3)
    expected = np.ones((40, 60), np.float32)
    expected[:, 30:] = 0.4
    np.testing.assert_array_equal(paper, expected)


def test_a_sheet_on_a_desk_keeps_the_desk_dark_up_to_the_edge():
    """A strip of desk between a tilted sheet and the picture's edge, narrower than the window,
    is no stroke: the desk reaches beyond the picture."""
    page = np.full((120, 120), 0.9, np.float32)
    page[:, :4] = 0.15  # a strip of desk at the left edge
    page[40:80, 60:62] = 0.05  # a stroke
    ink = to_ink(np.rint(page * 255).astype(np.uint8))
    assert not ink[:, :6].any() and ink[40:80, 60:62].min() > 0.9
