"""Unit tests of core/preprocess.py: what a drawing or a picture becomes before the model sees it.

The model was trained on MNIST, so every input should look like an MNIST digit whatever the user did:
longer side ~20 px, centre of mass at the centre, MNIST's stroke width, ink = 1 on 0.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from handwriting_recognizer.core import preprocess
from handwriting_recognizer.core.contract import PREPROCESSING_VERSION, UINT8_INK
from handwriting_recognizer.core.preprocess import (
    image_to_input,
    is_blank,
    render_strokes,
    stroke_width,
    strokes_to_input,
)
from handwriting_recognizer.training.strokes import resample
from tests import handmade
from tests.drawn_digits import mnist_to_strokes, place

CANVAS = (400, 400)  # (height, width) for render_strokes

# Digits as a user draws them on a 400x400 canvas (x, y canvas pixels).
SEVEN = [np.array([[100.0, 100.0], [300.0, 100.0], [170.0, 350.0]])]
FOUR = [np.array([[230.0, 60.0], [110.0, 250.0], [300.0, 250.0]]), np.array([[250.0, 140.0], [250.0, 360.0]])]
_t = np.linspace(0.0, 2.0 * np.pi, 80)
ZERO = [np.stack([200.0 + 80.0 * np.cos(_t), 200.0 + 130.0 * np.sin(_t)], axis=1)]
ONE = [np.array([[200.0, 50.0], [200.0, 350.0]])]
SHAPES = {"seven": SEVEN, "four": FOUR, "zero": ZERO, "one": ONE}

# The inputs preprocessing version 1 made of these drawings (the version the shipped model was
# trained on): `reference_inputs()` as uint8, saved with np.savez_compressed.
REFERENCE = Path(__file__).with_name(f"preprocessed_v{PREPROCESSING_VERSION}.npz")

# MNIST's own stroke width (2 * area / perimeter of ink > 0.5) on the test set: 10th..90th
# percentile 1.5..2.8 px. Inputs should land in about that range.
MNIST_WIDTH = (1.3, 3.2)


def picture(strokes, pen: float = 12.0) -> np.ndarray:
    """The strokes as a picture: uint8 light ink on a dark background."""
    return np.round(render_strokes(strokes, CANVAS, pen) * 255).astype(np.uint8)


def centre_of_mass(a: np.ndarray) -> tuple[float, float]:
    total = float(a.sum())
    return (
        float((a.sum(axis=0) * np.arange(a.shape[1])).sum() / total),
        float((a.sum(axis=1) * np.arange(a.shape[0])).sum() / total),
    )


def ink_box(a: np.ndarray, level: float = 0.5) -> tuple[int, int]:
    """(height, width) of the bounding box of the pixels above `level`."""
    ys, xs = np.nonzero(a > level)
    return int(ys.max() - ys.min() + 1), int(xs.max() - xs.min() + 1)


def inputs_of_every_kind():
    for name, strokes in SHAPES.items():
        yield f"strokes-{name}", strokes_to_input(strokes, 12.0)
        yield f"picture-{name}", image_to_input(picture(strokes))


KINDS = dict(inputs_of_every_kind())


# --- the contract ---------------------------------------------------------------------------------


def reference_inputs() -> dict[str, np.ndarray]:
    """The handmade digits, the canvas shapes, a densely sampled mouse stroke and a tap, as uint8 inputs."""
    drawings = {
        f"handmade_{d}": ([u * handmade.HEIGHT + 50 for u in unit], handmade.PEN)
        for d, unit in handmade.UNIT_DIGITS.items()
    }
    drawings |= {f"canvas_{name}": (strokes, 12.0) for name, strokes in SHAPES.items()}
    drawings["mouse_zero"] = ([resample(s, 2.0) for s in ZERO], 12.0)
    drawings["tap"] = ([np.array([[200.0, 200.0]])], 12.0)
    return {k: np.rint(strokes_to_input(s, pen) * UINT8_INK).astype(np.uint8) for k, (s, pen) in drawings.items()}


def test_drawings_make_the_inputs_this_preprocessing_version_made():
    """A faster renderer must give the model what it was trained on; a change to the inputs needs a
    new PREPROCESSING_VERSION (and a model trained on it). One level of 255 on a few pixels is
    floating-point rounding, not a change."""
    with np.load(REFERENCE) as saved:
        expected = {k: saved[k] for k in saved.files}
    made = reference_inputs()
    assert made.keys() == expected.keys()
    for name, x in made.items():
        differ = np.abs(x.astype(np.int16) - expected[name])
        assert differ.max() <= 1 and (differ > 0).sum() <= 8, name


strokes_on_and_off = st.lists(
    arrays(np.float64, st.tuples(st.integers(1, 12), st.just(2)), elements=st.floats(-25.0, 75.0)),
    min_size=1,
    max_size=3,
)


@settings(max_examples=60, deadline=None)
@given(strokes_on_and_off, st.floats(0.5, 40.0), st.sampled_from([7, 300, preprocess.RENDER_CHUNK]))
def test_each_pixel_is_inked_by_its_distance_to_the_nearest_segment(strokes, width, chunk):
    """The renderer's contract, checked pixel by pixel against every segment: strokes partly off the
    image, pens from thin to wider than the image, and any chunk size (memory bound) ink the same."""
    shape = (40, 50)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(preprocess, "RENDER_CHUNK", chunk)
        image = render_strokes(strokes, shape, width)
    a, b = preprocess._segments(strokes, 1.0, (0.0, 0.0))  # the points the renderer keeps
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]] + 0.5
    centres = np.stack([xs.ravel(), ys.ravel()], axis=1)[:, None, :]
    d = b - a
    t = np.clip(((centres - a) * d).sum(axis=2) / np.maximum((d * d).sum(axis=1), 1e-12), 0.0, 1.0)
    nearest = np.linalg.norm(centres - (a + t[..., None] * d), axis=2).min(axis=1)
    expected = np.clip(width / 2 + 0.5 - nearest, 0.0, 1.0).reshape(shape)
    np.testing.assert_allclose(image, expected, atol=1e-5)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_output_is_28x28_float32_in_0_1_with_full_ink(name):
    a = KINDS[name]
    assert a.shape == (28, 28)
    assert a.dtype == np.float32
    assert np.isfinite(a).all()
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert a.max() > 0.99, "the darkest ink should be 1, as in MNIST"


@pytest.mark.parametrize(
    "blank",
    [
        pytest.param(lambda: strokes_to_input([]), id="no-strokes"),
        pytest.param(lambda: strokes_to_input([np.zeros((0, 2))]), id="empty-stroke"),
        pytest.param(lambda: image_to_input(np.zeros((60, 80), np.uint8)), id="black-picture"),
        pytest.param(lambda: image_to_input(np.full((60, 80), 255, np.uint8)), id="white-picture"),
        pytest.param(lambda: image_to_input(np.full((60, 80, 3), 128, np.uint8)), id="grey-rgb-picture"),
        pytest.param(lambda: image_to_input(np.zeros((60, 80, 4), np.uint8)), id="transparent-picture"),
        pytest.param(
            lambda: image_to_input(np.random.default_rng(0).integers(250, 256, (60, 80)).astype(np.uint8)),
            id="paper-noise",
        ),
    ],
)
def test_blank_gives_zeros(blank):
    a = blank()
    assert a.shape == (28, 28) and a.dtype == np.float32
    assert not a.any(), "a blank canvas or picture must give an all-zero input (no digit)"


@pytest.mark.parametrize("name", sorted(KINDS))
def test_centre_of_mass_is_at_the_centre(name):
    cx, cy = centre_of_mass(KINDS[name])
    assert abs(cx - 13.5) <= 1.0 and abs(cy - 13.5) <= 1.0, (cx, cy)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_longer_side_is_20_px(name):
    h, w = ink_box(KINDS[name])
    assert 19 <= max(h, w) <= 21, (h, w)


# --- invariance: where and how big the user drew should not matter --------------------------------


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_strokes_translation_invariance(name):
    strokes = SHAPES[name]
    reference = strokes_to_input(strokes, 12.0)
    for shift in ((-90.0, -40.0), (137.3, 21.7), (0.25, 0.5)):
        moved = strokes_to_input([s + shift for s in strokes], 12.0)
        np.testing.assert_allclose(moved, reference, atol=2e-3, err_msg=f"shifted by {shift}")


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_strokes_scale_invariance(name):
    strokes = SHAPES[name]
    reference = strokes_to_input(strokes, 12.0)
    for factor in (5.0, 0.2):
        scaled = strokes_to_input([s * factor for s in strokes], 12.0 * factor)
        np.testing.assert_allclose(scaled, reference, atol=2e-3, err_msg=f"scaled by {factor}")


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_strokes_pen_width_invariance(name):
    strokes = SHAPES[name]
    reference = strokes_to_input(strokes, 1.0)
    for pen in (2.0, 12.0, 30.0):
        np.testing.assert_allclose(strokes_to_input(strokes, pen), reference, atol=1e-4, err_msg=f"pen {pen}")


def test_picture_translation_and_scale_invariance():
    reference = image_to_input(picture(SEVEN))
    small = [s * 0.5 + (20.0, 180.0) for s in SEVEN]  # half size, bottom left
    for strokes, pen in ((small, 6.0), ([s + (60.0, 30.0) for s in SEVEN], 12.0)):
        a = image_to_input(picture(strokes, pen))
        assert np.corrcoef(a.ravel(), reference.ravel())[0, 1] > 0.9
        assert np.abs(a - reference).mean() < 0.05


# --- pictures: polarity, colour, alpha ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_dark_on_light_equals_light_on_dark(name):
    light_on_dark = picture(SHAPES[name])
    np.testing.assert_allclose(image_to_input(255 - light_on_dark), image_to_input(light_on_dark), atol=1e-5)


def test_rgb_pictures():
    ink = picture(FOUR)
    reference = image_to_input(255 - ink)  # black ink on white paper
    grey_rgb = np.repeat((255 - ink)[..., None], 3, axis=2)
    np.testing.assert_allclose(image_to_input(grey_rgb), reference, atol=1e-4)
    # Blue ballpoint on slightly yellow paper.
    f = ink.astype(np.float32)[..., None] / 255.0
    paper, pen = np.array([250.0, 245.0, 220.0]), np.array([20.0, 40.0, 160.0])
    photo = np.round(paper * (1 - f) + pen * f).astype(np.uint8)
    a = image_to_input(photo)
    assert np.corrcoef(a.ravel(), reference.ravel())[0, 1] > 0.95


@pytest.mark.parametrize("ink_colour", [0, 255], ids=["black-ink", "white-ink"])
def test_rgba_transparent_background(ink_colour):
    """A PNG exported from a drawing app: opaque ink on a fully transparent background whose
    (invisible) colour is the same as the ink's."""
    alpha = picture(ZERO)
    rgba = np.zeros(alpha.shape + (4,), np.uint8)
    rgba[..., :3] = ink_colour
    rgba[..., 3] = alpha
    reference = image_to_input(alpha)
    a = image_to_input(rgba)
    assert a.any(), "the ink was lost: transparency must count as background"
    np.testing.assert_allclose(a, reference, atol=1e-3)


