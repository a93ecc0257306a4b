"""Pictures of numbers whose digits touch or overlap (issue #12): one connected component, cut apart
by `core.components`. Numbers are the tests' handmade digits (tests/handmade.py) written closer
than usual; each case here was misread before the fix named in its test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from handwriting_recognizer.core.components import CUT_TALL, CUT_WIDTH, Region, _slices, ink_runs, picture_marks
from handwriting_recognizer.core.numbers import read_number_picture
from handwriting_recognizer.core.preprocess import to_ink
from handwriting_recognizer.core.recognizer import Recognizer
from handwriting_recognizer.core.segment import line_height
from tests import handmade


@pytest.fixture(scope="module")
def recognizer(bundled_model: Path) -> Recognizer:
    return Recognizer(bundled_model, use_gpu=False)


def touching(written: str, gap: float) -> np.ndarray:
    """A picture of `written` whose digits are one connected component."""
    pixels = handmade.picture(handmade.write(written, gap=gap))
    assert int(ink_runs(to_ink(pixels)).label.max()) == 0
    return pixels


@pytest.mark.parametrize(
    ("written", "gap", "before"),
    [("40", 0.0, "4.0"), ("33", -0.04, "3"), ("93", -0.02, "8")],
)
def test_touching_digits_are_cut_where_they_meet(recognizer, written, gap, before):
    """Before, two cuts met at the end of the 4's bar and left a sliver of it, read as a decimal
    point ('4.0': CUT_TALL); the cut between the 3s and the one between the 9 and the 3 were refused
    for crossing too much ink when what they crossed was a stroke and many sideways moves ('3', '8':
    CUT_THICKNESS is of ink alone)."""
    assert read_number_picture(recognizer, touching(written, gap)).text == written != before


@pytest.mark.parametrize(("pair", "gap", "squeeze"), [("02", 0.0, 0.6), ("40", 0.0, 0.6), ("23", -0.03, 0.7)])
def test_touching_digits_of_a_narrow_hand_are_cut(recognizer, pair, gap, squeeze):
    """A narrow hand (the digits 0.6-0.7 of their width) writes a touching pair narrower than
    CUT_WIDTH line heights: it was read as one character ('250', '2540' not a number); a component
    wider than CUT_RATIO times the writer's median character is cut too."""
    two = handmade.write(pair, gap=gap, x=200.0)
    pixels = handmade.picture([s * (squeeze, 1.0) for s in handmade.write("25") + two])
    ink = np.concatenate(two)[:, 0] * squeeze
    assert np.ptp(ink) + handmade.PEN < CUT_WIDTH * handmade.HEIGHT  # the line is taller than its digits' HEIGHT
    assert int(ink_runs(to_ink(pixels)).label.max()) == 2  # 2, 5 and the pair
    assert read_number_picture(recognizer, pixels).text == "25" + pair


def test_a_cut_leaves_no_sliver_of_a_stroke(recognizer):
    """Each slice of a cut component is at least CUT_TALL line heights high: a piece of a stroke
    cut off is no character (it read as a '.' or a '1')."""
    ink = to_ink(touching("40", 0.0))
    marks, _ = picture_marks(ink, ink_runs(ink))
    height = line_height(np.array([m.box for m in marks]))
    assert len(marks) == 2 and all(m.source is not None for m in marks)
    assert min(m.box[3] - m.box[1] for m in marks) >= CUT_TALL * height


def test_of_two_cuts_around_a_sliver_the_inkier_goes():
    """Two bars joined by a foot with a short bump on it, cut either side of the bump: the bump is
    no character, so one cut goes, the one that crosses more ink (the less likely place two
    digits meet), whichever side of the sliver it is on."""
    ink = np.zeros((70, 60))
    ink[5:66, 5:10] = ink[5:66, 50:55] = 1.0  # the bars
    ink[61:66, 5:55] = 1.0  # the foot, 5 px thick ...
    ink[59:66, 17:23] = 1.0  # ... 7 px at the left cut
    ink[63:66, 33:38] = 1.0  # ... 3 px at the right cut
    ink[61:63, 33:38] = 0.0
    ink[50:66, 25:31] = 1.0  # the bump
    runs = ink_runs(ink)
    whole = Region(0, 5)
    left, right = (np.full(61, column) for column in (20, 35))
    regions = _slices(runs, np.flatnonzero(runs.label == 0), whole, [(left, 7), (right, 3)], tall=30)
    assert len(regions) == 2 and regions[0].before is right


@pytest.mark.parametrize(("written", "before"), [("22", "2"), ("25", None), ("75", None)])
def test_overlapping_digits_are_cut_straight(recognizer, written, before):
    """Digits written a tenth of a line height into each other (a 2's foot under the next digit, a
    7's bar through a 5's top) leave no path that crosses one stroke: they read as one digit or as
    nothing. A wide component that no path cuts is cut along the straight line through its middle
    third that crosses the least ink (`_straight_cut`), and the reading keeps that cut."""
    assert read_number_picture(recognizer, touching(written, -0.1)).text == written != before