def test_grey_one_channel_and_float_pictures():
    grey = 255 - picture(SEVEN)
    reference = image_to_input(grey)
    np.testing.assert_allclose(image_to_input(grey[..., None]), reference, atol=1e-5)  # (H, W, 1)
    np.testing.assert_allclose(image_to_input(grey.astype(np.float32) / 255.0), reference, atol=1e-4)  # 0..1


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((20, 20, 2)),
        np.zeros((2, 20, 20, 3)),
        np.zeros((20,)),
        np.zeros((0, 20)),
        np.zeros((20, 0, 3)),
        np.zeros((20, 20, 5)),
    ],
    ids=lambda a: "x".join(map(str, a.shape)),
)
def test_bad_arrays_raise_value_error(bad):
    with pytest.raises(ValueError):
        image_to_input(bad)


# --- stroke width: thick markers and hairlines look like MNIST's pen -------------------------------


@pytest.mark.parametrize("pen", [1.0, 3.0, 12.0, 40.0, 60.0])
def test_picture_stroke_width_is_normalised(pen):
    """A hairline scan is thickened and a marker drawing thinned towards MNIST's stroke width."""
    a = image_to_input(picture(SEVEN, pen))
    assert MNIST_WIDTH[0] <= stroke_width(a) <= MNIST_WIDTH[1], f"pen {pen}: stroke width {stroke_width(a):.2f}"


@pytest.mark.parametrize("pen", [1.0, 12.0, 60.0])
def test_strokes_stroke_width_is_mnist_like(pen):
    for name, strokes in SHAPES.items():
        a = strokes_to_input(strokes, pen)
        assert MNIST_WIDTH[0] <= stroke_width(a) <= MNIST_WIDTH[1], f"{name} pen {pen}: {stroke_width(a):.2f}"


# --- shapes that naive fitting ruins ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["strokes", "picture"])
def test_a_one_stays_narrow_and_tall(kind):
    a = strokes_to_input(ONE, 12.0) if kind == "strokes" else image_to_input(picture(ONE))
    h, w = ink_box(a)
    assert h >= 19 and w <= 4, f"a '1' became {h}x{w} px"
    assert (a > 0.5).sum() <= 60, "a '1' must stay a thin line, not a blob"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: strokes_to_input([np.array([[120.0, 80.0]])], 12.0), id="tap"),
        pytest.param(lambda: strokes_to_input([np.array([[120.0, 80.0], [121.0, 82.0]])], 12.0), id="tiny-wiggle"),
        pytest.param(lambda: image_to_input(picture([np.array([[120.0, 80.0]])], 12.0)), id="picture-of-a-dot"),
        pytest.param(lambda: strokes_to_input([np.array([[120.0, 80.0], [128.0, 88.0]])], 12.0), id="dab"),
    ],
)
def test_a_tap_stays_a_small_dot(make):
    """A tap with a 12 px pen (or a 2-px wiggle, or a picture of one dot) is a dot, not a digit: it
    must not be blown up into a 20x20 blob that the model reads as a confident '0' or '8'."""
    a = make()
    assert 0 < (a > 0.5).sum() <= 16, f"{(a > 0.5).sum()} ink pixels, box {ink_box(a)}"


@settings(max_examples=200, deadline=None)
@given(
    st.floats(1.0, 60.0),
    st.floats(0.0, 1.79),
    st.floats(0.0, 2 * np.pi),
    st.floats(-1e4, 1e4),
    st.floats(-1e4, 1e4),
)
def test_a_short_dab_of_a_wide_pen_is_a_dot(pen, pens_long, angle, x, y):
    """A short stroke of a wide pen looks like a blob on screen (its ink spans fewer than
    DOT_EXTENT pen widths, as a picture's dot does); it is a dot, not a confident '1'."""
    step = pens_long * pen * np.array([np.cos(angle), np.sin(angle)])
    stroke = np.array([[x, y], [x, y] + step])
    assert is_blank(strokes_to_input([stroke], pen))


def test_a_short_thick_bar_still_reads_as_ink():
    """Three pen widths long (a '1' written small with a marker) is not a dot."""
    assert not is_blank(strokes_to_input([np.array([[100.0, 100.0], [100.0, 124.0]])], 12.0))


# --- the drawn-digit helper itself (tests/drawn_digits.py) ----------------------------------------


def test_mnist_to_strokes_traces_lines_and_loops():
    ring = np.zeros((28, 28), np.uint8)
    yy, xx = np.mgrid[:28, :28]
    r = np.hypot(yy - 13.5, xx - 13.5)
    ring[(r > 5) & (r < 8)] = 255
    strokes = mnist_to_strokes(ring)
    assert len(strokes) == 1 and np.allclose(strokes[0][0], strokes[0][-1]), "a '0' is one closed stroke"
    bar = np.zeros((28, 28), np.uint8)
    bar[4:24, 12:15] = 255
    bar[2, 2] = 255  # a speck: dropped
    (line,) = mnist_to_strokes(bar)
    assert np.ptp(line[:, 0]) < 1.0 and np.ptp(line[:, 1]) > 14, "a vertical bar is one vertical stroke"
    assert mnist_to_strokes(np.zeros((28, 28), np.uint8)) == []


def test_place_puts_the_digit_where_asked():
    rng = np.random.default_rng(0)
    drawn = place(SEVEN, (400, 300), 0.5, (0.25, 0.5), rng)
    pts = np.concatenate(drawn)
    assert np.isclose(np.ptp(pts[:, 1]), 150.0, atol=1.0)
    assert np.allclose((pts.min(axis=0) + pts.max(axis=0)) / 2, (100.0, 150.0), atol=1.0)
    big = np.concatenate(place(SEVEN, (400, 300), 0.9, (0.0, 0.0), rng, jitter=1.0, slant_deg=15))
    assert big.min() >= 0 and big[:, 0].max() <= 400 and big[:, 1].max() <= 300, "stays on the canvas"


def test_mnist_digits_survive_the_round_trip_through_strokes(mnist_path):
    """MNIST test digits thinned into strokes and drawn back by `strokes_to_input` look like the
    originals: the benchmark's drawn digits are fair stand-ins for people's drawings."""
    with np.load(mnist_path) as data:
        images = data["x_test"][:50]
    corr = np.array([np.corrcoef(strokes_to_input(mnist_to_strokes(img)).ravel(), img.ravel())[0, 1] for img in images])
    assert corr.mean() > 0.7, f"mean correlation {corr.mean():.3f}"
    assert corr.min() > 0.3, f"digit {int(corr.argmin())} has correlation {corr.min():.3f}"
